"""Processes for the replica tests: each run leaves a file, so runs can be counted."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from eoproc.models import Link
from eoproc.processes import JobContext, ProcessRegistry

RUN_LOG = "EOPROC_TEST_RUN_LOG"
"""Environment variable naming the directory where each run leaves ``TAG.PID.UUID``."""

registry = ProcessRegistry()


@registry.process
def record(tag: str, seconds: float = 0.0) -> str:
    """Leaves a file named after ``tag`` as it starts, then sleeps ``seconds``."""
    (Path(os.environ[RUN_LOG]) / f"{tag}.{os.getpid()}.{uuid.uuid4().hex}").touch()
    time.sleep(seconds)
    return tag


@registry.process
def spin(ctx: JobContext, seconds: float = 60.0) -> int:
    """A busy loop that never checks for cancellation (reports its pid first)."""
    ctx.progress(0, f"pid {os.getpid()}")
    end = time.monotonic() + seconds
    count = 0
    while time.monotonic() < end:
        count += 1
    return count


@registry.process
def report(ctx: JobContext, text: str = "hello") -> Link:
    """Writes ``text`` to a result file."""
    (ctx.output_dir / "report.txt").write_text(text)
    return Link(href="report.txt", type="text/plain", rel="enclosure")
