"""``new_cli`` and error reporting, in-process (typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from eoproc.cli import new_cli
from eoproc.cli.errors import RemoteError, UserError, exit_code_for, report_error
from eoproc.client import (
    ClientError,
    ClientProfile,
    ConfigError,
    JobFailedError,
    JobTimeoutError,
    TransportError,
)
from eoproc.models import ApiError, StatusInfo


@pytest.fixture
def acme(tmp_path: Path) -> typer.Typer:
    profile = ClientProfile(
        name="acme",
        env_prefix="ACME_",
        config_path=tmp_path / "acme.yaml",
        default_api_url="https://acme.example.org/ogc/",
    )
    return new_cli("acme-client", "Talk to the ACME service.", "9.9.9", profile)


def test_new_cli_brands_help_and_version(acme: typer.Typer) -> None:
    runner = CliRunner()
    help_page = runner.invoke(acme, ["--help"], prog_name="acme-client")
    assert help_page.exit_code == 0
    assert "Talk to the ACME service." in help_page.output
    assert "`acme-client` can be used to get the available processes" in help_page.output
    version = runner.invoke(acme, ["--version"])
    assert (version.exit_code, version.output) == (0, "acme-client 9.9.9\n")


def test_commands_added_to_the_app_join_the_tool(acme: typer.Typer) -> None:
    @acme.command("hello")
    def hello() -> None:
        """Say hello."""
        print("hello")

    runner = CliRunner()
    assert runner.invoke(acme, ["hello"]).output == "hello\n"
    help_page = runner.invoke(acme, ["--help"]).output
    assert "Say hello." in help_page
    assert help_page.index("get-conformance") < help_page.index("hello")


def test_new_cli_uses_the_profile(
    acme: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_API_URL", raising=False)
    result = CliRunner().invoke(acme, ["configure", "--no-prompt"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "acme.yaml"
    assert result.output == f"Client configuration written to {path}\n"
    assert path.read_text(encoding="utf-8") == "api_url: https://acme.example.org/ogc/\n"
    monkeypatch.setenv("ACME_API_URL", "https://other.example.org/")
    assert CliRunner().invoke(acme, ["configure", "--no-prompt"]).exit_code == 0
    assert "other.example.org" in path.read_text(encoding="utf-8")


def test_profile_may_be_given_as_a_function(tmp_path: Path) -> None:
    calls: list[int] = []

    def profile() -> ClientProfile:
        calls.append(1)
        return ClientProfile(name="lazy", env_prefix="LAZY_", config_path=tmp_path / "lazy")

    app = new_cli("lazy-client", "Lazy.", "1.0", profile)
    assert CliRunner().invoke(app, ["--help"]).exit_code == 0
    assert calls == []  # help needs no profile
    result = CliRunner().invoke(app, ["configure", "--no-prompt"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lazy").exists() and calls


def test_usage_errors_exit_1_in_process(acme: typer.Typer) -> None:
    runner = CliRunner()
    assert runner.invoke(acme, ["get-job"]).exit_code == 1
    assert runner.invoke(acme, ["frobnicate"]).exit_code == 1
    assert runner.invoke(acme, []).exit_code == 0


def test_unknown_command_suggests_among_all_commands(acme: typer.Typer) -> None:
    """Commands are built on first use; the suggestions still know every one."""
    result = CliRunner().invoke(acme, ["list-process"])
    assert result.exit_code == 1
    assert "No such command 'list-process'. Did you mean 'list-processes'" in result.output


def test_user_error_before_any_request(acme: typer.Typer) -> None:
    result = CliRunner().invoke(acme, ["ep", "primes_between", "-i", "=3"])
    assert result.exit_code == 1
    assert "Error: Invalid input '=3': expected NAME=VALUE" in result.output


def _status(state: str) -> StatusInfo:
    return StatusInfo.model_validate({"jobID": "job_1", "status": state, "message": "boom"})


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (UserError("bad"), 1),
        (ConfigError("bad file"), 1),
        (RemoteError("job failed"), 2),
        (ClientError(404, ApiError(type="about:blank", title="Not Found")), 2),
        (JobFailedError(_status("failed")), 2),
        (JobTimeoutError("job_1", 1.0), 2),
        (TransportError("connection refused"), 3),
        (RuntimeError("bug"), None),
    ],
)
def test_exit_codes(error: BaseException, code: int | None) -> None:
    assert exit_code_for(error) == code


def test_report_shows_problem_details_and_hints_at_server_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    problem = ApiError(
        type="https://example.org/problems/job-failed",
        title="Job failed",
        status=500,
        detail="ValueError: ✗ no data",
        traceback=["Traceback (most recent call last):", '  File "x.py", line 1', "ValueError"],
    )
    error = ClientError(500, problem)
    assert report_error(error, show_traceback=False) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"Error: {error}"
    assert lines[1:6] == [
        "Server-side error details:",
        "  type: https://example.org/problems/job-failed",
        "  title: Job failed",
        "  status: 500",
        "  detail: ValueError: ✗ no data",
    ]
    assert lines[-1] == "The server sent a traceback: run with --traceback to see it."

    try:
        raise error
    except ClientError as raised:
        assert report_error(raised, show_traceback=True) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.split("Server traceback:", 1)[1].splitlines()[1:4] == [
        "  Traceback (most recent call last):",
        '    File "x.py", line 1',
        "  ValueError",
    ]


def test_unexpected_errors_name_their_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_error(KeyError("x"), show_traceback=False) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: KeyError: 'x'",
        "This is unexpected: run with --traceback to see where it happened.",
    ]
