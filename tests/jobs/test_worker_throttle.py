"""The worker's progress throttle: a chatty process cannot flood the server."""

from __future__ import annotations

import os
import time
from typing import Any

from eoproc.jobs.messages import Progress
from eoproc.jobs.worker import PROGRESS_INTERVAL, _Worker


class Recorder:
    """Stands in for the worker's end of the pipe; records what is sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, message: Any) -> None:
        self.sent.append(message)


def test_progress_is_throttled_and_the_last_value_kept() -> None:
    conn = Recorder()
    worker = _Worker(registry=None, conn=conn, parent_pid=os.getppid())  # type: ignore[arg-type]
    worker.current = "job-1"
    began = time.monotonic()
    for i in range(20_000):
        worker.on_progress(i % 100, f"step {i}")
    elapsed = time.monotonic() - began
    assert 1 <= len(conn.sent) <= 2 + elapsed / PROGRESS_INTERVAL
    assert conn.sent[0] == Progress("job-1", 0, "step 0")

    with worker.lock:  # what the watchdog does: the last value goes out
        worker._flush_locked()
    assert conn.sent[-1] == Progress("job-1", 19_999 % 100, "step 19999")

    worker.current = None  # no job: nothing is sent
    count = len(conn.sent)
    worker.on_progress(5, "late")
    assert len(conn.sent) == count
