"""Errors: one clear line on stderr, the server's details, the documented exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Runner, make_runner
from tests.live_server import LiveServer, free_port, run_server

CP1252 = {"PYTHONIOENCODING": "cp1252"}


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def test_remote_api_error_exit_2_with_problem_details(cli: Runner) -> None:
    result = cli("get-process", "no_such_process")
    assert result.code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ") and "no_such_process" in lines[0]
    assert lines[1] == "Server-side error details:"
    assert "  status: 404" in lines
    assert any(line.startswith("  type: ") for line in lines)
    assert "Traceback" not in result.stderr


def test_network_error_exit_3(home: Path) -> None:
    run = make_runner(home, SEN4CAP_API_URL=f"http://127.0.0.1:{free_port()}")
    result = run("list-processes")
    assert result.code == 3, result
    assert len(error_lines(result.stderr)) == 1
    assert "could not connect" in result.stderr
    assert "Traceback" not in result.stderr


def test_traceback_flag_shows_local_traceback_and_exits_1(home: Path) -> None:
    run = make_runner(home, SEN4CAP_API_URL=f"http://127.0.0.1:{free_port()}")
    for args in (["--traceback", "lp"], ["lp", "--tb"]):
        result = run(*args)
        assert result.code == 1, result
        assert "Traceback (most recent call last)" in result.stderr
        assert len(error_lines(result.stderr)) == 1


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_errors_print_on_a_limited_console(cli: Runner, encoding: str) -> None:
    result = cli(
        "get-process", "prozeß-✓-❌", env={"PYTHONIOENCODING": encoding}, encoding=encoding
    )
    assert result.code == 2, result
    assert "UnicodeEncodeError" not in result.stderr
    first = error_lines(result.stderr)[0]
    # what the console cannot show is replaced (stderr: by escapes, as Python does)
    assert "proze" in first and ("\\u2713" in first or "?" in first), first


def test_outputs_print_on_a_cp1252_console(cli: Runner) -> None:
    text = "Zürich ✓ ❌"
    for fmt in ("yaml", "json", "table"):
        result = cli(
            "ep",
            "echo",
            "-i",
            f"string_input={text}",
            "--wait",
            "-f",
            fmt,
            env=CP1252,
            encoding="cp1252",
        )
        assert result.code == 0, result
        if fmt == "json":
            assert result.json()["string_input"] == text  # escaped, so lossless
        elif fmt == "yaml":
            assert result.yaml()["string_input"] == text
        else:
            assert "Zürich ? ?" in result.stdout


def test_utf8_request_on_stdin_of_a_cp1252_console(cli: Runner, home: Path) -> None:
    body = '\ufeff{"inputs": {"string_input": "Zürich ✓"}}'  # with a BOM, as Notepad writes
    result = cli(
        "ep", "echo", "-r", "-", "--wait", "-f", "json", input=body, env=CP1252, encoding="cp1252"
    )
    assert result.code == 0, result
    assert result.json()["string_input"] == "Zürich ✓"
    request = home / "request.json"
    request.write_text(body, encoding="utf-8")
    from_file = cli(
        "ep", "echo", "-r", str(request), "--wait", "-f", "json", env=CP1252, encoding="cp1252"
    )
    assert from_file.json()["string_input"] == "Zürich ✓"


def test_user_errors_exit_1(cli: Runner, home: Path) -> None:
    missing = cli("ep", "primes_between", "--request", str(home / "nope.yaml"))
    assert missing.code == 1 and "Request file not found" in missing.stderr
    bad_input = cli("ep", "primes_between", "-i", "min_val")
    assert bad_input.code == 1 and "expected NAME=VALUE" in bad_input.stderr
    for result in (missing, bad_input):
        assert len(error_lines(result.stderr)) == 1
        assert result.stdout == ""


def test_invalid_request_rejected_by_server_exit_2(cli: Runner) -> None:
    result = cli("ep", "primes_between", "-i", "min_val=-5")
    assert result.code == 2, result
    assert "Server-side error details:" in result.stderr
    assert "  status: 400" in result.stderr.splitlines()


def test_broken_config_file_exit_1(cli: Runner, home: Path) -> None:
    config = home / "broken.yaml"
    config.write_text("api_url: [unclosed\n", encoding="utf-8")
    result = cli("lp", "--config", str(config))
    assert result.code == 1, result
    assert str(config) in error_lines(result.stderr)[0]


def test_server_traceback_shown_with_traceback_flag(tmp_path: Path, home: Path) -> None:
    with run_server(tmp_path / "debug.db", "--workers", "1", "--debug") as server:
        run = make_runner(home, SEN4CAP_API_URL=server.url)
        failed = run("ep", "sleep_a_while", "-i", "duration=0.1", "-i", "fail=true", "--wait")
        assert failed.code == 2
        assert "The server sent a traceback: run with --traceback to see it." in failed.stderr
        job_id = failed.stderr.split("Error: Job ", 1)[1].split()[0]
        result = run("get-job-results", job_id, "--traceback")
        assert result.code == 1, result
        assert "Traceback (most recent call last)" in result.stderr  # local
        server_part = result.stderr.split("Server traceback:", 1)[1]
        assert "RuntimeError: Woke up too early" in server_part


def test_shared_server_is_untouched(live_server: LiveServer) -> None:
    assert live_server.process.poll() is None
