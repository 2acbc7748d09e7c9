"""The ``show-app`` command (alias ``show``): open the server's web UI in a browser."""

from __future__ import annotations

import webbrowser
from typing import Annotated
from urllib.parse import quote

import typer

from ..errors import EXIT_USER
from .options import ConfigOption, session_of


def show_app(
    ctx: typer.Context,
    config: ConfigOption = None,
    process: Annotated[
        str | None,
        typer.Option("--process", "-p", metavar="PROCESS_ID", help="Open this process's page."),
    ] = None,
    job: Annotated[
        str | None, typer.Option("--job", "-j", metavar="JOB_ID", help="Open this job's page.")
    ] = None,
    jobs: Annotated[bool, typer.Option("--jobs", help="Open the list of jobs.")] = False,
) -> None:
    """Open the configured server's web UI in the default browser.

    The page's URL is printed too. The browser asks for an API key or token
    itself when the server needs one (it is never put in the URL). The
    `BROWSER` environment variable chooses the browser, as Python's
    `webbrowser` module documents.

    Alias: `show`.
    """
    if sum(bool(x) for x in (process, job, jobs)) > 1:
        typer.echo("Give at most one of --process, --job and --jobs.", err=True)
        raise typer.Exit(EXIT_USER)
    url = session_of(ctx).load_config(config).api_url
    if process:
        url += f"processes/{quote(process, safe='')}"
    elif job:
        url += f"jobs/{quote(job, safe='')}"
    elif jobs:
        url += "jobs"
    typer.echo(url)
    if not webbrowser.open(url):
        typer.echo("No web browser could be opened: open the URL above yourself.", err=True)
        raise typer.Exit(EXIT_USER)
