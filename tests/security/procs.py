"""Processes of the security tests (importable, so spawned workers can unpickle them)."""

from __future__ import annotations

import time
from typing import Any

from typing_extensions import TypedDict

from eoproc.models import Link
from eoproc.processes import JobContext, ProcessRegistry

registry = ProcessRegistry()


@registry.process
def echo(text: str | None = None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Returns what it was given."""
    return {"text": text, "data": data}


@registry.process
def nap(seconds: float = 1.0) -> float:
    """Sleeps (without checking cancellation) and returns the seconds."""
    time.sleep(seconds)
    return seconds


class Written(TypedDict):
    report: Link


@registry.process
def write_file(ctx: JobContext) -> Written:
    """Writes a file output."""
    (ctx.output_dir / "report.txt").write_text("all good\n")
    return {"report": Link(href="report.txt", type="text/plain", rel="enclosure")}


@registry.process
def launch(code: str = "go") -> str:
    """A process only some roles may run."""
    return code


#: The processes the fuzzing run may call: quick ones only.
quick = ProcessRegistry()
quick.process(echo)
quick.process(write_file)
quick.process(launch)
