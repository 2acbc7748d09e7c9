"""The global ``--api-url`` option and ``execute-process --sync``, against the live server."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner, make_runner
from tests.live_server import LiveServer, free_port


def test_api_url_beats_environment_and_config(home: Path, live_server: LiveServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"
    run = make_runner(home, EOPROC_API_URL=dead)
    assert run("list-processes", script="eoproc").code == 3  # the environment's URL: no server
    result = run("--api-url", live_server.url, "list-processes", "-f", "json", script="eoproc")
    assert result.code == 0, result
    assert "primes_between" in [p["id"] for p in result.json()["processes"]]
    branded = make_runner(home, SEN4CAP_API_URL=dead)
    assert branded("--api-url", live_server.url, "lp").code == 0


def test_api_url_must_be_a_url(offline_cli: Runner) -> None:
    result = offline_cli("--api-url", "ftp://nowhere", "lp")
    assert result.code == 1, result
    assert "api_url" in result.stderr and "Traceback" not in result.stderr


def test_execute_sync_prints_results(cli: Runner) -> None:
    result = cli(
        "ep", "primes_between", "-i", "min_val=10", "-i", "max_val=30", "--sync", "-f", "json"
    )
    assert result.code == 0, result
    assert result.json() == {"return_value": [11, 13, 17, 19, 23, 29]}


def test_sync_and_wait_exclude_each_other(cli: Runner) -> None:
    result = cli("ep", "primes_between", "--sync", "--wait")
    assert result.code == 1 and "--sync and --wait" in result.stderr, result
