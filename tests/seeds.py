"""The two seed documents (``seeds/`` beside the project): where they are, and their cells.

The tests replay the seeds' cells from copies in the tests themselves (a fresh clone
has no ``../shared``); where the documents are there (``EOPROC_SEEDS_DIR``, default
``../shared/seeds``), :func:`seed_cells` reads them, so that the tests check that
their copies are verbatim.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
_PROMPT = re.compile(r"^In \[[^\]]*\]:$")


def seeds_dir() -> Path | None:
    """The folder of the seed documents, if it is there."""
    folder = Path(os.environ.get("EOPROC_SEEDS_DIR") or DEFAULT_SEEDS_DIR)
    return folder if folder.is_dir() else None


def seed_cells(name: str) -> list[str] | None:
    """The code cells (``In [..]:`` up to the first blank line) of the seed ``name``
    (a file name prefix, e.g. ``"004"``), or None where the seeds are not there."""
    folder = seeds_dir()
    if folder is None:
        return None
    (path,) = folder.glob(f"{name}_*.txt")
    cells: list[str] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if _PROMPT.match(line):
            current = []
            continue
        if current is None:
            continue
        if line.strip():
            current.append(line)
            continue
        if current:
            cells.append("\n".join(current))
        current = None
    if current:
        cells.append("\n".join(current))
    return cells


def seed_commands(name: str) -> list[str] | None:
    """The shell commands (``!cmd``) of the seed ``name`` in order, once each."""
    folder = seeds_dir()
    if folder is None:
        return None
    (path,) = folder.glob(f"{name}_*.txt")
    commands: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("!") and (not commands or commands[-1] != line[1:]):
            commands.append(line[1:])
    return commands
