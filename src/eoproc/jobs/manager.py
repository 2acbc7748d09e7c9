"""The job manager: the one object that changes the state of jobs in the store.

procrastinate's shape: every state change of a job goes through a method of
:class:`JobManager` — accept (queue), start (hand claimed jobs to the executor),
progress, finish with an :class:`~.messages.Outcome`, fail, dismiss, and
re-queue after an interruption. It implements
:class:`~eoproc.jobs.executor.ExecutorEvents`, so the executor reports straight
to it; the writes go through one :class:`~eoproc.jobs.writer.BatchWriter`
(group commits). It also resolves the waiters of synchronous executions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import shutil
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from eoproc.models import JobStatus
from eoproc.server.service import ServiceUnavailable

from .executor import Executor
from .keeper import KeeperHooks
from .messages import Done, JobSpec, Outcome, Progress
from .store import ClaimedJob, JobRecord, JobStore, NewJob, OutcomeRecord, StoreUnavailable, now_us
from .writer import BatchWriter

log = logging.getLogger(__name__)

REMOVE_AFTER = 0.5
"""Seconds after an executor's ``stop_delay`` at which a stopped job's files are removed."""


class JobManager:
    """Every state change of the jobs of one server, in ``store`` (see the module doc).

    ``owner``: this server's id (claims and leases). ``on_claimed``: what to do
    with the jobs claimed for the executor (default :meth:`run`; a service may
    prepare them first). ``job_timeout``: seconds a job may run from its claim.
    """

    def __init__(
        self,
        store: JobStore,
        owner: str,
        *,
        job_timeout: float | None = None,
        on_claimed: Callable[[list[ClaimedJob]], None] | None = None,
    ) -> None:
        self.store = store
        self.owner = owner
        self.job_timeout = job_timeout
        self.after_change: Callable[[], None] | None = None
        """Called when a change was written outside the writer (the event hub wakes)."""
        self._on_claimed = on_claimed or self.run
        self._executor: Executor | None = None
        self._writer: BatchWriter | None = None
        self._ended: dict[str, asyncio.Future[JobRecord | None]] = {}
        self._finish_times: deque[float] = deque(maxlen=500)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- life cycle --------------------------------------------------------------

    async def start(self, executor: Executor) -> None:
        """Start ``executor`` and the writer (the store is open)."""
        self._executor = executor
        self._writer = BatchWriter(
            self.store,
            self.owner,
            capacity=executor.capacity,
            on_claimed=self._on_claimed,
            on_written=self._on_written,
            queued=await self.store.count(JobStatus.accepted),
        )
        await executor.start()
        self._writer.start()

    @property
    def executor(self) -> Executor:
        """The executor (once started)."""
        assert self._executor is not None, "the job manager is not started"
        return self._executor

    @property
    def writer(self) -> BatchWriter:
        """The writer (once started)."""
        assert self._writer is not None, "the job manager is not started"
        return self._writer

    async def stop(self, grace_period: float) -> list[str]:
        """Stop claiming, give running jobs ``grace_period`` seconds, stop the executor
        and the writer; return the ids of the jobs that did not end."""
        executor, writer = self.executor, self.writer
        writer.claiming = False
        if not await executor.wait_idle(grace_period):
            log.warning("jobs still running after the %.1f s grace period", grace_period)
        held = await executor.close()
        await writer.close()
        return held

    async def release_waiters(self) -> None:
        """End every synchronous execution still waiting (the service stopped)."""
        for job_id, future in list(self._ended.items()):
            if not future.done():
                future.set_result(await self.store.get(job_id))
        self._ended.clear()

    # -- accept ------------------------------------------------------------------

    @property
    def queued(self) -> int:
        """Accepted jobs (this server's view of the queue)."""
        return self._writer.queued if self._writer is not None else 0

    @queued.setter
    def queued(self, count: int) -> None:
        if self._writer is not None:
            self._writer.queued = count

    def check_room(self, max_queued: int) -> None:
        """Raise :class:`ServiceUnavailable` while ``max_queued`` jobs wait already."""
        queued = self.queued
        if queued >= max_queued:
            retry = max(1, min(60, math.ceil(queued / max(self._throughput(), 1.0))))
            raise ServiceUnavailable(
                f"Too many queued jobs ({queued}); try again later.", retry_after=retry
            )

    async def accept(self, job: NewJob, *, wait: bool) -> JobRecord | None:
        """Queue ``job`` (``accepted``); with ``wait``, return once it ended.

        Returns ``None`` when not waiting, or when the job ended normally (read it
        from the store); the job's record if the service stopped meanwhile.
        """
        ended = self.ended_future(job.id) if wait else None
        inserted = self.writer.insert(job)
        try:
            try:
                await inserted
            except BaseException:
                self._ended.pop(job.id, None)
                raise
            if ended is None:
                return None
            return await asyncio.shield(ended)
        finally:
            if ended is not None and ended.done():
                self._ended.pop(job.id, None)

    def accepted_elsewhere(self) -> None:
        """A job was inserted without the writer (keyed submissions): count and claim it."""
        self.writer.queued += 1
        self.writer.wake()
        if self.after_change is not None:
            self.after_change()  # its "accepted" event

    # -- start, progress, finish (the executor's events) ---------------------------

    def run(self, claimed: list[ClaimedJob]) -> None:
        """Hand claimed (now ``running``) jobs to the executor."""
        root = self.store.results_root
        if self.job_timeout is not None:
            loop = asyncio.get_running_loop()
            message = f"The job exceeded the time limit of {self.job_timeout:g} s and was stopped."
            for job in claimed:
                loop.call_later(self.job_timeout, self.time_out, job.id, message)
        self.executor.submit(
            [
                JobSpec(
                    job.id,
                    job.process_id,
                    job.inputs_json,
                    json.loads(job.outputs_json) if job.outputs_json else None,
                    str(root / job.id),
                )
                for job in claimed
            ]
        )

    def on_capacity(self) -> None:
        """The executor can take more jobs: claim soon."""
        if self._writer is not None:
            self._writer.wake()

    def on_progress(self, progress: Progress) -> None:
        """Record a running job's progress (throttled by the writer)."""
        if self._writer is not None:
            self._writer.progress(progress.job_id, progress.percent, progress.message)

    def on_done(self, done: Done) -> None:
        """Record how a job ended (an interrupted one is re-queued if it may run again)."""
        self.finish(done.job_id, done.outcome)

    def finish(self, job_id: str, outcome: Outcome) -> None:
        """Record ``outcome`` as the end of running job ``job_id``."""
        error_json = outcome.error_json
        if outcome.status == "failed" and error_json is None:
            error_json = json.dumps({"message": outcome.message})
        status = JobStatus(outcome.status)
        self.writer.outcome(
            OutcomeRecord(
                id=job_id,
                retry=outcome.interrupted,
                status=status,
                message=outcome.message,
                started=outcome.started,
                finished=outcome.finished,
                progress=100 if status == JobStatus.successful else None,
                results_json=outcome.results_json,
                error_json=error_json,
            )
        )

    def time_out(self, job_id: str, message: str) -> None:
        """Stop a running job that is overdue and fail it with ``message``."""
        if self._executor is None or self._writer is None or not self._executor.cancel(job_id):
            return  # it ended meanwhile
        self.finish(job_id, Outcome.failed(message, now_us()))
        self._remove_results_later(job_id)

    # -- dismiss ---------------------------------------------------------------------

    async def dismiss(self, job_id: str) -> tuple[JobStatus, JobRecord] | None:
        """Dismiss a job: stop its work, drop its results. Its previous status and new
        record (``None``: no such job). Raises :class:`StoreUnavailable`."""
        answer = await self.store.dismiss(job_id, now_us())
        if self.after_change is not None:
            self.after_change()
        if answer is None:
            return None
        previous, _ = answer
        if previous == JobStatus.dismissed:
            return answer
        if previous == JobStatus.accepted and self._writer is not None:
            self._writer.queued = max(0, self._writer.queued - 1)
        if previous in (JobStatus.accepted, JobStatus.running) and self._executor is not None:
            self._executor.cancel(job_id)
        if previous != JobStatus.accepted:
            job_dir = self.store.results_root / job_id
            if job_dir.exists():
                await asyncio.to_thread(shutil.rmtree, job_dir, True)
            if previous == JobStatus.running:  # a stopped worker may still have been writing
                self._remove_results_later(job_id)
        self.job_ended(job_id)
        return answer

    def _remove_results_later(self, job_id: str) -> None:
        delay = self._executor.stop_delay if self._executor is not None else 1.0
        job_dir = self.store.results_root / job_id
        loop = asyncio.get_running_loop()
        loop.call_later(delay + REMOVE_AFTER, loop.run_in_executor, None, _remove_tree, job_dir)

    # -- after the writes ----------------------------------------------------------

    def _on_written(self, outcomes: list[OutcomeRecord]) -> None:
        self._finish_times.extend([time.monotonic()] * len(outcomes))
        retried = [outcome.id for outcome in outcomes if outcome.retry]
        for outcome in outcomes:
            if not outcome.retry:
                self.job_ended(outcome.id)
        if retried:
            task = asyncio.create_task(self._requeued(retried))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _requeued(self, job_ids: list[str]) -> None:
        """Interrupted jobs were re-queued or failed: count the queue, end the failed ones."""
        try:
            records = {job_id: await self.store.get(job_id) for job_id in job_ids}
        except StoreUnavailable as exc:
            log.warning("cannot look up re-queued jobs: %s", exc)
            return
        for job_id, record in records.items():
            if record is None or record.status.is_final:
                self.job_ended(job_id)
            elif record.status == JobStatus.accepted and self._writer is not None:
                log.warning(
                    "job %s (%s) re-queued after an interruption (%d of %d attempts made)",
                    job_id,
                    record.process_id,
                    record.attempts,
                    record.retries + 1,
                )
                self._writer.queued += 1
                self._writer.wake()

    def _throughput(self) -> float:
        """Jobs finished per second, recently."""
        times = self._finish_times
        if len(times) < 2:
            return 0.0
        return len(times) / max(time.monotonic() - times[0], 1e-3)

    def keeper_hooks(self) -> KeeperHooks:
        """What the :class:`~.keeper.JobKeeper` of a shared store does through this manager."""
        executor = self.executor
        return KeeperHooks(
            held=executor.held_ids,
            cancel=executor.cancel,
            awaited=self.awaited,
            ended=self.job_ended,
            queued=self._set_queued,
        )

    def _set_queued(self, count: int) -> None:
        self.queued = count

    # -- waiters of synchronous executions -----------------------------------------

    def ended_future(self, job_id: str) -> asyncio.Future[JobRecord | None]:
        """A future resolved when job ``job_id`` ends (with its record if the service stopped)."""
        future = self._ended.get(job_id)
        if future is None:
            future = self._ended[job_id] = asyncio.get_running_loop().create_future()
        return future

    def forget_waiter(self, job_id: str) -> None:
        """Drop the waiter of ``job_id`` (its submission failed, or it was answered)."""
        self._ended.pop(job_id, None)

    def awaited(self) -> list[str]:
        """Ids of the jobs whose end a synchronous execution awaits."""
        return list(self._ended)

    def job_ended(self, job_id: str) -> None:
        """Job ``job_id`` ended (here or on another server): resolve its waiter."""
        future = self._ended.pop(job_id, None)
        if future is not None and not future.done():
            future.set_result(None)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
