"""A job store on SQLAlchemy Core, independent of the database dialect.

:class:`SqlJobStore` holds every query. A dialect subclass (SQLite now,
PostgreSQL later) only says how to connect, how a write transaction begins and
how candidates for a claim are locked.
"""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from eoproc.models import JobStatus
from eoproc.server.service import JobQuery

from . import migrations
from .eventlog import Change, EventQueries
from .idempotency import IdempotencyQueries
from .leases import LeaseQueries, requeue_values
from .store import (
    REQUEUED_MESSAGE,
    ClaimedJob,
    JobRecord,
    NewJob,
    StoreUnavailable,
    WriteBatch,
    decode_cursor,
    now_us,
    to_us,
)

T = TypeVar("T")

metadata = sa.MetaData()

jobs = sa.Table(
    "eoproc_jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("process_id", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("progress", sa.Integer),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("started", sa.BigInteger),
    sa.Column("finished", sa.BigInteger),
    sa.Column("updated", sa.BigInteger, nullable=False),
    sa.Column("duration", sa.Float),
    sa.Column("owner", sa.String(64)),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text),
    sa.Column("results", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("response", sa.String(16)),
    sa.Column("lease_until", sa.BigInteger),
    sa.Column("user_id", sa.String(255)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("retries", sa.Integer, nullable=False, server_default="0"),
    sa.Column("subscriber", sa.Text),
    sa.Index("ix_eoproc_jobs_created", "created", "id"),
    sa.Index("ix_eoproc_jobs_status_created", "status", "created", "id"),
    sa.Index("ix_eoproc_jobs_process_created", "process_id", "created", "id"),
    sa.Index("ix_eoproc_jobs_duration", "duration"),
    sa.Index("ix_eoproc_jobs_finished", "finished"),
    sa.Index("ix_eoproc_jobs_user_created", "user_id", "created", "id"),
)
"""The jobs table as the queries see it; its schema is made by :mod:`.migrations`."""

counters = sa.Table(
    "eoproc_counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
"""Durable counters (made by :mod:`.migrations`): ``job`` numbers readable job ids."""
_NEXT_JOB_NUMBER = (
    sa.update(counters)
    .where(counters.c.name == "job")
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
)

_SUMMARY = (
    jobs.c.id,
    jobs.c.process_id,
    jobs.c.status,
    jobs.c.message,
    jobs.c.progress,
    jobs.c.created,
    jobs.c.started,
    jobs.c.finished,
    jobs.c.updated,
    jobs.c.user_id,
    jobs.c.attempts,
    jobs.c.retries,
)
_FULL = (*_SUMMARY, jobs.c.inputs, jobs.c.outputs, jobs.c.results, jobs.c.error, jobs.c.response)
_ACTIVE = (JobStatus.accepted.value, JobStatus.running.value)
_MAX_SPLIT = 16  # list queries with several filter values run one indexed query per value

_GET_SUMMARY = sa.select(*_SUMMARY).where(jobs.c.id == sa.bindparam("job_id"))
_GET_FULL = sa.select(*_FULL).where(jobs.c.id == sa.bindparam("job_id"))
_PROGRESS = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("b_id"), jobs.c.status == JobStatus.running.value)
    .values(
        progress=sa.func.coalesce(sa.bindparam("b_progress", type_=sa.Integer), jobs.c.progress),
        message=sa.func.coalesce(sa.bindparam("b_message", type_=sa.Text), jobs.c.message),
        updated=sa.bindparam("b_updated", type_=sa.BigInteger),
    )
)
_B_STARTED = sa.func.coalesce(sa.bindparam("b_started", type_=sa.BigInteger), jobs.c.started)
_B_FINISHED = sa.bindparam("b_finished", type_=sa.BigInteger)
_OUTCOME = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("b_id"), jobs.c.status == JobStatus.running.value)
    .values(
        status=sa.bindparam("b_status", type_=sa.String),
        message=sa.bindparam("b_message", type_=sa.Text),
        progress=sa.func.coalesce(sa.bindparam("b_progress", type_=sa.Integer), jobs.c.progress),
        started=_B_STARTED,
        finished=_B_FINISHED,
        updated=_B_FINISHED,
        duration=(_B_FINISHED - _B_STARTED) / 1_000_000.0,
        results=sa.bindparam("b_results", type_=sa.Text),
        error=sa.bindparam("b_error", type_=sa.Text),
    )
)


_HAS_ATTEMPTS_LEFT = jobs.c.attempts <= jobs.c.retries
_REQUEUE = (
    sa.update(jobs)
    .where(
        jobs.c.id == sa.bindparam("b_id"),
        jobs.c.status == JobStatus.running.value,
        _HAS_ATTEMPTS_LEFT,
    )
    .values(
        status=JobStatus.accepted.value,
        message=sa.bindparam("b_message", type_=sa.Text),
        progress=None,
        started=None,
        owner=None,
        lease_until=None,
        updated=sa.bindparam("b_updated", type_=sa.BigInteger),
    )
)


