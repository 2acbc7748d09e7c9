"""``ServerSettings``: given values over ``EOPROC_*`` over the config file over defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eoproc.server.auth import hash_key
from eoproc.server.settings import ServerSettings
from tests.server.test_cli import run_cli


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EOPROC_CONFIG", "EOPROC_PORT", "EOPROC_STORE", "EOPROC_API_KEYS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = ServerSettings()
    assert (settings.host, settings.port, settings.store) == ("127.0.0.1", 8008, None)
    assert settings.security().authenticated is False


def test_given_over_environment_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "server.toml"
    config.write_text('port = 9001\nstore = "file.db"\nworkers = 3\n')
    monkeypatch.setenv("EOPROC_CONFIG", str(config))
    monkeypatch.setenv("EOPROC_STORE", "env.db")
    settings = ServerSettings(port=9002)
    assert (settings.port, settings.store, settings.workers) == (9002, "env.db", 3)
    assert settings.service_options().given() == {"store_url": "env.db", "workers": 3}


def test_json_config_and_list_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = hash_key("k" * 32)
    config = tmp_path / "server.json"
    config.write_text(json.dumps({"api_keys": [f"{key}:alice:admin,ops"], "host": "0.0.0.0"}))
    monkeypatch.setenv("EOPROC_ALLOW_INPUT_HOSTS", "10.0.0.0/8,example.org  127.0.0.1")
    security = ServerSettings(config=config).security()
    assert [k.user.name for k in security.api_keys] == ["alice"]
    assert security.api_keys[0].user.roles == {"admin", "ops"}
    assert set(security.allow_input_hosts) == {"10.0.0.0/8", "example.org", "127.0.0.1"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"port": 0}, "port"),
        ({"host": "0.0.0.0"}, "without authentication"),
        ({"oidc_issuer": "https://id.example"}, "needs both"),
        ({"process_roles": ["nope"]}, "PROCESS=ROLE"),
        ({"config": "missing.toml"}, "does not exist"),
    ],
)
def test_wrong_settings_say_what_is_wrong(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ServerSettings(**values).security()  # type: ignore[arg-type]


def test_cli_reads_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "server.toml"
    config.write_text('host = "0.0.0.0"\n')
    result = run_cli("run", "--config", str(config))
    assert result.returncode == 1
    assert "refusing to serve 0.0.0.0" in result.stderr
    assert "Traceback" not in result.stderr
