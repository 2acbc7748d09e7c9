"""The chaos driver: steady mixed load on live servers while workers and servers are killed.

A :class:`Chaos` runs servers (one on SQLite, or replicas on one PostgreSQL store)
as subprocesses on loopback, submits a steady load of mixed jobs from a thread
(outputs of 10 B to 64 MiB, retry-safe or not, some dismissed), and kills
(``SIGKILL``) random workers and whole servers, restarting a killed server on the
same store and port. Every submission carries an ``Idempotency-Key`` and is
resent under it until it is answered, so every job the store created is known.
Each job start leaves a file in a side-channel directory (see ``procs.py``).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import LiveServer

from .procs import ends_of

FINAL = ("successful", "failed", "dismissed")
MIB = 1024 * 1024


@dataclass
class Job:
    """A job the load created (answered 201)."""

    id: str
    process: str
    tag: str
    size: int
    dismissed: bool = False


@dataclass
class Slot:
    """One server position: how to start it, and the running server."""

    start: Callable[[int | None], AbstractContextManager[LiveServer]]
    context: AbstractContextManager[LiveServer] | None = None
    server: LiveServer | None = None
    port: int | None = None
    up: threading.Event = field(default_factory=threading.Event)

    def launch(self) -> None:
        self.context = self.start(self.port)
        self.server = self.context.__enter__()
        self.port = self.server.port
        self.up.set()

    def kill(self) -> None:
        """``kill -9`` the server (its workers die with it), then forget it."""
        self.up.clear()
        assert self.server is not None and self.context is not None
        self.server.kill()
        self.context.__exit__(None, None, None)
        self.context = self.server = None

    def stop(self) -> None:
        self.up.clear()
        if self.context is not None:
            self.context.__exit__(None, None, None)
            self.context = self.server = None


def worker_pids(server: LiveServer) -> list[int]:
    """The job workers of ``server`` (its spawned children)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == server.process.pid and b"spawn_main" in command:
            pids.append(int(entry.name))
    return pids


