"""Commands about the service and its processes."""

from __future__ import annotations

import sys
from typing import Any

import typer

from ..errors import EXIT_USER
from ..inputs import resolve_request
from ..render import OutputFormat, output
from .options import (
    ConfigOption,
    FormatOption,
    InputOption,
    ProcessIdArgument,
    RequestOption,
    RequestProcessIdArgument,
    session_of,
)


def list_processes(
    ctx: typer.Context, config: ConfigOption = None, format: FormatOption = OutputFormat.yaml
) -> None:
    """List available processes.

    Every page of the server's list is fetched.

    Alias: `lp`.
    """
    with session_of(ctx).client(config) as client:
        output(client.get_processes(all_pages=True), format, "processes")


def get_process(
    ctx: typer.Context,
    process_id: ProcessIdArgument,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Get process details.

    Alias: `gp`.
    """
    with session_of(ctx).client(config) as client:
        output(client.get_process(process_id), format, "process")


def create_request(
    ctx: typer.Context,
    process_id: ProcessIdArgument,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Create an execution request (template) for a given process.

    The template holds every input with its default value, the first value of
    an enumeration, or an empty value of its type (nested members too), and the
    process id. Save it, edit it and pass it to `execute-process --request FILE`.

    Alias: `cr`.
    """
    with session_of(ctx).client(config) as client:
        template = client.create_request(process_id)
    output({"process_id": process_id, **template.to_dict()}, format, "request")


def validate_request(
    ctx: typer.Context,
    process_id: RequestProcessIdArgument = None,
    request: RequestOption = None,
    inputs: InputOption = None,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Validate a process execution request.

    The request is checked against the input descriptions of the process:
    types, limits, enumerations, required and unknown inputs. Every problem is
    printed with its path; the exit code is 1 if the request is invalid.
    `validate-request FILE` takes the process id from the file.

    Alias: `vr`.
    """
    process_id, body = resolve_request(process_id, request, inputs)
    with session_of(ctx).client(config) as client:
        problems = client.validate_request(process_id, body)
    report = {
        "valid": not problems,
        "problems": [_problem(problem) for problem in problems],
    }
    if format is OutputFormat.yaml and not problems:
        print(f"Request is valid for process {process_id}.")
    else:
        output(report, format, "problems")
    if problems:
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        print(f"Error: Request is invalid: {count} {noun}.", file=sys.stderr)
        raise typer.Exit(EXIT_USER)


def get_capabilities(
    ctx: typer.Context, config: ConfigOption = None, format: FormatOption = OutputFormat.yaml
) -> None:
    """Get the service's landing page (its capabilities)."""
    with session_of(ctx).client(config) as client:
        output(client.get_capabilities(), format, "capabilities")


def get_conformance(
    ctx: typer.Context, config: ConfigOption = None, format: FormatOption = OutputFormat.yaml
) -> None:
    """Get the conformance classes the service implements."""
    with session_of(ctx).client(config) as client:
        output(client.get_conformance(), format, "conformance")


def _problem(problem: Any) -> dict[str, str]:
    """A validation problem, given as ``(path, message)`` or an object with both."""
    if isinstance(problem, tuple | list):
        path, message = problem
    else:
        path, message = problem.path, problem.message
    return {"path": str(path), "message": str(message)}
