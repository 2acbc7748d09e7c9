"""Job events and the callbacks outbox, kept in the store beside the jobs.

Every state change the store writes (a job accepted, claimed, its progress, its
outcome, a dismissal, a job failed for a lost lease) is recorded, in the same
transaction, as an *event*: a snapshot of the job's status info with a
increasing id (the ``id`` of ``eoproc_job_events``). Events of one job are
ordered by id in commit order, since each one is written after its job's row
was changed (and locked) in the same transaction. Event streams read them
(``GET /jobs/{id}/events``, resumable with ``Last-Event-ID``).

An event of a job whose execute request named a ``subscriber`` also queues a
*callback* (``eoproc_callbacks``), delivered by :mod:`.outbox`: ``running`` and
progress events go to ``inProgressUri``, ``successful`` to ``successUri``,
``failed`` and ``dismissed`` to ``failedUri``. Deliveries are claimed like jobs
(``FOR UPDATE SKIP LOCKED`` on a shared store), one at a time per job and URI,
in order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa

from eoproc.models import JobStatus

from .base import Change
from .outbox_store import CallbackQueries, Delivery, callback_document
from .store import JobRecord
from .tables import (
    CANCELLED,
    DELIVERED,
    FAILED,
    IN_PROGRESS,
    PENDING,
    SUPERSEDED,
    callbacks,
    events,
    jobs,
)
from .views import status_info

_RUNNING = JobStatus.running.value
_FINAL = frozenset({JobStatus.successful, JobStatus.failed, JobStatus.dismissed})


class _Target(NamedTuple):
    """Where the callback of an event of a status goes, and its kind."""

    uri_name: str
    kind: str


_TARGETS = {
    JobStatus.running: _Target("inProgressUri", "inProgress"),
    JobStatus.successful: _Target("successUri", "success"),
    JobStatus.failed: _Target("failedUri", "failed"),
    JobStatus.dismissed: _Target("failedUri", "failed"),
}
_CHUNK = 500
_CURSOR_CHUNK = 100
"""Jobs per query of :meth:`EventQueries.events_after` (one index range each)."""


def retry_for() -> float:
    """Seconds a callback is retried before it is given up (``EOPROC_CALLBACK_RETRY_FOR``)."""
    return float(os.environ.get("EOPROC_CALLBACK_RETRY_FOR") or 3600.0)


@dataclass(frozen=True)
class StoredEvent:
    """One recorded event: its id, job, kind, status and status-info document."""

    id: int
    job_id: str
    kind: str
    status: JobStatus
    data: dict[str, Any]

    @property
    def final(self) -> bool:
        """Whether it is the last event of its job."""
        return self.status in _FINAL


def subscriber_json(subscriber: Mapping[str, Any] | None, base: str | None) -> str | None:
    """What ``jobs.subscriber`` keeps: the callback URIs and the server's base URL."""
    uris = {k: v for k, v in (subscriber or {}).items() if k in _URI_NAMES and v}
    if not uris:
        return None
    return json.dumps({"subscriber": uris, "base": base})


_URI_NAMES = ("successUri", "inProgressUri", "failedUri")


_EVENT_COLUMNS = (
    "job_id",
    "user_id",
    "kind",
    "status",
    "process_id",
    "message",
    "progress",
    "job_created",
    "started",
    "finished",
    "updated",
    "created",
)
_COPIED = "id, user_id, {kind}, status, process_id, message, progress, created, started, finished"