class Chaos:
    """Load, kills and bookkeeping (see the module docstring)."""

    def __init__(
        self, slots: list[Slot], starts: Path, *, seed: int = 12, retries: int = 2
    ) -> None:
        self.slots = slots
        self.retries = retries
        self.starts = starts
        self.random = random.Random(seed)
        self.jobs: list[Job] = []
        self.events: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._big_left = 2  # 64 MiB outputs: one retry-safe, one not

    # -- load ----------------------------------------------------------------------

    def _pick(self) -> tuple[str, int, float, bool]:
        with self._lock:
            roll = self.random.random()
            process = "safe_work" if self.random.random() < 0.5 else "unsafe_work"
            if self._big_left and roll < 0.03:
                process = "safe_work" if self._big_left == 2 else "unsafe_work"
                self._big_left -= 1
                size = 64 * MIB
            else:
                size = self.random.choice([10, 1000, 70_000, 2 * MIB])
            seconds = self.random.choice([0.0, 0.05, 0.3, 0.6])
            dismiss = self.random.random() < 0.1
        return process, size, seconds, dismiss

    def _submit(self, client: httpx.Client, body: dict[str, Any], key: str) -> str | None:
        """POST under ``key`` to any live server until answered; the job id (None: stopping)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            live = [slot for slot in self.slots if slot.up.is_set() and slot.server is not None]
            if not live:
                time.sleep(0.1)
                continue
            server = self.random.choice(live).server
            assert server is not None
            try:
                answer = client.post(
                    f"{server.url}/processes/{body['process']}/execution",
                    json={"inputs": body["inputs"]},
                    headers={"Prefer": "respond-async", "Idempotency-Key": key},
                )
            except httpx.HTTPError:
                time.sleep(0.2)
                continue
            if answer.status_code == 201:
                return str(answer.json()["jobID"])
            assert answer.status_code == 503, answer.text
            time.sleep(0.2)
        raise AssertionError(f"submission {key} never answered")

    def _dismiss(self, client: httpx.Client, job: Job) -> None:
        for slot in self.slots:
            if slot.up.is_set() and slot.server is not None:
                with contextlib.suppress(httpx.HTTPError):
                    answer = client.delete(f"{slot.server.url}/jobs/{job.id}")
                    if answer.status_code == 200:
                        job.dismissed = True
                return

    def load(self, rate: float) -> None:
        """Submit about ``rate`` jobs per second until :meth:`stop_load`."""
        with httpx.Client(timeout=60) as client:
            while not self._stop.is_set():
                process, size, seconds, dismiss = self._pick()
                tag = uuid.uuid4().hex[:12]
                inputs = {"starts": str(self.starts), "tag": tag, "seconds": seconds, "size": size}
                job_id = self._submit(client, {"process": process, "inputs": inputs}, tag)
                if job_id is None:
                    return
                job = Job(job_id, process, tag, size)
                with self._lock:
                    self.jobs.append(job)
                if dismiss:
                    time.sleep(self.random.random() * 0.3)
                    self._dismiss(client, job)
                time.sleep(1.0 / rate)

    def stop_load(self) -> None:
        self._stop.set()

    # -- kills ---------------------------------------------------------------------

    def _busy(self, timeout: float, whole: bool) -> tuple[Slot, list[int]] | None:
        """A live server with workers whose job still runs (waiting up to ``timeout``
        seconds: workers of a loaded machine may take long to start), and those workers.

        A kill never hits a job on its last allowed start (the driver is random, not
        malicious: ``retries`` interruptions of one job are what retry-safe means to
        survive); with ``whole`` (a server kill) none of the server's workers may hold one.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            latest = self.latest_starts()
            now = time.time()
            for slot in self.random.sample(self.slots, len(self.slots)):
                if not slot.up.is_set() or slot.server is None:
                    continue
                pids = [pid for pid in worker_pids(slot.server) if pid in latest]
                busy = [
                    p
                    for p in pids
                    if now - latest[p][0] < 5.0
                    and latest[p][1] <= self.retries
                    and self._running(latest[p][2])
                ]
                if whole and any(latest[p][1] > self.retries for p in pids):
                    continue
                if busy:
                    return slot, busy
            time.sleep(0.1)
        return None

    def kill_worker(self, timeout: float = 30.0) -> bool:
        """``kill -9`` a worker running a job; whether one was found."""
        found = self._busy(timeout, whole=False)
        if found is None:
            self.events.append("no busy worker to kill")
            return False
        slot, busy = found
        pid = self.random.choice(busy)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self.events.append(f"kill -9 worker {pid} of {slot.port}")
        return True

    def kill_server(self, restart_after: float = 0.5, timeout: float = 30.0) -> None:
        """``kill -9`` a server running jobs, and restart it on the same store and port."""
        found = self._busy(timeout, whole=True)
        if found is None:
            self.events.append("no busy server to kill")
            return
        slot = found[0]
        slot.kill()
        self.events.append(f"kill -9 server {slot.port}")
        time.sleep(restart_after)
        slot.launch()
        self.events.append(f"restarted server {slot.port}")

    def latest_starts(self) -> dict[int, tuple[float, int, str]]:
        """Per worker pid: when it last started a job, which start of that job it was,
        and that start's record (``{tag}-{n}``)."""
        latest: dict[int, tuple[float, int, str]] = {}
        for path in self.starts.glob("*-*"):
            with contextlib.suppress(OSError, ValueError):
                when = path.stat().st_mtime
                pid = int(path.read_text())
                if when > latest.get(pid, (0.0, 0, ""))[0]:
                    latest[pid] = (when, int(path.name.rsplit("-", 1)[1]), path.name)
        return latest

    def _running(self, record: str) -> bool:
        """Whether the start ``record`` has not done its work yet."""
        return not (ends_of(self.starts) / record).exists()

    # -- verdict -------------------------------------------------------------------

    def starts_of(self, tag: str) -> int:
        return len(list(self.starts.glob(f"{tag}-*")))
