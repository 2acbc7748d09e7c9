"""Everything the CLI does to start fast, each with its reason (and nothing elsewhere).

The goal: a listing (``sen4cap-client list-processes``) at least 2.5 times
faster than the upstream ``cuiman list-processes`` (``bench/cli_startup.py``).
What a run needs decides what it imports; three measures remain beyond that:

1. **Commands are built on first use** (:func:`load_command`). A run needs one
   command; building all of them would import every module of
   :mod:`eoproc.cli.commands` (and what they import) and let typer inspect every
   function's signature at each start. This is click's "lazy loading of
   subcommands", on typer's public ``Typer.command`` and ``typer.main.get_command``.
2. **No garbage collection in a console script** (:func:`console_script`). A run
   is short and builds mostly long-lived objects (modules, classes, pydantic
   validators), so the cyclic collector has little to find, yet each full
   collection walks the whole heap (10-20 ms here, pydantic-core validators
   doubling it), and the interpreter's final collections at exit took ~0.08 s, a
   third of a listing on a 2-core machine. The console scripts therefore run with
   the collector off and freeze the heap before exit; a command that waits a long
   time turns it back on (:func:`collect_while_waiting`). Library users
   (``new_cli(...)`` in tests or notebooks) are not affected.
3. **Optional modules of httpx and httpcore stay out** (:data:`UNUSED_MODULES`).
   httpcore imports both its async back ends (trio, anyio) when the first client
   is built, and ``import httpx`` imports httpx's own command line (``httpx._main``:
   click, rich's syntax highlighting, pygments); each inside ``try: ... except
   ImportError``. The CLI drives the synchronous client only and is not the
   ``httpx`` script; where these are installed they cost ~0.05 s and ~0.07 s of
   CPU, together half of a listing. An entry of None in ``sys.modules`` is the
   import system's documented way to make an import fail, so both libraries skip
   them. No library code is replaced.

Modules only some commands need are imported in the functions that use them:
``rich`` (help pages, tables, progress), PyYAML, ``jsonschema``, ``eoproc.client``
(not needed for ``--help``) and the modules of the other commands
(``tests/cli/test_startup.py`` guards which modules a listing imports).
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from typer.core import MarkupMode, TyperCommand
from typer.main import get_command

from .commands import MODULES

UNUSED_MODULES = ("trio", "anyio", "httpx._main")
"""Modules a console script keeps out of the process (measure 3)."""

CommandT = TypeVar("CommandT", bound=TyperCommand)


def load_command(name: str, cls: type[CommandT], markup: MarkupMode) -> CommandT:
    """The command ``name`` of :mod:`eoproc.cli.commands`, imported and built now (measure 1)."""
    module = importlib.import_module(f"{__package__}.commands.{MODULES[name]}")
    app = typer.Typer(add_completion=False, rich_markup_mode=markup)
    app.command(name, cls=cls)(getattr(module, name.replace("-", "_")))
    command = get_command(app)  # one command: that command, not a group
    if not isinstance(command, cls):
        raise TypeError(f"{name}: typer built a {type(command).__name__}")
    return command


@contextmanager
def console_script() -> Iterator[None]:
    """The process settings of a console script, for the whole run (measures 2 and 3)."""
    for unused in UNUSED_MODULES:
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # the interpreter's exit then skips every object alive now


def collect_while_waiting() -> None:
    """Turn garbage collection back on for a long wait (a no-op outside a console script).

    The objects of the start-up are frozen first, so that the periodic
    collections of the wait do not walk them again.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
