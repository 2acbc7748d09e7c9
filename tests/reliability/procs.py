"""Processes of the reliability tests (importable: spawned workers unpickle them).

Each records every start as a file in the directory ``starts`` (a side channel that
survives worker and server deaths), named ``{tag}-{n}``; the ``*_work`` processes
also record the end of their work in :func:`ends_of` ``starts`` (so that the chaos
driver kills workers whose job still runs).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from eoproc.processes import ProcessRegistry

registry = ProcessRegistry()


def record_start(starts: str, tag: str) -> int:
    """Record one start of ``tag``; the number of starts so far (this one included)."""
    folder = Path(starts)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        try:
            with open(folder / f"{tag}-{n}", "x", encoding="utf-8") as file:
                file.write(str(os.getpid()))
            return n
        except FileExistsError:
            continue
    raise RuntimeError("too many starts")


def ends_of(starts: str | Path) -> Path:
    """The directory where the ``*_work`` processes record the end of a start."""
    folder = Path(starts)
    return folder.with_name(f"{folder.name}.ends")


def record_end(starts: str, tag: str, n: int) -> None:
    """Record that start ``n`` of ``tag`` has done its work."""
    folder = ends_of(starts)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{tag}-{n}").touch()


def payload(tag: str, size: int) -> str:
    """The result of a ``*_work`` job: ``size`` characters that depend on ``tag``."""
    return (f"{tag}." * (size // (len(tag) + 1) + 1))[:size]


def _die_before(starts: str, tag: str, deaths: int) -> None:
    if record_start(starts, tag) <= deaths:
        os.kill(os.getpid(), signal.SIGKILL)


@registry.process(retries=2)
def safe_flaky(starts: str, tag: str, deaths: int = 1, size: int = 10) -> str:
    """Retry-safe: its worker dies on the first ``deaths`` starts, then it returns ``size`` x."""
    _die_before(starts, tag, deaths)
    return "x" * size


@registry.process
def unsafe_flaky(starts: str, tag: str, deaths: int = 1) -> str:
    """At most once: its worker dies on the first ``deaths`` starts."""
    _die_before(starts, tag, deaths)
    return "ok"


@registry.process(retries=2)
def safe_work(starts: str, tag: str, seconds: float = 0.0, size: int = 10) -> str:
    """Retry-safe: records its start, works ``seconds``, returns ``size`` characters."""
    n = record_start(starts, tag)
    time.sleep(seconds)
    result = payload(tag, size)
    record_end(starts, tag, n)
    return result


@registry.process
def unsafe_work(starts: str, tag: str, seconds: float = 0.0, size: int = 10) -> str:
    """At most once: records its start, works ``seconds``, returns ``size`` characters."""
    n = record_start(starts, tag)
    time.sleep(seconds)
    result = payload(tag, size)
    record_end(starts, tag, n)
    return result
