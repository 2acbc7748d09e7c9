"""The store's reads of jobs: one job, counts, and pages of the job list."""

from __future__ import annotations

import heapq
import itertools
from typing import Any

import sqlalchemy as sa

from eoproc.models import JobStatus
from eoproc.server.service import JobQuery

from .base import StoreHooks
from .store import JobRecord, decode_cursor, now_us, to_us
from .tables import jobs

SUMMARY = (
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
"""The columns of a :class:`JobRecord` without its JSON members."""
FULL = (*SUMMARY, jobs.c.inputs, jobs.c.outputs, jobs.c.results, jobs.c.error, jobs.c.response)
"""Every column of a :class:`JobRecord`."""
GET_SUMMARY = sa.select(*SUMMARY).where(jobs.c.id == sa.bindparam("job_id"))
_GET_FULL = sa.select(*FULL).where(jobs.c.id == sa.bindparam("job_id"))
_MAX_SPLIT = 16  # list queries with several filter values run one indexed query per value


def job_record(row: Any) -> JobRecord:
    """The record of a row of :data:`SUMMARY` or :data:`FULL` columns (read by name)."""
    values = row._mapping
    full = len(values) > len(SUMMARY)  # (asking a summary row for a JSON member would raise)
    return JobRecord(
        id=values["id"],
        process_id=values["process_id"],
        status=JobStatus(values["status"]),
        message=values["message"],
        progress=values["progress"],
        created=values["created"],
        started=values["started"],
        finished=values["finished"],
        updated=values["updated"],
        user_id=values["user_id"],
        attempts=values["attempts"],
        retries=values["retries"],
        inputs_json=values["inputs"] if full else None,
        outputs_json=values["outputs"] if full else None,
        results_json=values["results"] if full else None,
        error_json=values["error"] if full else None,
        response=values["response"] if full else None,
    )


class JobReads(StoreHooks):
    """Reads of the jobs table."""

    def _get_sync(self, job_id: str, full: bool) -> JobRecord | None:
        with self._read() as conn:
            row = conn.execute(_GET_FULL if full else GET_SUMMARY, {"job_id": job_id}).first()
        return None if row is None else job_record(row)

    async def get(self, job_id: str, *, full: bool = False) -> JobRecord | None:
        """One job (with its JSON members when ``full``), or ``None``."""
        return await self._call_read(self._get_sync, job_id, full)

    def _count_sync(self, status: JobStatus) -> int:
        stmt = sa.select(sa.func.count()).select_from(jobs).where(jobs.c.status == status.value)
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    async def count(self, status: JobStatus) -> int:
        """How many jobs have ``status``."""
        return await self._call_read(self._count_sync, status)

    def list_statement(
        self, query: JobQuery, status: str | None = None, process_id: str | None = None
    ) -> sa.Select[Any]:
        """The query of one page; one status and process when given, else the query's lists."""
        stmt = sa.select(*SUMMARY)
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
                [job_record(row) for row in conn.execute(self.list_statement(query, s, p))]
                for s, p in combos
            ]
        merged = heapq.merge(*pages, key=lambda r: (r.created, r.id), reverse=True)
        records = list(itertools.islice(merged, query.limit + 1))
        if len(records) > query.limit:
            last = records[query.limit - 1]
            return records[: query.limit], (last.created, last.id)
        return records, None

    async def list(self, query: JobQuery) -> tuple[list[JobRecord], tuple[int, str] | None]:
        """One page of jobs newest first, and the ``(created, id)`` key after which the
        next page starts (``None`` on the last page); ``ValueError`` for a bad cursor."""
        return await self._call_read(self._list_sync, query)
