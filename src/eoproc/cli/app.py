"""``new_cli``: build a branded OGC API - Processes command-line client."""

from typing import Annotated

import typer

from .errors import EXIT_OK
from .group import CliGroup
from .session import CliSpec, ProfileSource, Session
from .startup import console_script

HELP_TEMPLATE = """\
{summary}

`{name}` can be used to get the available processes, get process
details, execute processes, and manage the jobs originating from the latter. It
herewith resembles the core functionality of the OGC API - Processes, Part 1.
For details see https://ogcapi.ogc.org/processes/.

You can use shorter command name aliases, e.g., use command name `vr`
for `validate-request`, or `lp` for `list-processes`.

The tool's exit codes are as follows:

* `0` - normal exit
* `1` - user errors, argument errors
* `2` - remote API errors
* `3` - local network transport errors

If the `--traceback` flag is set, the original Python exception traceback
will be shown and the exit code will always be `1`.
Otherwise, only the error message is shown.
"""


# No ``from __future__ import annotations`` here: typer reads the annotations of
# ``root`` at run time, and they name ``show_version``, a local of ``new_cli``.


def new_cli(name: str, summary: str, version: str, profile: ProfileSource = None) -> typer.Typer:
    """A typer app named ``name`` for the OGC API - Processes service of ``profile``.

    ``profile`` is a ``ClientProfile`` (or a function returning one, to keep
    start-up fast); it decides the environment prefix, config file and default URL.
    The commands of :mod:`eoproc.cli.commands` come with it (see
    :class:`~eoproc.cli.group.CliGroup`); more may be added with ``app.command()``.
    """
    spec = CliSpec(name=name, summary=summary, version=version, profile=profile)

    def show_version(value: bool) -> None:
        if value:
            print(f"{spec.name} {spec.version}")
            raise typer.Exit(EXIT_OK)

    def root(
        ctx: typer.Context,
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                help="Show version and exit.",
                is_eager=True,
                callback=show_version,
            ),
        ] = False,
        traceback: Annotated[
            bool,
            typer.Option("--traceback", "--tb", help="Show server exception traceback, if any."),
        ] = False,
        api_url: Annotated[
            str | None,
            typer.Option(
                "--api-url",
                metavar="URL",
                help="URL of the service's API, instead of the configured one.",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        ctx.obj = Session(spec=spec, show_traceback=traceback, api_url=api_url)

    app = typer.Typer(
        name=name,
        cls=CliGroup,
        help=HELP_TEMPLATE.format(name=name, summary=summary),
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["--help"]},
    )
    app.callback()(root)
    return app


def run(app: typer.Typer) -> None:
    """Run ``app`` as a console script (see :mod:`eoproc.cli.startup` for what that adds)."""
    with console_script():
        app()
