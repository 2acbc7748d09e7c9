"""The top-level command of a CLI: commands on first use, aliases, one way to fail.

Built on typer's public ``TyperGroup``/``TyperCommand`` (passed as ``cls=``).
Click's exceptions are ``typer.TyperException``s since typer vendors click, so
the usage errors are caught by that public class.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any, cast

import typer
from typer.core import TyperCommand, TyperGroup

from .commands import ALIASES, MODULES
from .errors import EXIT_OK, EXIT_USER, report_error
from .helpfmt import print_help, print_usage_error
from .session import Session
from .startup import load_command
from .streams import make_streams_safe

TRACEBACK_FLAGS = ("--traceback", "--tb")

Command = TyperCommand | TyperGroup
"""What :meth:`CliGroup.get_command` returns: a command, or a group of them."""


class CliCommand(TyperCommand):
    """A command whose help page is drawn like the top-level one."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(ctx, self)


class CliGroup(TyperGroup):
    """The tool: the commands of :mod:`eoproc.cli.commands`, and those added to the app.

    Aliases (``lp`` for ``list-processes``, ...) are resolved here, so that they
    work everywhere without being listed among the commands. A run ends with
    the documented exit codes: usage errors 1, failures as :func:`report_error`
    decides.

    (``ctx`` and ``formatter`` are typed ``Any``: typer does not export the
    click classes it vendors.)
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # typer suggests among the commands built so far; this group, among all
        self.suggest_names, self.suggest_commands = self.suggest_commands, False

    def get_command(self, ctx: Any, cmd_name: str) -> Command | None:
        name = ALIASES.get(cmd_name, cmd_name)
        added = super().get_command(ctx, name)
        if added is not None:
            return cast(Command, added)  # typer builds them as TyperCommand/TyperGroup
        if name not in MODULES:
            return None
        command = load_command(name, CliCommand, self.rich_markup_mode)
        self.add_command(command, name)
        return command

    def list_commands(self, ctx: Any) -> list[str]:
        added = [name for name in super().list_commands(ctx) if name not in MODULES]
        return [*MODULES, *added]

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        """The command of ``args``; for an unknown one, a hint at the names close to it."""
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if self.suggest_names and matches:
                suggestions = ", ".join(repr(match) for match in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        make_streams_safe()
        args = traceback_first(sys.argv[1:] if args is None else list(args))
        try:
            result = super().main(
                args or ["--help"],  # no arguments: the help page, and exit 0
                prog_name or self.name,
                complete_var,
                standalone_mode=False,
                **extra,
            )
            code = result if isinstance(result, int) else EXIT_OK
        except typer.TyperException as error:  # click's usage errors, and typer's own
            print_usage_error(error)
            code = EXIT_USER
        except typer.Abort:
            print("Aborted.", file=sys.stderr)
            code = EXIT_USER
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Abort, typer.Exit, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as error:
            session = ctx.obj if isinstance(ctx.obj, Session) else None
            show = session.show_traceback if session is not None else False
            raise typer.Exit(report_error(error, show_traceback=show)) from error

    def format_help(self, ctx: Any, formatter: Any) -> None:
        print_help(ctx, self)


def traceback_first(args: list[str]) -> list[str]:
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
