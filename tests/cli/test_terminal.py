"""Interactive use on a terminal (a pseudo-terminal): prompts, progress bar, Ctrl-C."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pexpect
import yaml

from tests.cli.conftest import Runner, clean_env, script_path
from tests.live_server import LiveServer

TIMEOUT = 60


def spawn(home: Path, *args: str, **env: str) -> Any:
    """The CLI on a pseudo-terminal of 40 x 160 characters (a ``pexpect.spawn``)."""
    return pexpect.spawn(
        script_path("sen4cap-client"),
        list(args),
        env=clean_env(home, TERM="xterm", **env),
        encoding="utf-8",
        dimensions=(40, 160),
        timeout=TIMEOUT,
    )


def finish(child: Any) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


def test_configure_prompts_on_a_terminal(home: Path, live_server: LiveServer) -> None:
    child = spawn(home, "configure")
    child.expect("API URL")
    child.sendline(live_server.url)
    child.expect(r"Authentication \(none, basic")
    child.sendline("basic")
    child.expect("User name")
    child.sendline("bob")
    child.expect("Password")
    child.sendline("s3cret")
    child.expect("Client configuration written to (.*)\r\n")
    path = Path(child.match.group(1).strip())
    assert finish(child) == 0
    assert path == home / ".sen4cap" / "config"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert config["api_url"] == f"{live_server.url}/"
    assert config["auth"] == {"type": "basic", "username": "bob", "password": "s3cret"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # holds a secret, no keyring here


def test_configure_asks_again_for_an_unknown_auth_type(home: Path) -> None:
    child = spawn(home, "configure")
    child.expect("API URL")
    child.sendline("https://example.org/")
    child.expect("Authentication")
    child.sendline("kerberos")
    child.expect("Invalid authentication type 'kerberos'")
    child.expect("Authentication")
    child.sendline("token")  # an alias the client knows
    child.expect("Access token")
    child.sendline("abc")
    assert finish(child) == 0
    config = yaml.safe_load((home / ".sen4cap" / "config").read_text(encoding="utf-8"))
    assert config["auth"] == {"type": "bearer", "token": "abc"}


def test_configure_keeps_current_values_on_enter(home: Path, offline_cli: Runner) -> None:
    done = offline_cli(
        "configure",
        "--api-url",
        "https://example.org/api",
        "--auth-type",
        "bearer",
        "--token",
        "t0ken",
    )
    assert done.code == 0, done
    child = spawn(home, "configure")
    child.expect(r"API URL \[https://example.org/api/\]")
    child.sendline("")
    child.expect(r"\[bearer\]")
    child.sendline("")
    child.expect(r"Access token \(empty: keep the current one\)")
    child.sendline("")
    assert finish(child) == 0
    config = yaml.safe_load((home / ".sen4cap" / "config").read_text(encoding="utf-8"))
    assert config["api_url"] == "https://example.org/api/"
    assert config["auth"]["type"] == "bearer" and config["auth"]["token"] == "t0ken"


def test_wait_shows_a_progress_bar(home: Path, live_server: LiveServer) -> None:
    child = spawn(
        home, "ep", "sleep_a_while", "-i", "duration=1.5", "--wait", SEN4CAP_API_URL=live_server.url
    )
    child.expect(r"\(sleep_a_while\): running")
    child.expect(r"\(sleep_a_while\): successful 100% - Done")
    child.expect("100%")  # the bar's own figure
    child.expect(r"return_value: 1\.5")
    assert finish(child) == 0


def test_ctrl_c_while_waiting_offers_to_dismiss(
    home: Path, live_server: LiveServer, cli: Runner
) -> None:
    child = spawn(
        home, "ep", "sleep_a_while", "-i", "duration=60", "--wait", SEN4CAP_API_URL=live_server.url
    )
    child.expect(r"\(sleep_a_while\): running")
    child.sendintr()
    child.expect(r"Dismiss job (\S+)\? \[y/N\]")
    job_id = child.match.group(1)
    child.sendline("y")
    child.expect(f"Job {job_id} dismissed.")
    assert finish(child) == 130
    assert cli("get-job", job_id).yaml()["status"] == "dismissed"


def test_ctrl_c_and_no_keeps_the_job(home: Path, live_server: LiveServer, cli: Runner) -> None:
    child = spawn(home, "gj", _start(cli), "--watch", SEN4CAP_API_URL=live_server.url)
    child.expect(r"running")
    child.sendintr()
    child.expect(r"Dismiss job (\S+)\?")
    job_id = child.match.group(1)
    child.sendline("n")
    child.expect("keeps running")
    assert finish(child) == 130
    assert cli("get-job", job_id).yaml()["status"] in ("running", "accepted")
    assert cli("dismiss-job", job_id).code == 0


def _start(cli: Runner) -> str:
    result = cli("ep", "sleep_a_while", "-i", "duration=60", "-f", "json")
    assert result.code == 0, result
    job_id: str = result.json()["jobID"]
    return job_id
