"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..render import OutputFormat
from ..session import Session

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        metavar="PATH",
        help="Configuration file to use instead of the tool's default one.",
        dir_okay=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", case_sensitive=False, help="Output format."),
]
ProcessIdArgument = Annotated[
    str, typer.Argument(metavar="PROCESS_ID", help="Process identifier.", show_default=False)
]
RequestProcessIdArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="[PROCESS_ID]",
        help="Process identifier (default: the request file's process_id); a request "
        "file (*.yaml, *.yml, *.json) may stand here instead of --request.",
        show_default=False,
    ),
]
JobIdArgument = Annotated[
    str, typer.Argument(metavar="JOB_ID", help="Job identifier.", show_default=False)
]
InputOption = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        metavar="NAME=VALUE",
        help=(
            "Process input; VALUE is parsed as JSON, else taken as text; "
            "`@FILE` reads it from a JSON or YAML file; dotted names nest (`bbox.crs=...`). "
            "Repeat for several inputs; overrides the request file."
        ),
    ),
]
RequestOption = Annotated[
    str | None,
    typer.Option(
        "--request",
        "-r",
        metavar="FILE",
        help="Execution request as YAML or JSON file, `-` for stdin.",
    ),
]


def session_of(ctx: typer.Context) -> Session:
    """The session the top-level command stored for this invocation."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Session):  # pragma: no cover - only when misused as a library
        raise RuntimeError("the command was invoked outside its CLI")
    return obj
