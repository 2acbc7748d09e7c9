"""What a console script does, and only it, to start and end fast.

A command-line run is short and builds mostly long-lived objects (modules,
classes, pydantic validators), so the cyclic garbage collector has little to
find, yet each full collection walks the whole heap (10-20 ms here, pydantic-core
validators doubling it). The
console scripts therefore run with the collector off, and freeze the heap
before the interpreter exits, whose final collections would otherwise take
~0.08 s (a third of a listing's run on a 2-core machine). A command that waits
a long time turns the collector back on with :func:`collect_while_waiting`.

Library users (``new_cli(...)`` run in tests or notebooks) are not affected:
only :func:`eoproc.cli.run` uses :func:`console_script`.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Optional modules that httpx and httpcore import eagerly when they are installed,
# and this process never uses: httpcore's async back ends (trio, anyio; the command
# line drives the synchronous client only) and httpx's own command line
# (``httpx._main`` imports click, rich.syntax and pygments). Both libraries
# import them in ``try: ... except ImportError``, so an entry of None in
# ``sys.modules`` makes them skip each one.
UNUSED_MODULES = ("trio", "anyio", "httpx._main")


@contextmanager
def console_script() -> Iterator[None]:
    """The process settings of a console script, for the whole run."""
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
