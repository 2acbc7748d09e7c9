"""What a new user of the CLI tripped over (issue 14), each as it was met."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli.conftest import Runner, make_runner
from tests.live_server import free_port

CP1252 = {"PYTHONIOENCODING": "cp1252"}


def test_a_missing_config_file_is_an_error_naming_it(offline_cli: Runner) -> None:
    result = offline_cli("list-processes", "-c", "missing.yaml")
    assert result.code == 1, result
    assert result.stderr.startswith("Error: ") and "missing.yaml" in result.stderr
    assert result.stdout == ""


def test_configure_may_create_the_file_it_is_given(offline_cli: Runner, home: Path) -> None:
    result = offline_cli(
        "configure", "-c", "new.yaml", "--api-url", "http://127.0.0.1:9/", "--no-prompt"
    )
    assert result.code == 0, result
    assert (home / "new.yaml").is_file()
    assert offline_cli("lp", "-c", "new.yaml").code == 3  # found; the server is not there


def test_create_request_writes_nested_defaults_and_the_process_id(cli: Runner, home: Path) -> None:
    result = cli("create-request", "primes_between")
    assert result.code == 0, result
    assert result.yaml() == {
        "process_id": "primes_between",
        "inputs": {"min_val": 0, "max_val": 100},
    }
    (home / "request.yaml").write_text(result.stdout, encoding="utf-8")

    validated = cli("validate-request", "request.yaml")  # FILE alone: the id comes from it
    assert validated.code == 0, validated
    assert validated.stdout == "Request is valid for process primes_between.\n"

    executed = cli("execute-process", "-r", "request.yaml", "-i", "max_val=20", "--wait")
    assert executed.code == 0, executed
    assert executed.yaml() == {"return_value": [2, 3, 5, 7, 11, 13, 17, 19]}

    bad = cli("validate-request", "-r", "request.yaml", "-i", "max_val=500")
    assert bad.code == 1 and "inputs.max_val" in bad.stdout, bad


def test_a_request_file_without_a_process_id_needs_one(cli: Runner, home: Path) -> None:
    (home / "inputs.yaml").write_text("min_val: 3\n", encoding="utf-8")
    result = cli("execute-process", "-r", "inputs.yaml")
    assert result.code == 1, result
    assert "Missing PROCESS_ID" in result.stderr
    assert cli("validate-request", "primes_between", "-r", "inputs.yaml").code == 0


def test_dismissing_twice_prints_a_note_and_exits_0(cli: Runner) -> None:
    job_id = cli("execute-process", "primes_between", "-f", "json").json()["jobID"]
    assert cli("get-job", job_id, "--watch").code == 0
    assert cli("dismiss-job", job_id).code == 0
    again = cli("dismiss-job", job_id)
    assert again.code == 0, again
    assert again.stderr == f"Note: job {job_id} was dismissed already.\n"
    assert again.yaml()["status"] == "dismissed"


def test_input_problems_are_listed_once(cli: Runner) -> None:
    result = cli("execute-process", "primes_between", "-i", "min_val=-3", "-i", "max_val=500")
    assert result.code == 2, result
    assert result.stderr.count("greater than or equal to 0") == 1, result.stderr
    assert result.stderr.count("less than or equal to 100") == 1, result.stderr
    assert "  problems:\n    - min_val: Input should be greater than or equal to 0\n" in (
        result.stderr
    )
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: ") and "(2 problems)" in first, first


def test_tracebacks_use_ascii_markers_on_a_legacy_console(home: Path) -> None:
    run = make_runner(home, SEN4CAP_API_URL=f"http://127.0.0.1:{free_port()}")
    result = run("--traceback", "lp", env=CP1252, encoding="cp1252")
    assert result.code == 1, result
    assert "Traceback (most recent call last)" in result.stderr
    assert "\\u2771" not in result.stderr and "\u2771" not in result.stderr
    assert any(line.startswith("| > ") for line in result.stderr.splitlines()), result.stderr


def test_yaml_on_a_legacy_console_prints_what_it_can(cli: Runner) -> None:
    result = cli(
        "execute-process",
        "echo",
        "-i",
        "string_input=München",
        "-i",
        'array_input=["Łódź"]',
        "--wait",
        env=CP1252,
        encoding="cp1252",
    )
    assert result.code == 0, result
    assert "string_input: München\n" in result.stdout  # cp1252 has ü
    assert '"\\u0141' in result.stdout  # it has no Ł: escaped, so nothing is lost
    assert yaml.safe_load(result.stdout)["array_input"] == ["Łódź"]
