"""A pool of worker processes driven from the asyncio event loop.

The pool knows which job each worker runs (``current``, reported by the worker)
and which it holds queued behind it (``queue``, sent but not known to have
started). A worker gets a second job only while everything it holds belongs to
processes that finish in a few milliseconds, so a queued job never waits long
behind another and a long job always starts on an idle worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from collections import deque
from functools import partial

from .channel import LoopChannel, channel_pair
from .executor import ExecutorEvents
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
    Stop,
)
from .store import now_us
from .worker import worker_main
from .workerhandle import SIGKILL, WorkerHandle

log = logging.getLogger(__name__)

SHORT_JOB = 0.02
"""Processes whose jobs take less than this (seconds, moving average) are prefetched."""
JOB_OVERHEAD = 0.0002
"""Seconds a worker spends on a job besides running its function (an estimate)."""
KILL_AFTER = 1.0
"""Seconds between SIGTERM and SIGKILL of a worker being stopped."""
EXIT_WAIT = 2.0
"""Seconds a worker whose channel closed has to exit before it counts as broken."""
BROKEN_MESSAGE = "The channel to the worker process running the job broke ({reason})."


class WorkerPool:
    """``size`` worker processes running jobs of a pickled process registry.

    An :class:`~eoproc.jobs.executor.Executor`; it reports to ``events`` on the event loop.
    """

    def __init__(
        self,
        registry_pickle: bytes,
        size: int,
        events: ExecutorEvents,
        *,
        max_held: int = 100,
    ) -> None:
        self._registry = registry_pickle
        self.size = max(1, size)
        self._events = events
        self._max_held = max(1, max_held)
        self._mp = multiprocessing.get_context("spawn")
        self._workers: list[WorkerHandle] = []
        self._dying: set[WorkerHandle] = set()
        self._backlog: deque[JobSpec] = deque()
        self._durations: dict[str, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing = False
        self._failures = 0
        self._idle = asyncio.Event()
        self.stop_delay = KILL_AFTER

    # -- life cycle --------------------------------------------------------------

    async def start(self) -> None:
        """Spawn the workers (they become usable once they report ready)."""
        self._loop = asyncio.get_running_loop()
        for index in range(self.size):
            self._spawn(index)

    def _spawn(self, index: int) -> None:
        assert self._loop is not None
        parent_sock, child_sock = channel_pair()
        process = self._mp.Process(
            target=worker_main,
            args=(self._registry, child_sock, os.getpid()),
            name=f"eoproc-worker-{index}",
            daemon=True,
        )
        try:
            process.start()
        finally:
            child_sock.close()
        worker = WorkerHandle(index, process)
        worker.channel = LoopChannel(
            parent_sock,
            self._loop,
            partial(self._handle, worker),
            partial(self._on_broken, worker),
        )
        self._workers.append(worker)
        self._loop.add_reader(process.sentinel, self._on_exit, worker)

    async def close(self) -> list[str]:
        """Stop every worker; return the ids of the jobs they still held."""
        self._closing = True
        held = self.held_ids()
        self._backlog.clear()
        for worker in list(self._workers):
            if worker.current is None and not worker.queue and worker.ready:
                with contextlib.suppress(OSError):
                    worker.channel.send(Stop())
            else:
                self._terminate(worker)
        everyone = [*self._workers, *self._dying]
        for _ in range(int(KILL_AFTER * 20) + 20):
            if not any(w.process.is_alive() for w in everyone):
                break
            await asyncio.sleep(0.05)
        for worker in everyone:
            worker.signal(SIGKILL)
            self._forget(worker)
            worker.process.join(1)
        return held

    # -- dispatch ----------------------------------------------------------------

    def _short(self, spec: JobSpec) -> bool:
        return self._durations.get(spec.process_id, SHORT_JOB) < SHORT_JOB

    def _room(self, worker: WorkerHandle) -> int:
        if not worker.ready or worker.dying:
            return 0
        held = worker.held
        if held == 0:
            return 1
        held_specs = worker.held_specs()
        if not all(self._short(spec) for spec in held_specs):
            return 0
        # as many as fit in SHORT_JOB seconds, so that none waits long behind the others
        per_job = max([JOB_OVERHEAD, *(self._durations[s.process_id] for s in held_specs)])
        return max(0, min(self._max_held, int(SHORT_JOB / per_job)) - held)

    def capacity(self) -> int:
        """How many more jobs the pool takes now."""
        if self._closing:
            return 0
        return max(0, sum(self._room(w) for w in self._workers) - len(self._backlog))

    def submit(self, specs: list[JobSpec]) -> None:
        """Hand claimed jobs to workers (they wait in the pool if none has room)."""
        self._backlog.extend(specs)
        self._dispatch()

    def _dispatch(self) -> None:
        batches: dict[WorkerHandle, list[JobSpec]] = {}
        rooms = {w: self._room(w) for w in self._workers} if self._backlog else {}
        while self._backlog:
            candidates = [w for w, room in rooms.items() if room > 0]
            if not candidates:
                break
            worker = min(candidates, key=lambda w: w.held)
            rooms[worker] -= 1
            spec = self._backlog.popleft()
            worker.queue.append(spec)
            worker.specs[spec.id] = spec
            batches.setdefault(worker, []).append(spec)
        for worker, batch in batches.items():
            try:
                worker.channel.send(Run(tuple(batch)))
            except OSError:  # its exit or broken channel hands the batch back to the pool
                log.warning("worker %s is gone; its jobs go back to the pool", worker.index)
        self._update_idle()

    def held_ids(self) -> list[str]:
        """Ids of every job the pool holds (running, queued in a worker, or waiting)."""
        ids = [spec.id for spec in self._backlog]
        for worker in self._workers:
            if worker.current is not None:
                ids.append(worker.current)
            ids.extend(spec.id for spec in worker.queue)
        return ids

    def cancel(self, job_id: str) -> bool:
        """Make sure a (dismissed) job stops: drop it, or terminate the worker running it."""
        for spec in list(self._backlog):
            if spec.id == job_id:
                self._backlog.remove(spec)
                self._update_idle()
                return True
        for worker in self._workers:
            if worker.current == job_id:
                worker.cancelled.add(job_id)
                self._terminate(worker)
                return True
            for spec in list(worker.queue):
                if spec.id == job_id:
                    worker.queue.remove(spec)
                    worker.cancelled.add(job_id)
                    with contextlib.suppress(OSError):
                        worker.channel.send(Cancel(job_id))
                    self._update_idle()
                    return True
        return False

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is held (at most ``timeout`` seconds); whether that happened."""
        self._update_idle()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._idle.is_set()

    def _update_idle(self) -> None:
        if self.held_ids():
            self._idle.clear()
        else:
            self._idle.set()

    # -- messages from workers ---------------------------------------------------

    def _on_broken(self, worker: WorkerHandle, reason: str | None) -> None:
        """The channel of ``worker`` ended: it closed (``reason`` ``None``) or broke."""
        if self._closing or worker.dying:
            return
        if reason is None:  # normally the worker is exiting: its exit says why
            assert self._loop is not None
            self._loop.call_later(EXIT_WAIT, self._check_exited, worker)
            return
        self._lose(worker, reason)

    def _check_exited(self, worker: WorkerHandle) -> None:
        if worker in self._workers and not worker.dying and worker.process.is_alive():
            self._lose(worker, "the worker closed it but did not exit")

    def _lose(self, worker: WorkerHandle, reason: str) -> None:
        """Fail the job of a worker whose channel broke, and replace the worker."""
        log.error("worker %s: the channel to the pool broke: %s", worker.index, reason)
        held = worker.take_held()
        self._terminate(worker)
        self._interrupted(held, BROKEN_MESSAGE.format(reason=reason))

    def _interrupted(self, job_ids: list[str], message: str) -> None:
        """Report jobs whose worker was lost (the manager may run them again)."""
        for job_id in job_ids:
            outcome = Outcome.failed(message, now_us(), interrupted=True)
            self._events.on_done(Done(job_id, outcome))
        self._update_idle()

    def _start(self, worker: WorkerHandle, job_id: str) -> None:
        if worker.dying:  # its queue went back to the pool; the job runs elsewhere
            return
        worker.dequeue(job_id)
        worker.current = job_id
        if job_id in worker.cancelled:
            self._terminate(worker)

    def _handle(self, worker: WorkerHandle, message: FromWorker) -> None:
        if isinstance(message, Progress):
            # a queued job may report before the outcomes of the jobs ahead of it arrive
            if message.job_id in worker.specs and message.job_id not in worker.cancelled:
                self._events.on_progress(message)
        elif isinstance(message, Started):
            worker.cancelled.difference_update(message.skipped)
            self._start(worker, message.job_id)
        elif isinstance(message, Report):
            self._report(worker, message)
        elif isinstance(message, Ready):
            worker.ready = True
            self._failures = 0
            self._dispatch()
            self._events.on_capacity()
        elif isinstance(message, Fatal):
            log.error("worker %s cannot start: %s", worker.index, message.message)

    def _report(self, worker: WorkerHandle, report: Report) -> None:
        """Jobs of ``worker`` ended: report them, note which one runs now, dispatch more."""
        for skipped_id in report.skipped:
            worker.cancelled.discard(skipped_id)
            worker.specs.pop(skipped_id, None)
        for done in report.done:
            job_id = done.job_id
            if worker.current == job_id:
                worker.current = None
            else:
                worker.dequeue(job_id)
            if worker.dying:  # its queue went back to the pool: do not run the job again
                self._backlog = deque(s for s in self._backlog if s.id != job_id)
            spec = worker.specs.pop(job_id, None)
            seconds = done.outcome.seconds
            if spec is not None and seconds is not None:
                old = self._durations.get(spec.process_id, seconds)
                self._durations[spec.process_id] = 0.8 * old + 0.2 * seconds
            if job_id in worker.cancelled:
                worker.cancelled.discard(job_id)
            else:
                self._events.on_done(done)
        if report.running is not None:
            if worker.current != report.running:
                self._start(worker, report.running)
        else:
            worker.current = None
        self._dispatch()
        self._events.on_capacity()

    # -- worker exits --------------------------------------------------------------

    def _terminate(self, worker: WorkerHandle) -> None:
        if worker.dying:
            return
        worker.dying = True
        self._dying.add(worker)
        worker.signal(signal.SIGTERM)
        assert self._loop is not None
        self._loop.call_later(KILL_AFTER, self._kill, worker)
        if not self._closing:
            self._replace(worker)

    def _kill(self, worker: WorkerHandle) -> None:
        worker.signal(SIGKILL)

    def _forget(self, worker: WorkerHandle) -> None:
        worker.channel.close()
        if self._loop is not None:
            with contextlib.suppress(OSError, ValueError):
                self._loop.remove_reader(worker.process.sentinel)
        if worker in self._workers:
            self._workers.remove(worker)

    def _on_exit(self, worker: WorkerHandle) -> None:
        """A worker process ended (terminated by us, or died)."""
        worker.channel.read()  # take what it said before it went
        self._forget(worker)
        self._dying.discard(worker)
        worker.process.join(0.1)
        if self._closing or worker.dying:
            self._update_idle()
            return
        code = worker.process.exitcode
        log.warning("worker %s exited unexpectedly (exit code %s)", worker.index, code)
        if not worker.ready:
            self._failures += 1
        held = worker.take_held()
        self._replace(worker)
        message = f"The worker process running the job exited unexpectedly (exit code {code})."
        self._interrupted(held, message)

    def _replace(self, worker: WorkerHandle) -> None:
        """Spawn a replacement and hand the jobs queued in ``worker`` back to the pool."""
        if worker in self._workers:
            self._workers.remove(worker)
        self._backlog.extendleft(reversed(worker.queue))
        worker.queue.clear()
        delay = 0.0 if self._failures < 3 else min(30.0, 2.0**self._failures)
        assert self._loop is not None
        if delay:
            log.error("workers keep failing to start; next attempt in %.0f s", delay)
            self._loop.call_later(delay, self._respawn, worker.index)
        else:
            self._respawn(worker.index)

    def _respawn(self, index: int) -> None:
        if not self._closing:
            self._spawn(index)
            self._dispatch()
