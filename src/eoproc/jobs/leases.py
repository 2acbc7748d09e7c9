"""Store queries for several servers on one store: leases, cross-server watching, retention.

A claim gives a running job a lease (``lease_until``, see
:attr:`SqlJobStore.lease <eoproc.jobs.sql.SqlJobStore>`); the owning server renews
the leases of its running jobs, and any server fails the running jobs whose
lease ran out (their server died). :class:`LeaseQueries` is mixed into
``SqlJobStore``; :class:`LeasedStore` is what :mod:`.keeper` needs of a store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import sqlalchemy as sa

from eoproc.models import JobStatus

from .base import Change, StoreHooks
from .eventlog import forget
from .store import REQUEUED_MESSAGE
from .tables import jobs

if TYPE_CHECKING:
    from pathlib import Path

LOST_MESSAGE = (
    "The server running this job stopped answering (its lease expired); the job was "
    "marked failed by another server."
)
_FINAL = (JobStatus.successful.value, JobStatus.failed.value, JobStatus.dismissed.value)
_RUNNING = JobStatus.running.value
_CHUNK = 500


def requeue_values(message: str, now: int) -> dict[str, Any]:
    """The values that put an interrupted running job back in the queue."""
    return {
        "status": JobStatus.accepted.value,
        "message": REQUEUED_MESSAGE.format(reason=message.rstrip(".")),
        "progress": None,
        "started": None,
        "owner": None,
        "lease_until": None,
        "updated": now,
    }


@runtime_checkable
class LeasedStore(Protocol):
    """A store that several servers may share (see the module docstring)."""

    results_root: Path
    lease: float
    shared: bool
    """Whether other servers may use the store at the same time (PostgreSQL)."""

    async def statuses(self, job_ids: Sequence[str]) -> dict[str, JobStatus]:
        """The status of each listed job that exists."""
        ...

    async def renew(self, owner: str, now: int) -> int:
        """Extend the leases of ``owner``'s running jobs; how many."""
        ...

    async def reap(self, now: int, message: str = LOST_MESSAGE) -> list[str]:
        """Fail the running jobs whose lease ran out (re-queue those with attempts left,
        see :attr:`~eoproc.jobs.store.OutcomeRecord.retry`); the ids of those failed."""
        ...

    async def purge(self, before: int, limit: int = _CHUNK) -> list[str]:
        """Delete up to ``limit`` jobs that finished before ``before``; their ids."""
        ...

    async def count(self, status: JobStatus) -> int:
        """How many jobs have ``status``."""
        ...

    async def fail_running(
        self, message: str, now: int, job_ids: Sequence[str] | None = None
    ) -> int:
        """Mark running jobs (all, or those listed) ``failed`` with ``message``."""
        ...


class LeaseQueries(StoreHooks):
    """The :class:`LeasedStore` queries."""

    def _statuses_sync(self, job_ids: Sequence[str]) -> dict[str, JobStatus]:
        found: dict[str, JobStatus] = {}
        with self._read() as conn:
            for chunk in _chunks(job_ids):
                stmt = sa.select(jobs.c.id, jobs.c.status).where(jobs.c.id.in_(chunk))
                found.update({row.id: JobStatus(row.status) for row in conn.execute(stmt)})
        return found

    async def statuses(self, job_ids: Sequence[str]) -> dict[str, JobStatus]:
        if not job_ids:
            return {}
        return await self._call(self._statuses_sync, list(job_ids))

    def _renew_sync(self, owner: str, now: int) -> int:
        stmt = (
            sa.update(jobs)
            .where(jobs.c.owner == owner, jobs.c.status == _RUNNING)
            .values(lease_until=now + round(self.lease * 1_000_000))
        )
        with self._write() as conn:
            return int(conn.execute(stmt).rowcount)

    async def renew(self, owner: str, now: int) -> int:
        return await self._call(self._renew_sync, owner, now)

    def _reap_sync(self, now: int, message: str) -> list[str]:
        lost = sa.update(jobs).where(jobs.c.status == _RUNNING, jobs.c.lease_until < now)
        requeue = lost.where(jobs.c.attempts <= jobs.c.retries).values(
            **requeue_values(message, now)
        )
        stmt = lost.values(
            status=JobStatus.failed.value,
            message=message,
            finished=now,
            updated=now,
            duration=(now - jobs.c.started) / 1_000_000.0,
            error=json.dumps({"message": message, "type": "JobLost"}),
        ).returning(jobs.c.id)
        with self._write() as conn:
            requeued = [row.id for row in conn.execute(requeue.returning(jobs.c.id))]
            reaped = [row.id for row in conn.execute(stmt)]
            self._record(conn, [Change(job_id) for job_id in requeued + reaped], now)
        return reaped

    async def reap(self, now: int, message: str = LOST_MESSAGE) -> list[str]:
        return await self._call(self._reap_sync, now, message)

    def _purge_sync(self, before: int, limit: int) -> list[str]:
        old = (
            sa.select(jobs.c.id)
            .where(jobs.c.finished < before, jobs.c.status.in_(_FINAL))
            .limit(limit)
        )
        if self.shared:
            old = old.with_for_update(skip_locked=True)
        stmt = sa.delete(jobs).where(jobs.c.id.in_(old)).returning(jobs.c.id)
        with self._write() as conn:
            purged = [row.id for row in conn.execute(stmt)]
            forget(conn, purged)
        return purged

    async def purge(self, before: int, limit: int = _CHUNK) -> list[str]:
        return await self._call(self._purge_sync, before, limit)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
