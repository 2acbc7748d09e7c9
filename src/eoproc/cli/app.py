"""``new_cli``: build a branded OGC API - Processes command-line client."""

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer import Abort, Exit
from typer._click import Context
from typer._click.exceptions import ClickException
from typer.core import TyperCommand, TyperGroup

from . import commands
from .errors import EXIT_OK, EXIT_USER, report_error
from .helpfmt import print_help, print_usage_error
from .session import CliSpec, ProfileSource, Session
from .startup import console_script
from .streams import make_streams_safe

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

# (command name, alias or None, function), in the order of the help page.
COMMANDS: list[tuple[str, str | None, Any]] = [
    ("configure", None, commands.configure),
    ("list-processes", "lp", commands.list_processes),
    ("get-process", "gp", commands.get_process),
    ("create-request", "cr", commands.create_request),
    ("validate-request", "vr", commands.validate_request),
    ("execute-process", "ep", commands.execute_process),
    ("list-jobs", "lj", commands.list_jobs),
    ("get-job", "gj", commands.get_job),
    ("dismiss-job", "dj", commands.dismiss_job),
    ("get-job-results", "gjr", commands.get_job_results),
    ("get-capabilities", None, commands.get_capabilities),
    ("get-conformance", None, commands.get_conformance),
]


TRACEBACK_FLAGS = ("--traceback", "--tb")
ALIASES = {alias: name for name, alias, _ in COMMANDS if alias}


class CliGroup(TyperGroup):
    """The top-level command: safe streams, documented exit codes, one error report.

    Aliases (``lp`` for ``list-processes``, ...) are resolved here, so that they
    work everywhere without being listed among the commands.
    """

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        make_streams_safe()
        args = _traceback_first(sys.argv[1:] if args is None else list(args))
        try:
            result = super().main(
                args, prog_name or self.name, complete_var, standalone_mode=False, **extra
            )
            code = result if isinstance(result, int) else EXIT_OK
        except ClickException as error:
            code = _usage_error(error)
        except Abort:
            print("Aborted.", file=sys.stderr)
            code = EXIT_USER
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ClickException, Abort, Exit, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:
            session = ctx.obj if isinstance(ctx.obj, Session) else None
            show = session.show_traceback if session is not None else False
            raise Exit(report_error(error, show_traceback=show)) from error

    def format_help(self, ctx: Context, formatter: Any) -> None:
        print_help(ctx, self)


class CliCommand(TyperCommand):
    """A command whose help page is drawn like the top-level one."""

    def format_help(self, ctx: Context, formatter: Any) -> None:
        print_help(ctx, self)


def _traceback_first(args: list[str]) -> list[str]:
    """Move ``--traceback``/``--tb`` given after the command name to the front.

    It is an option of the tool, but users naturally add it at the end when
    they repeat a failed command (``sen4cap-client gjr JOB --traceback``).
    """
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in TRACEBACK_FLAGS]
    if not flags:
        return args
    rest = [arg for arg in args[:end] if arg not in TRACEBACK_FLAGS]
    return [flags[0], *rest, *args[end:]]


def _usage_error(error: ClickException) -> int:
    """Print a command-line usage error; exit 1 as documented (0 for bare help)."""
    if type(error).__name__ == "NoArgsIsHelpError":
        return EXIT_OK
    print_usage_error(error)
    return EXIT_USER


def new_cli(name: str, summary: str, version: str, profile: ProfileSource = None) -> typer.Typer:
    """A typer app named ``name`` for the OGC API - Processes service of ``profile``.

    ``profile`` is a ``ClientProfile`` (or a function returning one, to keep
    start-up fast); it decides the environment prefix, config file and default URL.
    """
    spec = CliSpec(name=name, summary=summary, version=version, profile=profile)

    def show_version(value: bool) -> None:
        if value:
            print(f"{spec.name} {spec.version}")
            raise Exit(EXIT_OK)

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
    ) -> None:
        ctx.obj = Session(spec=spec, show_traceback=traceback)

    app = typer.Typer(
        name=name,
        cls=CliGroup,
        help=HELP_TEMPLATE.format(name=name, summary=summary),
        no_args_is_help=True,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["--help"]},
    )
    app.callback()(root)
    for command_name, _alias, function in COMMANDS:
        app.command(command_name, cls=CliCommand)(function)
    return app


def run(app: typer.Typer) -> None:
    """Run ``app`` as a console script (see :mod:`eoproc.cli.startup` for what that adds)."""
    with console_script():
        app()
