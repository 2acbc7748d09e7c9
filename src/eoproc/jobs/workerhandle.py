"""The pool's view of one worker process: the process, its channel, and the jobs it holds."""

from __future__ import annotations

import contextlib
import os
import signal
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess

from .channel import LoopChannel
from .messages import JobSpec

SIGKILL = getattr(signal, "SIGKILL", signal.SIGTERM)
"""SIGKILL where there is one (not on Windows)."""


@dataclass(eq=False)
class WorkerHandle:
    """One worker process of the pool.

    ``current`` is the job it runs (as reported by the worker); ``queue`` the jobs
    sent to it that are not known to have started; ``specs`` every job it was
    given and did not report ended; ``cancelled`` jobs whose end is not reported.
    """

    index: int
    process: BaseProcess
    channel: LoopChannel = field(init=False)
    ready: bool = False
    dying: bool = False
    current: str | None = None
    queue: deque[JobSpec] = field(default_factory=deque)
    cancelled: set[str] = field(default_factory=set)
    specs: dict[str, JobSpec] = field(default_factory=dict)

    @property
    def held(self) -> int:
        """How many jobs it holds (running, or queued in it)."""
        return len(self.queue) + (self.current is not None)

    def held_specs(self) -> list[JobSpec]:
        """The jobs it holds (those queued, then the one running if known)."""
        specs = list(self.queue)
        if self.current is not None and self.current in self.specs:
            specs.append(self.specs[self.current])
        return specs

    def dequeue(self, job_id: str) -> None:
        """Take ``job_id`` out of the queue (it started or ended)."""
        if self.queue and self.queue[0].id == job_id:
            self.queue.popleft()
        else:
            self.queue = deque(s for s in self.queue if s.id != job_id)

    def take_held(self) -> list[str]:
        """Forget, and return, the jobs of a lost worker: its current one and those queued.

        A queued job may have started unnoticed (a worker reports short jobs in
        batches), so none of them is handed to another worker: at most once.
        Cancelled jobs are left out (their end is not reported).
        """
        held = [] if self.current is None else [self.current]
        held += [spec.id for spec in self.queue]
        self.current = None
        self.queue.clear()
        return [job_id for job_id in held if job_id not in self.cancelled]

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the worker and whatever it started (its own process group)."""
        pid = self.process.pid
        if pid is None:
            return
        with contextlib.suppress(OSError):
            if not hasattr(os, "killpg"):  # Windows: no process groups, no SIGKILL
                self.process.terminate()
                return
            try:
                os.killpg(pid, signum)
            except ProcessLookupError:  # not (yet) a group leader
                if self.process.is_alive():
                    os.kill(pid, signum)
