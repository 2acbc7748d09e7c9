"""``show-app`` (alias ``show``) opens the server's UI in the browser ``BROWSER`` names.

The browser is a recording script (a real browser cannot be watched from a
console test): Python's ``webbrowser`` runs ``BROWSER`` with the URL, as it
would run ``firefox %s``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from tests.cli.conftest import Runner
from tests.live_server import LiveServer

RECORDER = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])"


def _browser(tmp_path: Path) -> tuple[str, Path]:
    script = tmp_path / "browser.py"
    script.write_text(RECORDER, encoding="utf-8")
    record = tmp_path / "opened.txt"
    return f"{sys.executable} {script} {record} %s", record


def test_show_opens_the_landing_page(cli: Runner, live_server: LiveServer, tmp_path: Path) -> None:
    browser, record = _browser(tmp_path)
    for script, command in (("eoproc", "show"), ("sen4cap-client", "show-app")):
        record.unlink(missing_ok=True)
        result = cli(command, script=script, env={"BROWSER": browser})
        assert result.code == 0, result
        opened = record.read_text(encoding="utf-8")
        assert opened == f"{live_server.url}/" == result.stdout.strip()
        page = httpx.get(opened, headers={"Accept": "text/html,*/*;q=0.8"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_show_a_process_or_a_job(cli: Runner, live_server: LiveServer, tmp_path: Path) -> None:
    browser, record = _browser(tmp_path)
    result = cli("show-app", "--process", "primes_between", script="s2gos-client",
                 env={"BROWSER": browser})  # fmt: skip
    assert result.code == 0, result
    assert record.read_text(encoding="utf-8") == f"{live_server.url}/processes/primes_between"
    result = cli("show", "--job", "a/b", env={"BROWSER": browser})
    assert record.read_text(encoding="utf-8") == f"{live_server.url}/jobs/a%2Fb"
    result = cli("show", "--jobs", "--job", "x", env={"BROWSER": browser})
    assert result.code == 1 and "at most one" in result.stderr


def test_show_without_a_browser(cli: Runner, live_server: LiveServer) -> None:
    result = cli("show", env={"BROWSER": "false %s"})
    assert result.code == 1
    assert result.stdout.strip() == f"{live_server.url}/"
    assert "No web browser could be opened" in result.stderr
