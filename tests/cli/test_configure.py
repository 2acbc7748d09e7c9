"""``configure`` in scripts (no terminal), and using the file it writes."""

from __future__ import annotations

import stat
from pathlib import Path

import yaml

from tests.cli.conftest import Runner, make_runner
from tests.live_server import LiveServer, free_port


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_configure_without_terminal_writes_defaults(offline_cli: Runner, home: Path) -> None:
    result = offline_cli("configure")
    path = home / ".sen4cap" / "config"
    assert (result.code, result.stdout) == (0, f"Client configuration written to {path}\n")
    assert read(path) == {"api_url": "http://127.0.0.1:8008/"}


def test_configure_takes_every_setting_as_option(offline_cli: Runner, home: Path) -> None:
    target = home / "custom" / "sen4cap.yaml"
    result = offline_cli(
        "configure",
        "--api-url",
        "https://sen4cap.example.org/api",
        "--auth-type",
        "login",
        "--login-url",
        "https://sen4cap.example.org/login",
        "--username",
        "anna",
        "--password",
        "pässwörd",
        "--config",
        str(target),
    )
    assert result.code == 0, result
    assert result.stdout == f"Client configuration written to {target}\n"
    assert read(target) == {
        "api_url": "https://sen4cap.example.org/api/",
        "auth": {
            "type": "login",
            "username": "anna",
            "password": "pässwörd",
            "login_url": "https://sen4cap.example.org/login",
        },
    }
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not (home / ".sen4cap").exists()


def test_configure_updates_the_existing_file(offline_cli: Runner, home: Path) -> None:
    assert offline_cli("configure", "--api-url", "https://a.example.org/").code == 0
    assert offline_cli("configure", "--auth-type", "api-key", "--api-key", "k3y").code == 0
    config = read(home / ".sen4cap" / "config")
    assert config["api_url"] == "https://a.example.org/"
    assert config["auth"]["type"] == "api-key" and config["auth"]["api_key"] == "k3y"


def test_configure_rejects_bad_settings(offline_cli: Runner, home: Path) -> None:
    bad_type = offline_cli("configure", "--auth-type", "kerberos")
    assert bad_type.code == 1
    assert "Invalid authentication type 'kerberos'" in bad_type.stderr
    bad_url = offline_cli("configure", "--api-url", "ftp://example.org")
    assert bad_url.code == 1
    assert "must be an http:// or https:// URL" in bad_url.stderr
    assert "ftp://example.org" in bad_url.stderr
    assert not (home / ".sen4cap" / "config").exists()


def test_commands_use_the_config_file(home: Path, live_server: LiveServer) -> None:
    run = make_runner(home)
    config = home / "server.yaml"
    assert run("configure", "--api-url", live_server.url, "--config", str(config)).code == 0
    assert not (home / ".sen4cap" / "config").exists()  # only the named file was written
    for command in (["lp"], ["gp", "primes_between"], ["lj"], ["get-conformance"]):
        result = run(*command, "--config", str(config), "-f", "json")
        assert result.code == 0, result


def test_environment_overrides_file(home: Path, live_server: LiveServer) -> None:
    run = make_runner(home)
    assert run("configure", "--api-url", f"http://127.0.0.1:{free_port()}/").code == 0
    assert run("lp").code == 3
    assert run("lp", env={"SEN4CAP_API_URL": live_server.url}).code == 0


def test_profiles_have_their_own_files_and_environment(home: Path, live_server: LiveServer) -> None:
    run = make_runner(home)
    assert run("configure", script="s2gos-client").code == 0
    assert (home / ".s2gos" / "config").exists()
    assert run("configure", script="eoproc").code == 0
    assert (home / ".eoproc" / "config").exists()
    assert not (home / ".sen4cap").exists()
    s2gos = run(
        "lp",
        "-f",
        "json",
        script="s2gos-client",
        env={
            "S2GOS_API_URL": live_server.url,
            "SEN4CAP_API_URL": f"http://127.0.0.1:{free_port()}",
        },
    )
    assert s2gos.code == 0, s2gos


def test_changing_auth_type_drops_the_old_settings(offline_cli: Runner, home: Path) -> None:
    path = home / ".sen4cap" / "config"
    assert (
        offline_cli(
            "configure", "--auth-type", "basic", "--username", "bob", "--password", "pw"
        ).code
        == 0
    )
    assert offline_cli("configure", "--auth-type", "bearer", "--token", "tok").code == 0
    assert read(path)["auth"] == {"type": "bearer", "token": "tok"}
    assert offline_cli("configure", "--auth-type", "none").code == 0
    assert "auth" not in read(path)
    assert "tok" not in path.read_text(encoding="utf-8")


def test_secrets_go_to_the_keyring_when_there_is_one(home: Path) -> None:
    secrets = home / "keyring.json"
    run = make_runner(
        home,
        PYTHON_KEYRING_BACKEND="file_keyring.FileKeyring",
        PYTHONPATH=str(Path(__file__).parent / "keyring_backend"),
        FILE_KEYRING_PATH=str(secrets),
    )
    result = run("configure", "--auth-type", "bearer", "--token", "t0ps3cret")
    assert result.code == 0, result
    path = home / ".sen4cap" / "config"
    assert "t0ps3cret" not in path.read_text(encoding="utf-8")
    assert read(path)["auth"] == {"type": "bearer", "keyring": True}
    assert "t0ps3cret" in secrets.read_text(encoding="utf-8")
