"""The job store protocol: the single source of truth about jobs, and their queue.

A store keeps one record per job. Executors *claim* accepted jobs atomically
(``accepted`` → ``running``, oldest first), so that several executors (or
server replicas on one database) never run a job twice. Writes arrive in
batches (:class:`WriteBatch`): the job service groups the inserts, progress
updates, outcomes and claims of one moment into one transaction.

Timestamps are integers, microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from eoproc.models import JobStatus
from eoproc.server.service import JobQuery

STOPPED_MESSAGE = "The server stopped while the job was running."
REQUEUED_MESSAGE = "Re-queued after an interruption ({reason})"
"""The message of a retry-safe job put back in the queue (``reason``: what happened)."""


def now_us() -> int:
    """The current time in microseconds since the epoch."""
    return time.time_ns() // 1000


def to_datetime(us: int | None) -> datetime | None:
    """A UTC datetime from microseconds since the epoch (``None`` stays ``None``)."""
    if us is None:
        return None
    return datetime.fromtimestamp(us / 1_000_000, UTC)


def to_us(value: datetime) -> int:
    """Microseconds since the epoch of a datetime (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return round(value.timestamp() * 1_000_000)


def encode_cursor(created: int, job_id: str) -> str:
    """The opaque cursor of the page that starts after job ``(created, job_id)``."""
    raw = f"{created}:{job_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """``(created, job_id)`` from a cursor; raises ``ValueError`` if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, job_id = raw.split(":", 1)
        return int(created), job_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"not a valid job-list cursor: {cursor!r}") from exc


class StoreUnavailable(Exception):
    """The store cannot be reached or is busy now; the request may be retried later."""


@dataclass(frozen=True)
class NewJob:
    """A job to insert as ``accepted``. JSON members are already encoded."""

    id: str
    process_id: str
    created: int
    inputs_json: str
    outputs_json: str | None = None
    response: str | None = None
    """The execute request's ``response`` (``raw``/``document``), if it gave one."""
    user_id: str | None = None
    """The user who owns the job (``None``: created without authentication)."""
    retries: int = 0
    """How often the job may run again after an interruption (retry-safe processes)."""
    subscriber_json: str | None = None
    """The callback URIs of the execute request and the server's base URL (JSON)."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job an executor claimed: now ``running`` and owned by that executor."""

    id: str
    process_id: str
    inputs_json: str
    outputs_json: str | None


@dataclass(frozen=True)
class OutcomeRecord:
    """The store's record of how a running job ended: the job's id, the fields of its
    :class:`~eoproc.jobs.messages.Outcome`, and whether to re-queue it instead.
    Ignored by the store unless the job is still ``running``.

    ``results_json`` (successful jobs) maps output ids to values; ``error_json``
    (failed jobs) is ``{"message": ..., "type": ..., "traceback": ...}``.
    """

    id: str
    status: JobStatus
    message: str | None
    started: int | None
    finished: int
    progress: int | None = None
    results_json: str | None = None
    error_json: str | None = None
    retry: bool = False
    """The job was interrupted (its worker died): re-queue it instead while it has
    attempts left (``attempts <= retries``); else this outcome applies."""


@dataclass
class WriteBatch:
    """Everything the job service writes at one moment, applied in one transaction.

    Order: inserts, progress, outcomes, then a claim of up to ``claim`` accepted
    jobs (oldest first) for executor ``owner``.
    """

    inserts: list[NewJob] = field(default_factory=list)
    progress: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    outcomes: list[OutcomeRecord] = field(default_factory=list)
    claim: int = 0
    owner: str = ""

    def __bool__(self) -> bool:
        return bool(self.inserts or self.progress or self.outcomes or self.claim > 0)


@dataclass(frozen=True)
class JobRecord:
    """One stored job. ``inputs_json`` etc. are only filled by :meth:`JobStore.get_full`."""

    id: str
    process_id: str
    status: JobStatus
    message: str | None
    progress: int | None
    created: int
    started: int | None
    finished: int | None
    updated: int
    inputs_json: str | None = None
    outputs_json: str | None = None
    results_json: str | None = None
    error_json: str | None = None
    response: str | None = None
    user_id: str | None = None
    attempts: int = 0
    """How often the job started."""
    retries: int = 0
    """How often it may run again after an interruption."""


@runtime_checkable
class JobStore(Protocol):
    """What the job service needs from a store (SQLite or PostgreSQL).

    Every method is a coroutine that never blocks the event loop: an implementation
    runs its blocking driver in threads of its own (or uses an async driver). A store
    that cannot be reached (or is busy past its timeout) raises :class:`StoreUnavailable`.
    """

    results_root: Path
    """Directory holding one sub-directory of result files per job."""

    async def open(self) -> None:
        """Create or upgrade the schema and connect."""

    async def close(self) -> None:
        """Release connections."""

    async def apply(self, batch: WriteBatch) -> list[ClaimedJob]:
        """Apply ``batch`` in one transaction and return the jobs it claimed."""
        ...

    async def get(self, job_id: str, *, full: bool = False) -> JobRecord | None:
        """One job (with its JSON members when ``full``), or ``None``."""
        ...

    async def list(self, query: JobQuery) -> tuple[list[JobRecord], tuple[int, str] | None]:
        """One page of jobs newest first, and the ``(created, id)`` key after which
        the next page starts (``None`` on the last page). Raises ``ValueError`` for a
        bad cursor."""
        ...

    async def dismiss(self, job_id: str, now: int) -> tuple[JobStatus, JobRecord] | None:
        """Mark a job ``dismissed`` (dropping its results) and return its previous
        status and new record; ``None`` if there is no such job."""
        ...

    async def fail_running(
        self, message: str, now: int, job_ids: Sequence[str] | None = None
    ) -> int:
        """Mark running jobs (all, or those listed) ``failed`` with ``message``; re-queue
        instead those with attempts left (retry-safe). How many changed."""
        ...

    async def count(self, status: JobStatus) -> int:
        """How many jobs have ``status``."""
        ...


@runtime_checkable
class CountingStore(Protocol):
    """A store with a durable job counter (for readable job ids ``job_0``, ``job_1``...)."""

    async def next_job_number(self) -> int:
        """The next job number: 0 first, never the same twice (restarts, replicas)."""
        ...
