"""The ``generate-client`` command: a typed Python client for the server's processes."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UserError
from ..session import CliSpec
from .options import ConfigOption, session_of


def generate_client(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            dir_okay=False,
            help="Write the module to this file (default: standard output).",
        ),
    ] = None,
    class_name: Annotated[
        str,
        typer.Option("--class-name", metavar="NAME", help="Name of the generated client class."),
    ] = "ProcessesClient",
    base_module: Annotated[
        str | None,
        typer.Option(
            "--base-module",
            metavar="MODULE",
            help="Module whose Client and AsyncClient the classes extend "
            "(default: this tool's own client package).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Generate a typed Python client for the server's processes.

    Writes a module with a `Client` subclass that has one method per process
    (typed parameters, defaults, enums as `Literal`, docstrings, typed results)
    and its `AsyncClient` twin. It passes `mypy --strict`; regenerating it from
    the same server gives the same file.
    """
    from eoproc.client.codegen import generate_client as generate

    if not class_name.isidentifier():
        raise UserError(f"--class-name must be a Python identifier, not {class_name!r}")
    session = session_of(ctx)
    module = base_module or client_module(session.spec)
    with session.client(config) as client:
        summaries = client.get_processes(all_pages=True).processes
        processes = [client.get_process(summary.id) for summary in summaries]
        title = client.get_capabilities().title or "an OGC API - Processes service"
        source = generate(
            processes,
            class_name_=class_name,
            base_module=module,
            title=title,
            url=client.api_url,
            command=f"{session.spec.name} generate-client",
        )
    if output is None:
        sys.stdout.write(source)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(source, encoding="utf-8", newline="\n")
    print(f"Client of {len(processes)} processes written to {output}", file=sys.stderr)


def client_module(spec: CliSpec) -> str:
    """The package of the tool's own ``Client`` (``sen4cap_client``), else ``eoproc.client``."""
    name = spec.name.replace("-", "_")
    try:
        package = importlib.import_module(name)
    except ImportError:
        return "eoproc.client"
    return (
        name if hasattr(package, "Client") and hasattr(package, "AsyncClient") else "eoproc.client"
    )
