"""The SQLite job store: job-list filters, keyset paging, index use, atomic claims."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from eoproc.jobs import JobStore, LocalJobService, SqliteJobStore
from eoproc.jobs.store import NewJob, Outcome, WriteBatch, encode_cursor, to_datetime
from eoproc.models import ExecuteRequest, JobStatus
from eoproc.server.service import InvalidInput, JobQuery

from .conftest import wait_for

BASE = 1_700_000_000_000_000  # microseconds
SECOND = 1_000_000


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteJobStore]:
    """A store with 30 jobs: created one second apart, processes a/b/c in turn;
    the 20 oldest claimed, of which job i ran i seconds and ended successful
    (i even) or failed (i odd); the rest accepted."""
    store = SqliteJobStore(tmp_path / "jobs.db")
    await store.open()
    await store.apply(
        WriteBatch(
            inserts=[
                NewJob(f"job-{i:02d}", "abc"[i % 3], BASE + i * SECOND, "{}") for i in range(30)
            ]
        )
    )
    claimed = await store.apply(WriteBatch(claim=20, owner="test"))
    assert [job.id for job in claimed] == [f"job-{i:02d}" for i in range(20)]
    await store.apply(
        WriteBatch(
            outcomes=[
                Outcome(
                    id=f"job-{i:02d}",
                    status=JobStatus.successful if i % 2 == 0 else JobStatus.failed,
                    message=None,
                    started=BASE,
                    finished=BASE + i * SECOND,
                )
                for i in range(20)
            ]
        )
    )
    yield store
    await store.close()


async def ids(store: SqliteJobStore, **query: object) -> list[str]:
    records, _ = await store.list(JobQuery(limit=1000, **query))  # type: ignore[arg-type]
    return [record.id for record in records]


def test_store_protocol(tmp_path: Path) -> None:
    assert isinstance(SqliteJobStore(tmp_path / "jobs.db"), JobStore)


async def test_pages_newest_first_without_gaps(store: SqliteJobStore) -> None:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        records, key = await store.list(JobQuery(limit=7, cursor=cursor))
        seen += [record.id for record in records]
        pages += 1
        if key is None:
            break
        cursor = encode_cursor(*key)
    assert pages == 5
    assert seen == [f"job-{i:02d}" for i in reversed(range(30))]


async def test_filters(store: SqliteJobStore) -> None:
    assert await ids(store, statuses=[JobStatus.accepted]) == [
        f"job-{i}" for i in range(29, 19, -1)
    ]
    assert await ids(store, statuses=[JobStatus.failed], process_ids=["b"]) == [
        "job-19",
        "job-13",
        "job-07",
        "job-01",
    ]
    assert await ids(
        store, statuses=[JobStatus.failed, JobStatus.successful], process_ids=["a", "c"]
    ) == [f"job-{i:02d}" for i in range(19, -1, -1) if i % 3 != 1]
    assert await ids(store, types=["process"]) == await ids(store)
    assert await ids(store, types=["other"]) == []
    after, before = to_datetime(BASE + 5 * SECOND), to_datetime(BASE + 8 * SECOND)
    assert await ids(store, created_after=after, created_before=before) == [
        "job-08",
        "job-07",
        "job-06",
        "job-05",
    ]
    assert after is not None
    assert await ids(
        store, created_after=after + timedelta(microseconds=1), created_before=before
    ) == ["job-08", "job-07", "job-06"]
    assert await ids(store, min_duration=17) == ["job-19", "job-18", "job-17"]
    assert await ids(store, max_duration=1.5) == ["job-01", "job-00"]
    assert await ids(store, min_duration=3, max_duration=4) == ["job-04", "job-03"]


async def test_several_values_merge_across_pages(store: SqliteJobStore) -> None:
    query = {"statuses": [JobStatus.accepted, JobStatus.failed], "process_ids": ["a", "b"]}
    expected = [f"job-{i:02d}" for i in range(29, -1, -1) if i % 3 != 2 and (i >= 20 or i % 2)]
    seen: list[str] = []
    cursor = None
    while True:
        records, key = await store.list(JobQuery(limit=3, cursor=cursor, **query))  # type: ignore[arg-type]
        seen += [r.id for r in records]
        if key is None:
            break
        cursor = encode_cursor(*key)
    assert seen == expected


async def test_bad_cursor(store: SqliteJobStore) -> None:
    with pytest.raises(ValueError, match="cursor"):
        await store.list(JobQuery(cursor="%%%not-ours"))


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
