"""The CLI follows jobs by their event stream and names callbacks (``--subscriber-*``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.callbacks.receiver import CallbackReceiver
from tests.cli.conftest import Runner, make_runner
from tests.live_server import run_server

REQUEST_LINE = re.compile(r'"(GET|POST|DELETE|PUT|HEAD|OPTIONS) (\S+) HTTP/[\d.]+"')


@pytest.mark.slow
def test_wait_on_a_30_s_job_makes_three_requests(tmp_path: Path, home: Path) -> None:
    with run_server(tmp_path / "jobs.db", "--workers", "1", "--access-log") as server:
        before = len(REQUEST_LINE.findall(server.log()))  # the readiness probes
        run = make_runner(home, SEN4CAP_API_URL=server.url)
        result = run("ep", "sleep_a_while", "-i", "duration=30", "--wait")
        assert result.code == 0, result
        assert float(result.yaml()["return_value"]) >= 30
        requests = REQUEST_LINE.findall(server.log())[before:]
    methods_paths = [(method, path.split("?")[0]) for method, path in requests]
    assert len(methods_paths) <= 3, methods_paths
    assert methods_paths[0] == ("POST", "/processes/sleep_a_while/execution")
    job_path = methods_paths[1][1]
    assert methods_paths[1][0] == "GET" and job_path.endswith("/events")
    assert methods_paths[2] == ("GET", job_path.replace("/events", "/results"))
    # the progress the stream brought, one line each (not a terminal)
    assert "running 50%" in result.stderr and "successful 100%" in result.stderr


def test_subscriber_options_name_the_callbacks(tmp_path: Path, home: Path) -> None:
    receiver = CallbackReceiver().start()
    allow = ("--allow-input-host", "127.0.0.1")  # the receiver, on loopback
    with run_server(tmp_path / "jobs.db", "--workers", "1", *allow) as server:
        cli = make_runner(home, SEN4CAP_API_URL=server.url)
        _run_with_subscribers(cli, receiver, tmp_path)


def _run_with_subscribers(cli: Runner, receiver: CallbackReceiver, tmp_path: Path) -> None:
    try:
        request = tmp_path / "request.json"
        request.write_text('{"inputs": {"duration": 0.2}, "subscriber": {"failedUri": "x"}}')
        result = cli(
            "ep",
            "sleep_a_while",
            "--request",
            str(request),
            "--subscriber-success",
            receiver.url("cli/success"),
            "--subscriber-failed",
            receiver.url("cli/failed"),
            "--subscriber-progress",
            receiver.url("cli/progress"),
            "--wait",
        )
        assert result.code == 0, result
        receiver.wait(lambda: bool(receiver.of("cli", "success")), 60, "the success callback")
        assert receiver.of("cli", "progress")
        assert not receiver.of("cli", "failed")
    finally:
        receiver.stop()


def test_a_subscriber_the_server_refuses_is_an_api_error(cli: Runner) -> None:
    result = cli("ep", "sleep_a_while", "--subscriber-success", "not a url")
    assert result.code == 2, result
    assert "subscriber.successUri" in result.stderr
    loopback = cli("ep", "sleep_a_while", "--subscriber-failed", "http://127.0.0.1:9/hook")
    assert loopback.code == 2, loopback  # not allowed on this server
    assert "subscriber.failedUri" in loopback.stderr
