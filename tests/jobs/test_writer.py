"""The batch writer (group commits) on a real SQLite store: what one moment brings is
written in one transaction; when the store cannot write, waiting submissions fail with
``ServiceUnavailable`` (and a retry delay) and outcomes wait for the next batch."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from eoproc.jobs import SqliteJobStore
from eoproc.jobs.store import ClaimedJob, NewJob, OutcomeRecord, WriteBatch, now_us
from eoproc.jobs.tables import events
from eoproc.jobs.writer import BatchWriter
from eoproc.models import JobStatus
from eoproc.server.service import ServiceUnavailable


class Recorder:
    """What the writer hands on: claimed jobs, written outcomes, and each write."""

    def __init__(self) -> None:
        self.claimed: list[list[ClaimedJob]] = []
        self.written: list[list[OutcomeRecord]] = []
        self.writes = 0

    def after_write(self) -> None:
        self.writes += 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteJobStore]:
    # a write waits 50 ms for a lock held elsewhere, then the store is "unavailable"
    store = SqliteJobStore(tmp_path / "jobs.db", busy_timeout=0.05)
    await store.open()
    yield store
    await store.close()


def start_writer(store: SqliteJobStore, recorder: Recorder, capacity: int = 0) -> BatchWriter:
    writer = BatchWriter(
        store,
        "test-owner",
        capacity=lambda: capacity,
        on_claimed=recorder.claimed.append,
        on_written=recorder.written.append,
    )
    writer.after_write = recorder.after_write
    writer.start()
    return writer


def job(job_id: str) -> NewJob:
    return NewJob(job_id, "echo", now_us(), "{}")


async def test_submissions_of_one_moment_share_one_transaction(store: SqliteJobStore) -> None:
    recorder = Recorder()
    writer = start_writer(store, recorder, capacity=2)
    try:
        await asyncio.gather(*(writer.insert(job(f"job-{i}")) for i in range(3)))
    finally:
        await writer.close()
    assert recorder.writes == 1
    accepted = sa.select(events.c.created).where(events.c.status == JobStatus.accepted.value)
    moments = await store.run_read(lambda conn: list(conn.execute(accepted).scalars()))
    assert len(moments) == 3 and len(set(moments)) == 1  # one insert of the three
    assert [[claimed.id for claimed in jobs] for jobs in recorder.claimed] == [["job-0", "job-1"]]
    assert writer.queued == 1
    assert await store.count(JobStatus.running) == 2
    assert await store.count(JobStatus.accepted) == 1


async def test_a_store_failure_fails_submissions_and_keeps_outcomes(
    store: SqliteJobStore,
) -> None:
    started = now_us()
    await store.apply(WriteBatch(inserts=[job("running")]))
    assert [claimed.id for claimed in await store.apply(WriteBatch(claim=1, owner="o"))] == [
        "running"
    ]
    recorder = Recorder()
    writer = start_writer(store, recorder)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the database is locked by another connection
        done = OutcomeRecord("running", JobStatus.successful, None, started, now_us())
        writer.outcome(done)
        submitted = [writer.insert(job("new-1")), writer.insert(job("new-2"))]
        for future in submitted:
            with pytest.raises(ServiceUnavailable) as caught:
                await future
            assert caught.value.retry_after is not None and caught.value.retry_after > 0
        assert recorder.written == [] and recorder.writes == 0
        assert writer.queued == 0
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
        await writer.close()  # writes what is pending: the outcome, kept for the next batch
    assert recorder.written == [[done]]
    record = await store.get("running")
    assert record is not None and record.status == JobStatus.successful
    assert await store.get("new-1") is None and await store.get("new-2") is None
