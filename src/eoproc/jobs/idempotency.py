"""Store queries of idempotent submission: one row per (user, ``Idempotency-Key``).

A keyed submission inserts its key row and its job in one transaction; a second
submission with the same key finds the row (waiting, on PostgreSQL, for a
concurrent first one to commit) and answers that row's job. Rows live
``lifetime`` seconds; an expired row, or one whose job was purged, is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import sqlalchemy as sa

from .base import StoreHooks
from .store import NewJob
from .tables import idempotency_keys as keys_table
from .tables import jobs


@dataclass(frozen=True)
class KeyedJob:
    """The job a key names: ``created`` when this submission made it."""

    job_id: str
    fingerprint: str
    created: bool


@runtime_checkable
class KeyedInserts(Protocol):
    """A store that honours idempotency keys."""

    async def insert_keyed(
        self, job: NewJob, scope: str, key: str, fingerprint: str, expired_before: int
    ) -> KeyedJob:
        """See :meth:`IdempotencyQueries.insert_keyed`."""
        ...


class IdempotencyQueries(StoreHooks):
    """Keyed inserts."""

    def _insert_jobs(self, conn: sa.Connection, new_jobs: list[NewJob]) -> None:
        """Insert accepted jobs in ``conn``'s transaction (see ``JobWrites``)."""
        raise NotImplementedError

    def _insert_keyed_sync(
        self, job: NewJob, scope: str, key: str, fingerprint: str, expired_before: int
    ) -> KeyedJob:
        where = (keys_table.c.scope == scope) & (keys_table.c.key == key)
        with self._write() as conn:
            conn.execute(sa.delete(keys_table).where(keys_table.c.created < expired_before))
            row = {"scope": scope, "key": key, "fingerprint": fingerprint, "job_id": job.id}
            try:
                with conn.begin_nested():
                    conn.execute(keys_table.insert().values(**row, created=job.created))
            except sa.exc.IntegrityError:
                found = conn.execute(
                    sa.select(keys_table.c.job_id, keys_table.c.fingerprint).where(where)
                ).one()
                exists = conn.execute(sa.select(jobs.c.id).where(jobs.c.id == found.job_id)).first()
                if exists is not None:
                    return KeyedJob(found.job_id, found.fingerprint, created=False)
                # its job was purged: the key starts over
                conn.execute(sa.update(keys_table).where(where).values(**row, created=job.created))
            self._insert_jobs(conn, [job])
        return KeyedJob(job.id, fingerprint, created=True)

    async def insert_keyed(
        self, job: NewJob, scope: str, key: str, fingerprint: str, expired_before: int
    ) -> KeyedJob:
        """Insert ``job`` (accepted) under ``(scope, key)`` unless the key names a job
        already; drop keys created before ``expired_before`` first."""
        return await self._call(
            self._insert_keyed_sync, job, scope, key, fingerprint, expired_before
        )
