"""Help pages, version, aliases and usage errors (no server needed)."""

from __future__ import annotations

import re

import pytest

from eoproc import __version__
from eoproc.cli.group import traceback_first
from tests.cli.conftest import Runner

# The commands of the seed's help page, in its order, with their one-line help.
SEED_COMMANDS = [
    ("configure", "Configure the client tool."),
    ("list-processes", "List available processes."),
    ("get-process", "Get process details."),
    ("create-request", "Create an execution request (template) for a given"),
    ("validate-request", "Validate a process execution request."),
    ("execute-process", "Execute a process in asynchronous mode."),
    ("list-jobs", "List all jobs."),
    ("get-job", "Get job details."),
    ("dismiss-job", "Cancel a running or delete a finished job."),
    ("get-job-results", "Get job results."),
]
ALIASES = {
    "lp": "list-processes",
    "gp": "get-process",
    "cr": "create-request",
    "vr": "validate-request",
    "ep": "execute-process",
    "lj": "list-jobs",
    "gj": "get-job",
    "dj": "dismiss-job",
    "gjr": "get-job-results",
}


def panel(text: str, title: str) -> list[str]:
    """The inner lines of the help panel called ``title``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^\W+ {title} \W", line))
    inner = []
    for line in lines[start + 1 :]:
        if not re.match(r"^[|│]", line):
            break
        inner.append(line.strip("|│ "))
    return inner


def test_help_describes_tool_aliases_exit_codes_and_traceback(offline_cli: Runner) -> None:
    result = offline_cli("--help")
    assert result.code == 0, result
    text = " ".join(result.stdout.split())
    for expected in [
        "Usage: sen4cap-client [OPTIONS] COMMAND [ARGS]...",
        "Interact with the ESA Sen4CAP processing service.",
        "`sen4cap-client` can be used to get the available processes, get process details, "
        "execute processes, and manage the jobs originating from the latter.",
        "herewith resembles the core functionality of the OGC API - Processes, Part 1.",
        "For details see https://ogcapi.ogc.org/processes/.",
        "You can use shorter command name aliases, e.g., use command name `vr` "
        "for `validate-request`, or `lp` for `list-processes`.",
        "* `0` - normal exit",
        "* `1` - user errors, argument errors",
        "* `2` - remote API errors",
        "* `3` - local network transport errors",
        "If the `--traceback` flag is set, the original Python exception traceback "
        "will be shown and the exit code will always be `1`.",
        "Otherwise, only the error message is shown.",
    ]:
        assert expected in text
    options = "\n".join(panel(result.stdout, "Options"))
    for option in ["--version", "--traceback, --tb", "--install-completion", "--help"]:
        assert option in options
    assert "Show server exception traceback, if any." in options


def test_help_lists_commands_in_seed_order_without_aliases(offline_cli: Runner) -> None:
    result = offline_cli("--help")
    rows = panel(result.stdout, "Commands")
    names = [row.split()[0] for row in rows if row and not row.startswith(" ")]
    assert names[: len(SEED_COMMANDS)] == [name for name, _ in SEED_COMMANDS]
    assert set(names[len(SEED_COMMANDS) :]) == {
        "get-capabilities",
        "get-conformance",
        "generate-client",
        "login",
        "logout",
        "show-app",
        "deploy-process",
        "replace-process",
        "undeploy-process",
    }
    for name, help_text in SEED_COMMANDS:
        assert any(row.startswith(name) and help_text in row for row in rows), name
    assert not set(ALIASES) & set(names)


@pytest.mark.parametrize(("alias", "name"), sorted(ALIASES.items()))
def test_alias_runs_its_command_and_is_documented(
    offline_cli: Runner, alias: str, name: str
) -> None:
    by_alias = offline_cli(alias, "--help")
    by_name = offline_cli(name, "--help")
    assert by_alias.code == by_name.code == 0
    assert f"Alias: `{alias}`." in by_name.stdout

    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.splitlines()]

    assert lines(by_alias.stdout.replace(f" {alias} ", f" {name} ", 1)) == lines(by_name.stdout)


def test_every_command_takes_config_and_format(offline_cli: Runner) -> None:
    for name, _ in SEED_COMMANDS[1:]:
        text = offline_cli(name, "--help").stdout
        assert "--config" in text, name
        assert "--format" in text, name
    assert "--config" in offline_cli("configure", "--help").stdout


def test_version(offline_cli: Runner) -> None:
    result = offline_cli("--version")
    assert (result.code, result.stdout) == (0, f"sen4cap-client {__version__}\n")


def test_profiles_have_their_own_names_and_summaries(offline_cli: Runner) -> None:
    s2gos = offline_cli("--help", script="s2gos-client")
    assert "Usage: s2gos-client [OPTIONS]" in s2gos.stdout
    assert "Interact with the ESA DTE-S2GOS processing service." in s2gos.stdout
    generic = offline_cli("--help", script="eoproc")
    assert "Usage: eoproc [OPTIONS]" in generic.stdout
    assert "`eoproc` can be used to get the available processes" in generic.stdout


def test_no_arguments_shows_help(offline_cli: Runner) -> None:
    result = offline_cli()
    assert result.code == 0
    assert "Usage: sen4cap-client [OPTIONS] COMMAND" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "No such command 'nope'"),
        (["get-process"], "Missing argument 'PROCESS_ID'"),
        (["gjr"], "Missing argument 'JOB_ID'"),
        (["list-processes", "--format", "xml"], "'xml' is not one of 'yaml', 'json', 'table'"),
        (["list-jobs", "--limit", "0"], "Invalid value for '--limit'"),
        (["list-processes", "--bogus"], "No such option: --bogus"),
    ],
)
def test_usage_errors_exit_1(offline_cli: Runner, args: list[str], message: str) -> None:
    result = offline_cli(*args)
    assert result.code == 1, result
    assert message in " ".join(result.stderr.split())
    assert "Try 'sen4cap-client" in result.stderr
    assert result.stdout == ""


def test_help_prints_on_a_cp1252_console(offline_cli: Runner) -> None:
    result = offline_cli("--help", env={"PYTHONIOENCODING": "cp1252"}, encoding="cp1252")
    assert result.code == 0, result
    assert "+- Options -" in result.stdout  # boxes drawn with ASCII
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["gjr", "job_0", "--traceback"], ["--traceback", "gjr", "job_0"]),
        (["--tb", "gjr", "job_0"], ["--tb", "gjr", "job_0"]),
        (["ep", "p", "--tb", "-i", "a=1", "--tb"], ["--tb", "ep", "p", "-i", "a=1"]),
        (["ep", "p", "--", "--tb"], ["ep", "p", "--", "--tb"]),
        (["lp"], ["lp"]),
    ],
)
def test_traceback_flag_may_follow_the_command(args: list[str], expected: list[str]) -> None:
    assert traceback_first(args) == expected
