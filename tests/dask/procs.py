"""Processes for the Dask executor tests (importable on the Dask workers and their runners)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from eoproc.models import Link
from eoproc.processes import JobContext, ProcessRegistry

registry = ProcessRegistry()


@registry.process
def spin(ctx: JobContext, seconds: float = 120.0) -> int:
    """A CPU-bound loop that never checks for cancellation (reports its pid first)."""
    ctx.progress(0, f"pid {os.getpid()}")
    end = time.monotonic() + seconds
    count = 0
    while time.monotonic() < end:
        count += 1
    return count


@registry.process
def on_worker(ctx: JobContext, seconds: float = 5.0) -> float:
    """Reports the pid of the Dask worker running it, then sleeps (never checks cancellation)."""
    ctx.progress(0, f"worker pid {os.getppid()}")
    time.sleep(seconds)
    return seconds


@registry.process
def touch(path: str) -> str:
    """Creates the file ``path`` (to tell whether a job ran)."""
    Path(path).touch()
    return path


@registry.process
def crash(code: int = 3) -> int:
    """Ends its process at once with exit code ``code``."""
    os._exit(code)


@registry.process
def write_report(ctx: JobContext) -> Link:
    """Writes a file into the job's output directory and returns a link to it."""
    (ctx.output_dir / "report.txt").write_text("all good\n")
    return Link(href="report.txt", type="text/plain", rel="enclosure")
