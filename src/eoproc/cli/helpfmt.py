"""Help pages drawn with a few rich parts (fast to import, safe on any console)."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from typer import TyperException
from typer.core import TyperCommand, TyperGroup

from .streams import console

if TYPE_CHECKING:
    from rich.console import RenderableType

PANEL_STYLE = "dim"
NAME_STYLE = "bold cyan"


def print_help(ctx: Any, command: TyperCommand | TyperGroup) -> None:
    """Print the help page of ``command``: usage, description, arguments, options, commands.

    ``ctx`` is the command's click context (typer does not export its class).
    """
    from rich.padding import Padding
    from rich.text import Text

    out = console()
    out.print(Padding(Text(command.get_usage(ctx), style="bold"), 1))
    if command.help:
        text = inspect.cleandoc(command.help).split("\f", 1)[0]
        out.print(Padding(Text(text), (0, 1, 1, 1)))
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            arguments.append(_argument_row(param))
        else:
            record = param.get_help_record(ctx)
            if record is not None:
                options.append(record)
    if arguments:
        out.print(_panel("Arguments", arguments))
    if options:
        out.print(_panel("Options", options))
    if isinstance(command, TyperGroup):
        rows = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, sub.get_short_help_str(limit=200)))
        if rows:
            out.print(_panel("Commands", rows))


def _argument_row(param: Any) -> tuple[str, str]:
    name = param.metavar or param.name.upper()
    help_text = getattr(param, "help", None) or ""
    if param.required:
        help_text = f"{help_text}  [required]".strip()
    return name, help_text


def _panel(title: str, rows: list[tuple[str, str]]) -> RenderableType:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 1))
    table.add_column(style=NAME_STYLE, no_wrap=True)
    table.add_column()
    for name, help_text in rows:
        table.add_row(Text(name), Text(help_text))
    return Panel(table, title=title, title_align="left", border_style=PANEL_STYLE)


def print_usage_error(error: TyperException) -> None:
    """Print a command-line usage error: usage, a hint, and the message, on stderr.

    Click's usage errors carry the context they failed in (``ctx``), if any.
    """
    err = console(stderr=True)
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        err.print(ctx.get_usage(), markup=False, soft_wrap=True)
        err.print(
            f"Try '{ctx.command_path} --help' for help.", markup=False, soft_wrap=True, style="dim"
        )
    err.print(f"Error: {error.format_message()}", markup=False, soft_wrap=True, style="bold red")
