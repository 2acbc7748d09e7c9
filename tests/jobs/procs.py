"""Processes for the job-service tests (importable, so spawned workers can unpickle them)."""

from __future__ import annotations

import os
import subprocess
import time

from typing_extensions import TypedDict

from eoproc.models import Link
from eoproc.processes import JobContext, ProcessRegistry

registry = ProcessRegistry()


@registry.process
def add(a: int, b: int = 0) -> int:
    """Adds two numbers."""
    return a + b


@registry.process
def whoami() -> int:
    """The pid of the worker process running the job."""
    return os.getpid()


@registry.process
def nap(seconds: float = 1.0) -> float:
    """Sleeps without ever checking for cancellation."""
    time.sleep(seconds)
    return seconds


@registry.process
def spin(ctx: JobContext, seconds: float = 60.0) -> int:
    """A CPU-bound loop that never checks for cancellation (reports its pid first)."""
    ctx.progress(0, f"pid {os.getpid()}")
    end = time.monotonic() + seconds
    count = 0
    while time.monotonic() < end:
        count += 1
    return count


@registry.process
def report(ctx: JobContext, seconds: float = 30.0) -> str:
    """Reports progress at once, then sleeps."""
    ctx.progress(50, "half way")
    time.sleep(seconds)
    return "done"


@registry.process
def boom(message: str = "it went wrong") -> int:
    """Always fails."""
    raise ValueError(message)


@registry.process
def big(count: int = 50_000) -> list[int]:
    """A large output (kept in a file)."""
    return list(range(count))


class Stats(TypedDict):
    mean: float
    maximum: float


@registry.process
def stats(values: list[float]) -> Stats:
    """Two outputs, to request one of them."""
    return {"mean": sum(values) / len(values), "maximum": max(values)}


@registry.process
def crash(code: int = 3) -> int:
    """Ends its worker process abruptly."""
    os._exit(code)


class Written(TypedDict):
    report: Link
    folder: Link


@registry.process
def write_files(ctx: JobContext) -> Written:
    """Writes a file and a directory into the job's output directory and links them."""
    (ctx.output_dir / "report.txt").write_text("all good\n")
    folder = ctx.output_dir / "scene.zarr"
    folder.mkdir()
    (folder / "a.txt").write_text("a\n")
    return {
        "report": Link(href="report.txt", type="text/plain", rel="enclosure"),
        "folder": Link(href="scene.zarr", type="application/vnd+zarr", rel="enclosure"),
    }


@registry.process
def with_child(ctx: JobContext) -> int:
    """Starts a child process, reports both pids, then spins without checking cancellation."""
    child = subprocess.Popen(["sleep", "300"])
    ctx.progress(0, f"pids {os.getpid()} {child.pid}")
    while True:
        pass
