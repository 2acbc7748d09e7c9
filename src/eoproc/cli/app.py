"""``new_cli``: build a branded OGC API - Processes command-line client."""

import importlib
import sys
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Annotated, Any

import typer
from typer import Abort, Exit
from typer._click import Command, Context
from typer._click.exceptions import ClickException
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info
from typer.models import CommandInfo

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

# (command name, alias or None, module of eoproc.cli.commands), in the order of
# the help page; the function is the command name with underscores.
COMMANDS: list[tuple[str, str | None, str]] = [
    ("configure", None, "configure"),
    ("list-processes", "lp", "processes"),
    ("get-process", "gp", "processes"),
    ("create-request", "cr", "processes"),
    ("validate-request", "vr", "processes"),
    ("execute-process", "ep", "jobs"),
    ("list-jobs", "lj", "jobs"),
    ("get-job", "gj", "jobs"),
    ("dismiss-job", "dj", "jobs"),
    ("get-job-results", "gjr", "jobs"),
    ("get-capabilities", None, "processes"),
    ("get-conformance", None, "processes"),
    ("generate-client", None, "codegen"),
    ("login", None, "login"),
    ("logout", None, "login"),
    ("show-app", "show", "show"),
    ("deploy-process", None, "deploy"),
    ("replace-process", None, "deploy"),
    ("undeploy-process", None, "deploy"),
]


TRACEBACK_FLAGS = ("--traceback", "--tb")
ALIASES = {alias: name for name, alias, _ in COMMANDS if alias}


class LazyCommands(MutableMapping[str, Command]):
    """The commands of :data:`COMMANDS`, each imported and built when first looked up.

    A run needs one command; typer would otherwise inspect every function
    (signatures, type hints, parameters) at every start.
    """

    def __init__(self, rich_markup_mode: Any) -> None:
        self._modules = {name: module for name, _alias, module in COMMANDS}
        self._built: dict[str, Command] = {}
        self._rich_markup_mode = rich_markup_mode

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            module = self._modules[name]  # KeyError for unknown names, as a dict
            functions = importlib.import_module(f".commands.{module}", __package__)
            function = getattr(functions, name.replace("-", "_"))
            info = CommandInfo(name=name, cls=CliCommand, callback=function)
            self._built[name] = get_command_from_info(
                info, pretty_exceptions_short=True, rich_markup_mode=self._rich_markup_mode
            )
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._modules.setdefault(name, "")
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._modules[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


class CliGroup(TyperGroup):
    """The top-level command: safe streams, documented exit codes, one error report.

    Aliases (``lp`` for ``list-processes``, ...) are resolved here, so that they
    work everywhere without being listed among the commands.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        added = dict(self.commands)  # commands registered on the app by its user
        self.commands = LazyCommands(self.rich_markup_mode)
        self.commands.update(added)

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

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
        no_args_is_help=True,
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
