"""The background task of a job service that shares its store with other servers.

Every :data:`WATCH_INTERVAL` seconds it looks up, in the store, the jobs this
server holds and those whose end a synchronous execution awaits: a held job that
was dismissed (through another server) or is no longer ``running`` (its lease was
taken) is stopped here; an awaited job that ended elsewhere resolves its waiter.
Every third of the lease it renews the leases of this server's running jobs and
fails the running jobs of servers whose lease ran out (they died). With
``keep_finished``, it purges finished jobs and their result files. Store errors
are logged and retried; after one, failing others' jobs waits a full lease (every
server must have had the chance to renew).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

from eoproc.models import JobStatus

from .leases import LeasedStore
from .store import JobStore, StoreUnavailable, now_us

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.5
"""Seconds between two looks at held and awaited jobs (dismissal through another server)."""
PURGE_INTERVAL = 60.0
"""Seconds between two retention passes."""
COUNT_INTERVAL = 5.0
"""Seconds between two counts of the accepted jobs (the queue other servers also fill)."""
DAY_US = 86_400 * 1_000_000


@dataclass
class KeeperHooks:
    """What the keeper does to the service it serves."""

    held: Callable[[], list[str]]
    """Ids of the jobs this server's executor holds."""
    cancel: Callable[[str], object]
    """Stop a held job (it was dismissed or taken)."""
    awaited: Callable[[], list[str]]
    """Ids of jobs whose end a synchronous execution awaits."""
    ended: Callable[[str], None]
    """A job awaited here ended (on any server)."""
    queued: Callable[[int], None]
    """The number of accepted jobs in the store, counted anew."""


class JobKeeper:
    """Leases, cross-server watching and retention for one job service (see module doc)."""

    def __init__(
        self,
        store: LeasedStore,
        owner: str,
        hooks: KeeperHooks,
        *,
        keep_finished: float | None = None,
        stop_delay: float = 5.0,
    ) -> None:
        self.store = store
        self.owner = owner
        self.hooks = hooks
        self.keep_finished = keep_finished
        self.stop_delay = stop_delay
        self._task: asyncio.Task[None] | None = None
        self._next_lease = 0.0
        self._next_purge = time.monotonic() + 5.0
        self._next_count = time.monotonic() + COUNT_INTERVAL
        self._reap_after = time.monotonic() + store.lease

    def start(self) -> None:
        """Start the background task."""
        self._task = asyncio.create_task(self._loop(), name="eoproc-job-keeper")

    async def close(self) -> None:
        """End the background task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except StoreUnavailable as exc:
                log.warning("job keeper: the job store is unavailable: %s", exc)
                self._reap_after = time.monotonic() + self.store.lease
            except Exception:
                log.exception("job keeper failed; retrying")
                self._reap_after = time.monotonic() + self.store.lease
            await asyncio.sleep(WATCH_INTERVAL)

    async def tick(self) -> None:
        """One pass: watch, then (when due) leases, queue count and retention."""
        now = time.monotonic()
        if self.store.shared:
            await self.watch()
        if self.store.shared and now >= self._next_lease:
            self._next_lease = now + self.store.lease / 3
            await self.store.renew(self.owner, now_us())
            if now >= self._reap_after:
                lost = await self.store.reap(now_us())
                if lost:
                    log.warning("%d job(s) of a server that stopped answering failed", len(lost))
                    for job_id in lost:
                        self.hooks.ended(job_id)
        if self.store.shared and now >= self._next_count:
            self._next_count = now + COUNT_INTERVAL
            self.hooks.queued(await self.store.count(JobStatus.accepted))
        if self.keep_finished is not None and now >= self._next_purge:
            self._next_purge = now + PURGE_INTERVAL
            await self.purge()

    async def watch(self) -> None:
        """Stop held jobs that are no longer running; resolve waiters of ended jobs."""
        held = self.hooks.held()
        awaited = [job_id for job_id in self.hooks.awaited() if job_id not in set(held)]
        if not held and not awaited:
            return
        statuses = await self.store.statuses([*held, *awaited])
        for job_id in held:
            status = statuses.get(job_id)
            if status is not None and status not in (JobStatus.running, JobStatus.accepted):
                log.info("job %s is %s in the store; stopping it here", job_id, status.value)
                self.hooks.cancel(job_id)
                if status == JobStatus.dismissed:
                    loop = asyncio.get_running_loop()
                    loop.call_later(self.stop_delay + 0.5, self._remove_results, job_id)
        for job_id in awaited:
            status = statuses.get(job_id)
            if status is None or status.is_final:
                self.hooks.ended(job_id)

    async def purge(self) -> int:
        """Delete the jobs that finished more than ``keep_finished`` days ago; how many."""
        assert self.keep_finished is not None
        before = now_us() - round(self.keep_finished * DAY_US)
        total = 0
        while True:
            ids = await self.store.purge(before)
            for job_id in ids:
                await asyncio.to_thread(self._remove_results, job_id)
            total += len(ids)
            if not ids:
                break
        if total:
            log.info(
                "retention: purged %d job(s) finished before the last %g day(s)",
                total,
                self.keep_finished,
            )
        return total

    def _remove_results(self, job_id: str) -> None:
        shutil.rmtree(self.store.results_root / job_id, ignore_errors=True)


async def recover(store: JobStore, message: str) -> int:
    """At start-up, fail the running jobs of a previous run: all of them (with
    ``message``) for a store of this server alone; on a shared store only those whose
    lease ran out a lease ago (with :data:`LOST_MESSAGE`)
    (the database may just be back: live servers get a lease's time to renew)."""
    if isinstance(store, LeasedStore) and store.shared:
        return len(await store.reap(now_us() - round(store.lease * 1_000_000)))
    return await store.fail_running(message, now_us())