def _copy_statement(conn: sa.Connection, condition: str) -> str:
    """``INSERT INTO events SELECT`` (the job's row) ``WHERE id = ? AND condition``, in the
    driver's own parameter style (executed with ``executemany``: no per-row overhead)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    copied = _COPIED.format(kind=f"CAST({mark} AS VARCHAR(16))")
    return (
        f"INSERT INTO {events.name} ({', '.join(_EVENT_COLUMNS)}) "
        f"SELECT {copied}, updated, CAST({mark} AS BIGINT) FROM {jobs.name} WHERE id = {mark}"
        + (f" AND {condition.replace('?', mark)}" if condition else "")
    )


def _status_document(row: Any) -> dict[str, Any]:
    record = JobRecord(
        id=row.job_id,
        process_id=row.process_id,
        status=JobStatus(row.status),
        message=row.message,
        progress=row.progress,
        created=row.job_created,
        started=row.started,
        finished=row.finished,
        updated=row.updated,
    )
    return status_info(record).to_dict()


def status_document(job_id: str, data: str) -> dict[str, Any]:
    """The status info (JSON) kept with a callback (``data``: the event's status info)."""
    document: dict[str, Any] = json.loads(data)
    document["jobID"] = job_id
    return document


_LAST_EVENT = sa.select(sa.func.max(events.c.id))
_SUBSCRIBED = (
    sa.select(events, jobs.c.subscriber)
    .join(jobs, jobs.c.id == events.c.job_id)
    .where(
        events.c.id > sa.bindparam("before", type_=sa.BigInteger),
        events.c.job_id.in_(sa.bindparam("ids", expanding=True)),
        jobs.c.subscriber.is_not(None),
    )
)


def record(
    conn: sa.Connection,
    changes: Sequence[Change],
    now: int,
    subscribed: Callable[[str], bool] | None = None,
) -> int:
    """Copy the state of each changed job into a new event (``INSERT ... SELECT``, so
    that an ignored change, such as the progress of a job that is not running, records
    nothing), and queue the callbacks the events trigger, in the caller's transaction;
    how many callbacks were queued.

    The callbacks are found among the new events of subscribed jobs: the jobs' rows are
    locked by this transaction, so no other transaction adds events of these jobs.
    ``subscribed(job_id)``, when given, says whether a job may have a subscriber (the
    store remembers the subscribed jobs it inserted or claimed): without any, no
    callback is looked for.
    """
    if not changes:
        return 0
    look = subscribed is None or any(subscribed(change.job_id) for change in changes)
    before = (conn.execute(_LAST_EVENT).scalar() or 0) if look else 0
    plain = [(change.kind, now, change.job_id) for change in changes if change.expect is None]
    plain_progress = [row for row in plain if row[0] == "progress"]
    plain_status = [row for row in plain if row[0] != "progress"]
    ended = [
        ("status", now, change.job_id, *change.expect)
        for change in changes
        if change.expect is not None
    ]
    for condition, rows in (
        ("", plain_status),
        (f"status = '{_RUNNING}'", plain_progress),
        ("status = ? AND finished = ?", ended),
    ):
        if rows:
            conn.exec_driver_sql(_copy_statement(conn, condition), rows)
    if not look:
        return 0
    ids = list(dict.fromkeys(change.job_id for change in changes))
    found: list[Any] = []
    for chunk in _chunks(ids):
        found.extend(conn.execute(_SUBSCRIBED, {"before": before, "ids": list(chunk)}))
    return _queue_callbacks(conn, sorted(found, key=lambda row: row.id), now)


def _queue_callbacks(conn: sa.Connection, rows: Sequence[Any], now: int) -> int:
    queued = []
    deadline = now + round(retry_for() * 1_000_000)
    for row in rows:
        target = _TARGETS.get(JobStatus(row.status))
        stored = json.loads(row.subscriber)
        uri = stored.get("subscriber", {}).get(target.uri_name) if target else None
        if target and uri:
            queued.append(
                {
                    "job_id": row.job_id,
                    "event_id": row.id,
                    "kind": target.kind,
                    "uri": uri,
                    "base": stored.get("base"),
                    "data": json.dumps(_status_document(row), separators=(",", ":")),
                    "state": PENDING,
                    "attempts": 0,
                    "created": now,
                    "next_attempt": now,
                    "deadline": deadline,
                }
            )
    if queued:
        conn.execute(callbacks.insert(), queued)
    return len(queued)


def forget(conn: sa.Connection, job_ids: Sequence[str]) -> None:
    """Delete the events and callbacks of purged jobs."""
    for chunk in _chunks(job_ids):
        conn.execute(sa.delete(events).where(events.c.job_id.in_(chunk)))
        conn.execute(sa.delete(callbacks).where(callbacks.c.job_id.in_(chunk)))


def _event(row: Any) -> StoredEvent:
    return StoredEvent(row.id, row.job_id, row.kind, JobStatus(row.status), _status_document(row))


class EventQueries(CallbackQueries):
    """The event and outbox queries of a store, mixed into ``SqlJobStore``."""

    callbacks_queued: Callable[[int], None] | None = None
    """Told how many callbacks a write queued (the outbox wakes up)."""

    def _record(
        self,
        conn: sa.Connection,
        changes: Sequence[Change],
        now: int,
        subscribed: Callable[[str], bool] | None = None,
    ) -> None:
        """Record ``changes`` (see :func:`record`) and tell :attr:`callbacks_queued`."""
        queued = record(conn, changes, now, subscribed)
        if queued and self.callbacks_queued is not None:
            self.callbacks_queued(queued)

    # -- events --------------------------------------------------------------------

    def _events_after_sync(self, cursors: Mapping[str, int]) -> list[StoredEvent]:
        found: list[StoredEvent] = []
        ids = list(cursors)
        with self._read() as conn:
            for start in range(0, len(ids), _CURSOR_CHUNK):
                chunk = ids[start : start + _CURSOR_CHUNK]
                after = sa.or_(
                    *(sa.and_(events.c.job_id == job, events.c.id > cursors[job]) for job in chunk)
                )
                query = sa.select(events).where(after).order_by(events.c.id)
                found.extend(_event(row) for row in conn.execute(query))
        found.sort(key=lambda event: event.id)
        return found

    async def events_after(self, cursors: Mapping[str, int]) -> list[StoredEvent]:
        """The events of each job in ``cursors`` after its event id, in id order."""
        if not cursors:
            return []
        return await self._call(self._events_after_sync, dict(cursors))

    def _latest_event_sync(self, job_id: str) -> StoredEvent | None:
        query = (
            sa.select(events).where(events.c.job_id == job_id).order_by(events.c.id.desc()).limit(1)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return None if row is None else _event(row)

    async def latest_event(self, job_id: str) -> StoredEvent | None:
        """The last event of a job (``None``: none recorded)."""
        return await self._call(self._latest_event_sync, job_id)


__all__ = [
    "CANCELLED",
    "DELIVERED",
    "FAILED",
    "IN_PROGRESS",
    "PENDING",
    "SUPERSEDED",
    "Change",
    "Delivery",
    "EventQueries",
    "StoredEvent",
    "callback_document",
    "callbacks",
    "events",
    "record",
    "subscriber_json",
]


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
