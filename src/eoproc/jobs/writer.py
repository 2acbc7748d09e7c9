"""Group commits: everything the job service writes at one moment, in one transaction.

Requests and executor callbacks only append to the pending :class:`WriteBatch`
and wake the writer task; it applies the batch (inserts, throttled progress,
outcomes, and a claim of as many accepted jobs as the executor can take), then
resolves the waiting requests and hands claimed jobs on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from eoproc.server.service import ServiceUnavailable

from .store import ClaimedJob, JobStore, NewJob, OutcomeRecord, WriteBatch

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.2
"""Seconds between two progress writes (the last value is always written)."""
POLL_INTERVAL = 1.0
"""Seconds between claims of jobs that other servers may have added to a shared store."""
RETRY_DELAY = 0.5
"""Seconds to wait after the store failed to write."""


class BatchWriter:
    """The single task writing to the store.

    ``capacity()`` says how many jobs the executor takes now; ``on_claimed``
    gets the jobs claimed for it; ``on_written`` gets the outcomes once stored.
    ``queued`` counts accepted jobs (this server's view; exact for SQLite).
    """

    def __init__(
        self,
        store: JobStore,
        owner: str,
        *,
        capacity: Callable[[], int],
        on_claimed: Callable[[list[ClaimedJob]], None],
        on_written: Callable[[list[OutcomeRecord]], None],
        queued: int = 0,
    ) -> None:
        self.store = store
        self.owner = owner
        self.queued = queued
        self.claiming = True
        self._capacity = capacity
        self._on_claimed = on_claimed
        self._on_written = on_written
        self._batch = WriteBatch(owner=owner)
        self._inserted: list[asyncio.Future[None]] = []
        self._progress: dict[str, tuple[int | None, str | None]] = {}
        self._progress_written = 0.0
        self._woken = False
        self._waiter: asyncio.Future[bool] | None = None
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self.after_write: Callable[[], None] | None = None
        """Called after each write (the event hub reads the new events)."""

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.create_task(self._loop(), name="eoproc-job-writer")

    async def close(self) -> None:
        """Write what is pending and end the task."""
        self._closing = True
        self.wake()
        if self._task is not None:
            await self._task

    def wake(self) -> None:
        """Write soon (e.g. the executor can take jobs)."""
        self._woken = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(False)

    def insert(self, job: NewJob) -> asyncio.Future[None]:
        """Queue the insert of an accepted job; the future resolves once it is stored."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queued += 1
        self._batch.inserts.append(job)
        self._inserted.append(future)
        self.wake()
        return future

    def progress(self, job_id: str, percent: int | None, message: str | None) -> None:
        """Queue a progress update (merged with one not yet written)."""
        old = self._progress.get(job_id)
        if old is not None:
            percent = percent if percent is not None else old[0]
            message = message if message is not None else old[1]
        self._progress[job_id] = (percent, message)
        self.wake()

    def outcome(self, outcome: OutcomeRecord) -> None:
        """Queue the outcome of a job (it supersedes pending progress)."""
        self._progress.pop(outcome.id, None)
        self._batch.outcomes.append(outcome)
        self.wake()

    async def _sleep(self, timeout: float) -> bool:
        """Wait for :meth:`wake` or ``timeout`` seconds; whether the time ran out."""
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(timeout, _time_out, waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            self._waiter = None

    async def _loop(self) -> None:
        while True:
            polled = False
            if not self._woken:
                timeout = POLL_INTERVAL
                if self._progress:
                    due = self._progress_written + PROGRESS_INTERVAL - time.monotonic()
                    timeout = max(0.0, min(timeout, due))
                polled = await self._sleep(timeout)
            self._woken = False
            await self._flush(polled)
            if self._closing and not self._batch and not self._inserted:
                return

    async def _flush(self, polled: bool) -> None:
        batch, inserted = self._batch, self._inserted
        self._batch, self._inserted = WriteBatch(owner=self.owner), []
        if self._progress and time.monotonic() - self._progress_written >= PROGRESS_INTERVAL:
            batch.progress, self._progress = self._progress, {}
            self._progress_written = time.monotonic()
        if self.claiming and not self._closing and (self.queued > 0 or polled):
            batch.claim = self._capacity()
        if not batch:
            return
        try:
            claimed = await self.store.apply(batch)
        except Exception as exc:
            log.exception("the job store failed to write")
            self.queued -= len(batch.inserts)
            for future in inserted:
                if not future.done():
                    future.set_exception(
                        ServiceUnavailable(f"The job store is unavailable: {exc}", retry_after=5)
                    )
            self._batch.outcomes[:0] = batch.outcomes  # retried with the next batch
            await asyncio.sleep(RETRY_DELAY)
            return
        if self.after_write is not None:
            self.after_write()
        for future in inserted:
            if not future.done():
                future.set_result(None)
        if batch.outcomes:
            self._on_written(batch.outcomes)
        if claimed:
            self.queued = max(0, self.queued - len(claimed))
            self._on_claimed(claimed)


def _time_out(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(True)
