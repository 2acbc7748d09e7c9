"""The worker process: runs jobs from its parent, one at a time.

Started with the ``spawn`` context (a fresh interpreter: no inherited sockets
or signal handlers). It dies with its parent: ``PR_SET_PDEATHSIG`` on Linux,
and a watchdog thread that exits when the parent is gone.

It speaks the typed messages of :mod:`.messages` on its :mod:`.channel` (framed
pickles of any size): it takes :class:`Run`, :class:`Cancel` and :class:`Stop`, and
sends :class:`Ready` (or :class:`Fatal`), :class:`Started`, throttled
:class:`Progress`, and :class:`Report` s of the jobs that ended, each a
:class:`Done` carrying the job's :class:`Outcome`.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import pickle
import signal
import socket
import sys
import threading
import time
import traceback
from collections import deque
from pathlib import Path
from typing import Any

from .channel import BlockingChannel
from .messages import (
    Cancel,
    Done,
    Fatal,
    FromWorker,
    JobSpec,
    Outcome,
    Progress,
    Ready,
    Report,
    Run,
    Started,
    Status,
    Stop,
)
from .results import encode_results
from .store import now_us

__all__ = ["JobSpec", "worker_main"]

PROGRESS_INTERVAL = 0.05
"""Seconds between progress messages of one job (the last value is always sent)."""
OUTCOME_DELAY = 0.002
"""Seconds the outcomes of short jobs may wait to be sent together."""


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(0)


class _Worker:
    def __init__(self, registry: Any, conn: BlockingChannel, parent_pid: int) -> None:
        self.registry = registry
        self.conn = conn
        self.parent_pid = parent_pid
        self.queue: deque[JobSpec] = deque()
        self.skipped: list[str] = []
        self.lock = threading.Lock()
        self.current: str | None = None
        self.pending: Progress | None = None
        self.last_sent = 0.0
        self.outcomes: list[Done] = []
        self.outcomes_since = 0.0
        self.running: str | None = None

    def send(self, message: FromWorker) -> None:
        with self.lock:
            self.conn.send(message)

    # -- progress ------------------------------------------------------------------

    def on_progress(self, percent: int | None, message: str | None) -> None:
        job_id = self.current
        if job_id is None:
            return
        with self.lock:
            self.pending = Progress(job_id, percent, message)
            if time.monotonic() - self.last_sent >= PROGRESS_INTERVAL:
                self._flush_locked()

    def _flush_locked(self) -> None:
        if self.pending is not None and self.pending.job_id == self.current:
            self.conn.send(self.pending)
            self.last_sent = time.monotonic()
        self.pending = None

    def watchdog(self) -> None:
        """Send throttled progress and late outcomes; exit when the parent is gone."""
        while True:
            time.sleep(PROGRESS_INTERVAL)
            if os.getppid() != self.parent_pid:
                os._exit(1)
            with self.lock:
                if self.outcomes and time.monotonic() - self.outcomes_since >= OUTCOME_DELAY:
                    self._report_locked()
                if self.pending is not None:
                    self._flush_locked()

    def _report_locked(self) -> None:
        """Send the pending outcomes, and which job runs now."""
        skipped, self.skipped = self.skipped, []
        self.conn.send(Report(tuple(self.outcomes), self.running, tuple(skipped)))
        self.outcomes = []

    # -- jobs ----------------------------------------------------------------------

    def handle(self, message: Run | Cancel | Stop) -> None:
        if isinstance(message, Run):
            self.queue.extend(message.specs)
        elif isinstance(message, Cancel):
            for spec in list(self.queue):
                if spec.id == message.job_id:
                    self.queue.remove(spec)
                    with self.lock:
                        self.skipped.append(spec.id)
        elif isinstance(message, Stop):
            raise SystemExit(0)

    def drain(self) -> None:
        while self.conn.poll():
            self.handle(self.conn.recv())

    def take_skipped(self) -> list[str]:
        with self.lock:
            skipped, self.skipped = self.skipped, []
        return skipped

    def run(self, spec: JobSpec) -> Outcome:
        from eoproc.processes.context import JobCancelled, JobContext

        started = now_us()
        self.current = spec.id
        ctx = JobContext(
            job_id=spec.id,
            output_dir=Path(spec.job_dir),
            on_progress=self.on_progress,
        )
        results_json = error_json = None
        try:
            inputs = json.loads(spec.inputs_json)
            results = self.registry.run(spec.process_id, inputs, ctx=ctx, outputs=spec.outputs)
            results_json = encode_results(results, Path(spec.job_dir))
            status: Status = "successful"
            message = "Done"
        except JobCancelled as exc:
            status, message = "dismissed", str(exc) or "Job dismissed"
        except Exception as exc:
            text = str(exc)
            message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
            status = "failed"
            error_json = json.dumps(
                {
                    "message": message,
                    "type": type(exc).__name__,
                    "traceback": traceback.format_exc(),
                }
            )
        finally:
            with self.lock:
                self.current = None
                self.pending = None
        return Outcome(status, message, started, now_us(), results_json, error_json)

    def loop(self) -> None:
        while True:
            if not self.queue:
                self.handle(self.conn.recv())
                self.drain()
                if not self.queue:
                    continue
                self.send(Started(self.queue[0].id, tuple(self.take_skipped())))
            spec = self.queue.popleft()
            outcome = self.run(spec)
            self.drain()
            with self.lock:
                if not self.outcomes:
                    self.outcomes_since = time.monotonic()
                self.outcomes.append(Done(spec.id, outcome))
                self.running = self.queue[0].id if self.queue else None
                # Short jobs report together; the watchdog sends what a long job holds up.
                if self.running is None or time.monotonic() - self.outcomes_since >= OUTCOME_DELAY:
                    self._report_locked()


def worker_main(registry_pickle: bytes, sock: socket.socket, parent_pid: int) -> None:
    """Entry point of a worker process (``sock``: its end of the channel to the pool)."""
    conn = BlockingChannel(sock)
    _die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    if hasattr(os, "setpgid"):
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)  # our own group: stopping a job also stops what it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        registry = pickle.loads(registry_pickle)
    except Exception as exc:
        conn.send(Fatal(f"cannot load the process registry: {type(exc).__name__}: {exc}"))
        return
    worker = _Worker(registry, conn, parent_pid)
    threading.Thread(target=worker.watchdog, name="eoproc-watchdog", daemon=True).start()
    conn.send(Ready(os.getpid()))
    with contextlib.suppress(EOFError, OSError):  # the parent closed the channel
        worker.loop()
