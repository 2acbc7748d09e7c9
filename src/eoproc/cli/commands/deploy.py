"""Commands that deploy, replace and undeploy processes (OGC API - Processes - Part 2)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..render import OutputFormat, output
from .options import ConfigOption, FormatOption, ProcessIdArgument, session_of

PackageArgument = Annotated[
    Path,
    typer.Argument(
        metavar="PACKAGE",
        help="A CWL document (app.cwl, YAML or JSON) or an OGC Application Package (*.json).",
        exists=True,
        dir_okay=False,
        readable=True,
        show_default=False,
    ),
]
WorkflowOption = Annotated[
    str | None,
    typer.Option("--workflow", "-w", help="The process to deploy of a CWL $graph (default: main)."),
]


def deploy_process(
    ctx: typer.Context,
    package: PackageArgument,
    process_id: Annotated[
        str | None, typer.Option("--id", help="Deploy the process under this id.")
    ] = None,
    workflow: WorkflowOption = None,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Deploy a process from a package.

    The server must allow deployment (OGC API - Processes - Part 2) and you need
    its deployer role. The summary of the new process is printed.
    """
    with session_of(ctx).client(config) as client:
        summary = client.deploy_process(package, process_id=process_id, w=workflow)
    output(summary, format, "process")


def replace_process(
    ctx: typer.Context,
    process_id: ProcessIdArgument,
    package: PackageArgument,
    workflow: WorkflowOption = None,
    config: ConfigOption = None,
) -> None:
    """Replace a deployed process.

    PACKAGE is the new version of its application package.
    """
    with session_of(ctx).client(config) as client:
        client.replace_process(process_id, package, w=workflow)
    print(f"Process {process_id} replaced.", file=sys.stderr)


def undeploy_process(
    ctx: typer.Context, process_id: ProcessIdArgument, config: ConfigOption = None
) -> None:
    """Undeploy a deployed process.

    The server refuses while the process has queued or running jobs: dismiss them first.
    """
    with session_of(ctx).client(config) as client:
        client.undeploy_process(process_id)
    print(f"Process {process_id} undeployed.", file=sys.stderr)