def _record(row: Any) -> JobRecord:
    full = len(row) > len(_SUMMARY)
    return JobRecord(
        id=row[0],
        process_id=row[1],
        status=JobStatus(row[2]),
        message=row[3],
        progress=row[4],
        created=row[5],
        started=row[6],
        finished=row[7],
        updated=row[8],
        user_id=row[9],
        attempts=row[10],
        retries=row[11],
        inputs_json=row[12] if full else None,
        outputs_json=row[13] if full else None,
        results_json=row[14] if full else None,
        error_json=row[15] if full else None,
        response=row[16] if full else None,
    )


class SqlJobStore(LeaseQueries, IdempotencyQueries, EventQueries):
    """Every query of the job store, on one long-lived SQLAlchemy connection."""

    def __init__(self, url: str, results_root: Path, *, auto_migrate: bool = True) -> None:
        self.url = url
        self.results_root = results_root
        self.auto_migrate = auto_migrate
        """Upgrade an older schema on :meth:`open` (else refuse, naming the command)."""
        self.lease = 30.0
        """Seconds a claim holds a running job before another server may fail it."""
        self.migrated: list[migrations.Step] = []
        """The migration steps the last :meth:`open` applied."""
        self._engine: sa.Engine | None = None
        self._conn: sa.Connection | None = None
        self._claim: sa.Update | None = None
        self._subscribed: set[str] = set()
        """Jobs with callbacks this store claimed, until their outcome."""

    # -- dialect hooks -------------------------------------------------------------

    def _create_engine(self) -> sa.Engine:
        return sa.create_engine(self.url)

    def _prepare(self, conn: sa.Connection) -> None:
        """Dialect set-up after connecting, before the schema is created."""

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction on the store's connection."""
        conn = self._connection()
        with conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A read on the store's connection."""
        conn = self._connection()
        with conn.begin():
            yield conn

    def _claim_candidates(self) -> sa.Select[Any]:
        """The ids of the ``b_limit`` oldest accepted jobs, locked where the dialect can
        (PostgreSQL: ``FOR UPDATE SKIP LOCKED``)."""
        return (
            sa.select(jobs.c.id)
            .where(jobs.c.status == JobStatus.accepted.value)
            .order_by(jobs.c.created, jobs.c.id)
            .limit(sa.bindparam("b_limit", type_=sa.Integer))
        )

    def _claim_statement(self) -> sa.Update:
        """``accepted`` → ``running`` for the candidates, returning what executors need."""
        now = sa.bindparam("b_now", type_=sa.BigInteger)
        return (
            sa.update(jobs)
            .where(jobs.c.id.in_(self._claim_candidates()))
            .values(
                status=JobStatus.running.value,
                started=now,
                updated=now,
                owner=sa.bindparam("b_owner", type_=sa.String),
                lease_until=now + sa.bindparam("b_lease", type_=sa.BigInteger),
                message="Running",
                attempts=jobs.c.attempts + 1,
            )
            .returning(
                jobs.c.id,
                jobs.c.process_id,
                jobs.c.inputs,
                jobs.c.outputs,
                jobs.c.created,
                jobs.c.subscriber,
            )
        )

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call; SQLite calls are short enough to run inline."""
        return fn(*args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """:meth:`_run`; an unreachable or busy database raises :class:`StoreUnavailable`."""
        try:
            return await self._run(fn, *args)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StoreUnavailable(str(exc.orig or exc)) from exc

    async def run_read(self, fn: Callable[[sa.Connection], T]) -> T:
        """``fn(connection)`` in a read transaction (for the tables of extensions)."""

        def call() -> T:
            with self._read() as conn:
                return fn(conn)

        return await self._call(call)

    async def run_write(self, fn: Callable[[sa.Connection], T]) -> T:
        """``fn(connection)`` in a write transaction (for the tables of extensions)."""

        def call() -> T:
            with self._write() as conn:
                return fn(conn)

        return await self._call(call)

    # -- life cycle --------------------------------------------------------------

    def _connection(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("the job store is not open (call open() first)")
        return self._conn

    def _open_sync(self) -> None:
        self.results_root.mkdir(parents=True, exist_ok=True)
        self._engine = self._create_engine()
        self._conn = self._engine.connect()
        self._prepare(self._conn)
        with self._write() as conn:
            self.migrated = migrations.prepare(conn, url=self.url, auto_migrate=self.auto_migrate)

    def _close_sync(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def open(self) -> None:
        await self._call(self._open_sync)

    async def close(self) -> None:
        await self._call(self._close_sync)

    # -- writes ------------------------------------------------------------------

    def _insert_jobs(self, conn: sa.Connection, new_jobs: list[NewJob]) -> None:
        conn.execute(
            jobs.insert(),
            [
                {
                    "id": job.id,
                    "process_id": job.process_id,
                    "status": JobStatus.accepted.value,
                    "created": job.created,
                    "updated": job.created,
                    "inputs": job.inputs_json,
                    "outputs": job.outputs_json,
                    "response": job.response,
                    "user_id": job.user_id,
                    "retries": job.retries,
                    "subscriber": job.subscriber_json,
                }
                for job in new_jobs
            ],
        )
        fresh = {job.id for job in new_jobs if job.subscriber_json}
        self._record(conn, [Change(job.id) for job in new_jobs], now_us(), fresh.__contains__)

    def _apply_sync(self, batch: WriteBatch) -> list[ClaimedJob]:
        now = now_us()
        claimed: list[ClaimedJob] = []
        with self._write() as conn:
            if batch.inserts:
                self._insert_jobs(conn, batch.inserts)
            if batch.progress:
                conn.execute(
                    _PROGRESS,
                    [
                        {"b_id": job_id, "b_progress": pct, "b_message": msg, "b_updated": now}
                        for job_id, (pct, msg) in batch.progress.items()
                    ],
                )
            retried = [o for o in batch.outcomes if o.retry]
            if retried:  # those with attempts left go back to the queue, the others end
                conn.execute(
                    _REQUEUE,
                    [
                        {
                            "b_id": o.id,
                            "b_message": REQUEUED_MESSAGE.format(
                                reason=(o.message or "interrupted").rstrip(".")
                            ),
                            "b_updated": now,
                        }
                        for o in retried
                    ],
                )
            if batch.outcomes:
                conn.execute(
                    _OUTCOME,
                    [
                        {
                            "b_id": o.id,
                            "b_status": o.status.value,
                            "b_message": o.message,
                            "b_progress": o.progress,
                            "b_started": o.started,
                            "b_finished": o.finished,
                            "b_results": o.results_json,
                            "b_error": o.error_json,
                        }
                        for o in batch.outcomes
                    ],
                )
            changes = [Change(job_id, "progress") for job_id in batch.progress]
            changes += [Change(o.id, expect=(o.status.value, o.finished)) for o in batch.outcomes]
            self._record(conn, changes, now, self._has_sub)
            if batch.claim > 0:
                if self._claim is None:
                    self._claim = self._claim_statement()
                params = {
                    "b_limit": batch.claim,
                    "b_now": now,
                    "b_owner": batch.owner,
                    "b_lease": round(self.lease * 1_000_000),
                }
                stmt = self._claim
                rows = sorted(conn.execute(stmt, params).all(), key=lambda r: (r[4], r[0]))
                claimed = [ClaimedJob(r[0], r[1], r[2], r[3]) for r in rows]
                self._subscribed.update(r[0] for r in rows if r[5])
                self._record(conn, [Change(job.id) for job in claimed], now, self._has_sub)
        self._subscribed.difference_update(o.id for o in batch.outcomes)
        return claimed

    def _has_sub(self, job_id: str) -> bool:
        """Whether this store claimed ``job_id``, a job with a subscriber (running)."""
        return job_id in self._subscribed

    async def apply(self, batch: WriteBatch) -> list[ClaimedJob]:
        return await self._call(self._apply_sync, batch)

    def _next_job_number_sync(self) -> int:
        with self._write() as conn:
            value = conn.execute(_NEXT_JOB_NUMBER).scalar_one()
        return int(value) - 1

    async def next_job_number(self) -> int:
        """The next number of the store's job counter (0, 1, 2, ...): never given twice,
        also across restarts and by replicas sharing the database (the row is locked)."""
        return await self._call(self._next_job_number_sync)

    def _dismiss_sync(self, job_id: str, now: int) -> tuple[JobStatus, JobRecord] | None:
        with self._write() as conn:
            prev = conn.execute(
                sa.select(jobs.c.status).where(jobs.c.id == job_id).with_for_update()
            ).scalar_one_or_none()
            if prev is None:
                return None
            values: dict[str, Any] = {
                "status": JobStatus.dismissed.value,
                "updated": now,
                "message": "Job dismissed",
                "results": None,
            }
            if prev in _ACTIVE:
                values["finished"] = now
                if prev == JobStatus.running.value:
                    values["duration"] = (now - jobs.c.started) / 1_000_000.0
            if prev != JobStatus.dismissed.value:
                conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(**values))
                self._record(conn, [Change(job_id)], now)
            row = conn.execute(_GET_SUMMARY, {"job_id": job_id}).one()
        return JobStatus(prev), _record(row)

    async def dismiss(self, job_id: str, now: int) -> tuple[JobStatus, JobRecord] | None:
        return await self._call(self._dismiss_sync, job_id, now)

    def _fail_running_sync(self, message: str, now: int, job_ids: Sequence[str] | None) -> int:
        error = json.dumps({"message": message})
        stmt = sa.update(jobs).where(jobs.c.status == JobStatus.running.value)
        if job_ids is not None:
            if not job_ids:
                return 0
            stmt = stmt.where(jobs.c.id.in_(list(job_ids)))
        requeue = stmt.where(_HAS_ATTEMPTS_LEFT).values(**requeue_values(message, now))
        stmt = stmt.values(
            status=JobStatus.failed.value,
            message=message,
            finished=now,
            updated=now,
            duration=(now - jobs.c.started) / 1_000_000.0,
            error=error,
        ).returning(jobs.c.id)
        with self._write() as conn:
            requeued = [row[0] for row in conn.execute(requeue.returning(jobs.c.id))]
            failed = [row[0] for row in conn.execute(stmt)]
            self._record(conn, [Change(job_id) for job_id in requeued + failed], now)
        return len(requeued) + len(failed)

    async def fail_running(
        self, message: str, now: int, job_ids: Sequence[str] | None = None
    ) -> int:
        return await self._call(self._fail_running_sync, message, now, job_ids)

    # -- reads -------------------------------------------------------------------

    def _get_sync(self, job_id: str, full: bool) -> JobRecord | None:
        with self._read() as conn:
            row = conn.execute(_GET_FULL if full else _GET_SUMMARY, {"job_id": job_id}).first()
        return None if row is None else _record(row)

    async def get(self, job_id: str, *, full: bool = False) -> JobRecord | None:
        return await self._call(self._get_sync, job_id, full)

    def _count_sync(self, status: JobStatus) -> int:
        stmt = sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status == status.value)
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    async def count(self, status: JobStatus) -> int:
        return await self._call(self._count_sync, status)

    def list_statement(
        self, query: JobQuery, status: str | None = None, process_id: str | None = None
    ) -> sa.Select[Any]:
        """The query of one page; one status and process when given, else the query's lists."""
        stmt = sa.select(*_SUMMARY)
        if status is not None:
            stmt = stmt.where(jobs.c.status == status)
        elif query.statuses:
            stmt = stmt.where(jobs.c.status.in_([JobStatus(s).value for s in query.statuses]))
        if process_id is not None:
            stmt = stmt.where(jobs.c.process_id == process_id)
        elif query.process_ids:
            stmt = stmt.where(jobs.c.process_id.in_(list(query.process_ids)))
        if query.owner is not None:
            stmt = stmt.where(jobs.c.user_id == query.owner)
        if query.created_after is not None:
            stmt = stmt.where(jobs.c.created >= to_us(query.created_after))
        if query.created_before is not None:
            stmt = stmt.where(jobs.c.created <= to_us(query.created_before))
        now = now_us()
        running = jobs.c.status == JobStatus.running.value
        if query.min_duration is not None:
            since = now - round(query.min_duration * 1_000_000)
            stmt = stmt.where(
                sa.or_(jobs.c.duration >= query.min_duration, running & (jobs.c.started <= since))
            )
        if query.max_duration is not None:
            since = now - round(query.max_duration * 1_000_000)
            stmt = stmt.where(
                sa.or_(jobs.c.duration <= query.max_duration, running & (jobs.c.started >= since))
            )
        if query.cursor:
            created, job_id = decode_cursor(query.cursor)
            stmt = stmt.where(sa.tuple_(jobs.c.created, jobs.c.id) < sa.tuple_(created, job_id))
        return stmt.order_by(jobs.c.created.desc(), jobs.c.id.desc()).limit(query.limit + 1)

    def _list_sync(self, query: JobQuery) -> tuple[list[JobRecord], tuple[int, str] | None]:
        if query.types is not None and "process" not in query.types:
            return [], None
        if query.limit < 1:
            raise ValueError(f"limit must be at least 1, not {query.limit}")
        statuses = [JobStatus(s).value for s in query.statuses] if query.statuses else [None]
        processes = list(query.process_ids) if query.process_ids else [None]
        combos = list(itertools.product(statuses, processes))
        if len(combos) > _MAX_SPLIT:
            combos = [(None, None)]
        with self._read() as conn:
            pages = [
                [_record(row) for row in conn.execute(self.list_statement(query, s, p))]
                for s, p in combos
            ]
        merged = heapq.merge(*pages, key=lambda r: (r.created, r.id), reverse=True)
        records = list(itertools.islice(merged, query.limit + 1))
        if len(records) > query.limit:
            last = records[query.limit - 1]
            return records[: query.limit], (last.created, last.id)
        return records, None

    async def list(self, query: JobQuery) -> tuple[list[JobRecord], tuple[int, str] | None]:
        return await self._call(self._list_sync, query)
