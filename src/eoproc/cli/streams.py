"""Standard streams and rich consoles that never fail on encoding."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def make_streams_safe() -> None:
    """Let stdout and stderr replace characters their encoding cannot represent.

    A Windows console (or ``PYTHONIOENCODING=cp1252``) would otherwise raise
    ``UnicodeEncodeError`` on the first character outside its code page.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):  # a detached or closed stream
                stream.reconfigure(errors="replace")


def is_utf(stream: TextIO) -> bool:
    """Whether ``stream`` can write every character."""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding.startswith("utf")


def is_tty(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal."""
    try:
        return stream.isatty()
    except (ValueError, AttributeError):
        return False


def no_color() -> bool:
    """Whether the user asked for no colour (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def console(*, stderr: bool = False) -> Console:
    """A rich console on the current stdout (or stderr).

    Colour only on a terminal and never with ``NO_COLOR``; rich falls back to
    ASCII boxes when the stream's encoding cannot draw lines.
    """
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(
        file=stream,
        no_color=no_color(),
        highlight=False,
        markup=False,  # text from servers may hold [brackets]
        emoji=False,
        soft_wrap=False,
    )
