"""The store's queries of the callbacks outbox: claims (one callback at a time per job
and URI, in order; ``FOR UPDATE SKIP LOCKED`` on a shared store), outcomes, listings.

Mixed into the job store through :class:`~.eventlog.EventQueries`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .base import StoreHooks
from .store import to_datetime
from .tables import IN_PROGRESS, PENDING, SUPERSEDED, callbacks


@dataclass(frozen=True)
class Delivery:
    """A callback claimed for delivery."""

    id: int
    job_id: str
    event_id: int
    kind: str
    uri: str
    base: str | None
    data: str
    attempts: int
    created: int
    deadline: int


def callback_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """A callback as ``GET /jobs/{id}/callbacks`` shows it (times in RFC 3339)."""

    def when(us: int | None) -> str | None:
        moment = to_datetime(us)
        return None if moment is None else moment.isoformat().replace("+00:00", "Z")

    document = {
        "id": row["id"],
        "eventID": row["event_id"],
        "kind": row["kind"],
        "uri": row["uri"],
        "state": row["state"],
        "attempts": row["attempts"],
        "created": when(row["created"]),
        "finished": when(row["finished"]),
        "lastStatus": row["last_status"],
        "lastError": row["last_error"],
    }
    if row["state"] == PENDING:
        document["nextAttempt"] = when(row["next_attempt"])
    return document


class CallbackQueries(StoreHooks):
    """Claims, outcomes and listings of callbacks."""

    def _claim_callbacks_sync(self, owner: str, now: int, limit: int, lease: int) -> list[Delivery]:
        earlier = callbacks.alias("earlier")
        blocked = sa.exists().where(
            earlier.c.job_id == callbacks.c.job_id,
            earlier.c.uri == callbacks.c.uri,
            earlier.c.state == PENDING,
            earlier.c.id < callbacks.c.id,
        )
        due = (
            sa.select(callbacks.c.id)
            .where(
                callbacks.c.state == PENDING,
                callbacks.c.next_attempt <= now,
                sa.or_(callbacks.c.lease_until.is_(None), callbacks.c.lease_until < now),
                ~blocked,
            )
            .order_by(callbacks.c.id)
            .limit(limit)
        )
        if self.shared:
            due = due.with_for_update(skip_locked=True)
        newer = callbacks.alias("newer")
        superseded = (
            sa.update(callbacks)
            .where(
                callbacks.c.state == PENDING,
                callbacks.c.kind == IN_PROGRESS,
                sa.or_(callbacks.c.lease_until.is_(None), callbacks.c.lease_until < now),
                sa.exists().where(
                    newer.c.job_id == callbacks.c.job_id,
                    newer.c.uri == callbacks.c.uri,
                    newer.c.state == PENDING,
                    newer.c.id > callbacks.c.id,
                ),
            )
            .values(state=SUPERSEDED, finished=now)
        )
        claim = (
            sa.update(callbacks)
            .where(callbacks.c.id.in_(due))
            .values(owner=owner, lease_until=now + lease)
            .returning(
                callbacks.c.id,
                callbacks.c.job_id,
                callbacks.c.event_id,
                callbacks.c.kind,
                callbacks.c.uri,
                callbacks.c.base,
                callbacks.c.data,
                callbacks.c.attempts,
                callbacks.c.created,
                callbacks.c.deadline,
            )
        )
        with self._write() as conn:
            conn.execute(superseded)
            rows = conn.execute(claim).all()
        return sorted((Delivery(**row._mapping) for row in rows), key=lambda d: d.id)

    async def claim_callbacks(
        self, owner: str, now: int, limit: int, lease: float
    ) -> list[Delivery]:
        """Claim up to ``limit`` due callbacks for ``lease`` seconds: the first pending
        one of each job and URI, oldest first. An in-progress callback not sent yet
        when a later callback to the same URI is pending is *superseded* (a slow
        receiver gets the latest status, not a backlog)."""
        return await self._call(
            self._claim_callbacks_sync, owner, now, limit, round(lease * 1_000_000)
        )

    def _finish_callback_sync(self, delivery_id: int, owner: str, values: dict[str, Any]) -> bool:
        stmt = (
            sa.update(callbacks)
            .where(
                callbacks.c.id == delivery_id,
                callbacks.c.owner == owner,
                callbacks.c.state == PENDING,
            )
            .values(**values)
        )
        with self._write() as conn:
            return bool(conn.execute(stmt).rowcount)

    async def finish_callback(
        self,
        delivery_id: int,
        owner: str,
        *,
        state: str,
        now: int,
        status: int | None = None,
        error: str | None = None,
        retry_at: int | None = None,
    ) -> bool:
        """Record an attempt: ``state`` delivered, failed or cancelled, or pending
        again until ``retry_at``; whether the claim was still ours."""
        values: dict[str, Any] = {
            "state": state,
            "attempts": callbacks.c.attempts + 1,
            "last_status": status,
            "last_error": error,
            "lease_until": None,
        }
        if state == PENDING:
            values["next_attempt"] = retry_at if retry_at is not None else now
        else:
            values["finished"] = now
        return await self._call(self._finish_callback_sync, delivery_id, owner, values)

    def _release_callbacks_sync(self) -> int:
        stmt = (
            sa.update(callbacks)
            .where(callbacks.c.state == PENDING, callbacks.c.lease_until.is_not(None))
            .values(lease_until=None)
        )
        with self._write() as conn:
            return int(conn.execute(stmt).rowcount)

    async def release_callbacks(self) -> int:
        """Free every claimed callback (a store only this server uses, at start: the
        claims of its previous run died with it); how many."""
        return await self._call(self._release_callbacks_sync)

    def _job_callbacks_sync(self, job_id: str) -> list[dict[str, Any]]:
        query = (
            sa.select(
                callbacks.c.id,
                callbacks.c.event_id,
                callbacks.c.kind,
                callbacks.c.uri,
                callbacks.c.state,
                callbacks.c.attempts,
                callbacks.c.created,
                callbacks.c.next_attempt,
                callbacks.c.finished,
                callbacks.c.last_status,
                callbacks.c.last_error,
            )
            .where(callbacks.c.job_id == job_id)
            .order_by(callbacks.c.id)
        )
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    async def job_callbacks(self, job_id: str) -> list[dict[str, Any]]:
        """Every callback of a job, oldest first, with the outcome of its attempts."""
        return await self._call(self._job_callbacks_sync, job_id)
