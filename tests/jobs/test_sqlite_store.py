"""SQLite specifics of the job store: index use, atomic claims across connections."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService, SqliteJobStore
from eoproc.jobs.store import NewJob, WriteBatch, encode_cursor, to_datetime
from eoproc.models import ExecuteRequest, JobStatus
from eoproc.server.service import InvalidInput, JobQuery

from .conftest import wait_for
from .test_store_contract import BASE, SECOND


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteJobStore]:
    store = SqliteJobStore(tmp_path / "jobs.db")
    await store.open()
    jobs = [NewJob(f"job-{i:02d}", "abc"[i % 3], BASE + i * SECOND, "{}") for i in range(30)]
    await store.apply(WriteBatch(inserts=jobs))
    yield store
    await store.close()


def plan(store: SqliteJobStore, query: JobQuery, status: str | None, process: str | None) -> str:
    stmt = store.list_statement(query, status, process)
    sql = str(stmt.compile(compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(store.path) as conn:
        return " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))


async def test_list_queries_use_the_indexes(store: SqliteJobStore) -> None:
    cursor = encode_cursor(BASE + 10 * SECOND, "job-10")
    cases = [
        (JobQuery(), None, None),
        (JobQuery(cursor=cursor), None, None),
        (JobQuery(statuses=[JobStatus.running], cursor=cursor), "running", None),
        (JobQuery(process_ids=["a"]), None, "a"),
        (JobQuery(created_after=to_datetime(BASE)), None, None),
    ]
    for query, status, process in cases:
        text = plan(store, query, status, process)
        assert "USING INDEX" in text or "USING COVERING INDEX" in text, text
        assert "TEMP B-TREE" not in text, text
        # in index order, stopping after `limit` rows: never a full scan of the table or a sort
        assert all("INDEX" in step for step in text.split(" / ")), text


async def test_claims_are_atomic_across_connections(tmp_path: Path) -> None:
    first, second = SqliteJobStore(tmp_path / "jobs.db"), SqliteJobStore(tmp_path / "jobs.db")
    await first.open()
    await second.open()
    await first.apply(
        WriteBatch(inserts=[NewJob(f"j{i}", "p", BASE + i, "{}") for i in range(300)])
    )

    def drain(store: SqliteJobStore) -> list[str]:
        got: list[str] = []
        while claimed := store._apply_sync(WriteBatch(claim=7, owner=str(id(store)))):
            got += [job.id for job in claimed]
        return got

    a, b = await asyncio.gather(asyncio.to_thread(drain, first), asyncio.to_thread(drain, second))
    assert not set(a) & set(b)
    assert sorted(a + b) == sorted(f"j{i}" for i in range(300))
    await first.close()
    await second.close()


async def test_service_lists_jobs_with_cursor(tmp_path: Path) -> None:
    from .procs import registry

    service = LocalJobService(registry, store_url=f"sqlite:///{tmp_path / 'jobs.db'}", workers=1)
    await service.start()
    try:
        jobs = [await service.execute("add", ExecuteRequest(a=i), wait=False) for i in range(5)]
        for job in jobs:
            await wait_for(service, job.jobID)
        first = await service.list_jobs(JobQuery(limit=3, process_ids=["add"]))
        assert [j.jobID for j in first.jobs] == [j.jobID for j in reversed(jobs)][:3]
        assert first.next_cursor is not None
        second = await service.list_jobs(JobQuery(limit=3, cursor=first.next_cursor))
        assert [j.jobID for j in second.jobs] == [jobs[1].jobID, jobs[0].jobID]
        assert second.next_cursor is None
        assert all(j.status == JobStatus.successful for j in first.jobs + second.jobs)
        with pytest.raises(InvalidInput):
            await service.list_jobs(JobQuery(cursor="garbage!"))
    finally:
        await service.stop()
