"""The SQLite store never waits on the event loop: a write that finds the lock taken by
another connection waits in the store's thread, delaying only itself, and the writes
keep their order; the WAL the direct connection leaves is checkpointed in the thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eoproc.jobs import SqliteJobStore
from eoproc.jobs.calls import CallThread
from eoproc.jobs.store import NewJob, WriteBatch, now_us
from eoproc.models import JobStatus


async def test_a_write_waiting_for_a_lock_leaves_the_event_loop_running(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db", busy_timeout=30)
    await store.open()
    waiting = threading.Event()

    def began(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            waiting.set()

    blocker = sqlite3.connect(store.path, isolation_level=None)
    sa.event.listen(sa.Engine, "before_cursor_execute", began)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
        write = asyncio.create_task(
            store.apply(WriteBatch(inserts=[NewJob("job-1", "echo", now_us(), "{}")]))
        )
        while not waiting.is_set():  # the store's write is asking for the lock
            await asyncio.sleep(0.01)
        for _ in range(20):  # meanwhile, this coroutine keeps running ...
            await asyncio.sleep(0.01)
        assert not write.done()  # ... while the write still waits for the lock
        blocker.execute("ROLLBACK")
        assert await write == []
        record = await store.get("job-1")
        assert record is not None
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", began)
        blocker.close()
        await store.close()


async def test_a_write_queued_behind_a_waiting_write_is_not_applied_before_it(
    tmp_path: Path,
) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db", busy_timeout=30)
    await store.open()
    blocker = sqlite3.connect(store.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        insert = asyncio.create_task(
            store.apply(WriteBatch(inserts=[NewJob("job-1", "echo", now_us(), "{}")]))
        )
        await asyncio.sleep(0.05)  # the insert waits for the lock in the store's thread
        claim = asyncio.create_task(store.apply(WriteBatch(owner="me", claim=1)))
        await asyncio.sleep(0.05)
        assert not insert.done() and not claim.done()
        blocker.execute("ROLLBACK")
        assert await insert == []
        claimed = await claim  # it ran after the insert, so it found the job
        assert [job.id for job in claimed] == ["job-1"]
    finally:
        blocker.close()
        await store.close()


async def test_the_wal_of_many_writes_is_checkpointed(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db")
    store.wal_limit = 64 * 1024
    await store.open()
    wal = tmp_path / "jobs.db-wal"
    largest = 0
    try:
        inputs = '{"text": "%s"}' % ("x" * 2000)
        for batch in range(150):  # about 6 MB of pages in all
            jobs = [NewJob(f"job-{batch}-{n}", "echo", now_us(), inputs) for n in range(10)]
            await store.apply(WriteBatch(inserts=jobs))
            largest = max(largest, wal.stat().st_size)
        assert await store.count(JobStatus.accepted) == 1500
    finally:
        await store.close()
    # Without checkpoints the WAL would hold every page written (megabytes).
    assert largest < 16 * store.wal_limit


async def test_calls_run_in_order_in_one_thread_and_raise_to_their_caller() -> None:
    calls = CallThread("test-calls")
    seen: list[tuple[int, str]] = []

    def call(number: int) -> int:
        seen.append((number, threading.current_thread().name))
        if number == 3:
            raise ValueError(number)
        return number * 10

    try:
        results = await asyncio.gather(
            *(calls.run(call, n) for n in range(6)), return_exceptions=True
        )
    finally:
        calls.stop()
    assert [number for number, _ in seen] == list(range(6))
    assert {name for _, name in seen} == {"test-calls"}
    assert results[:3] == [0, 10, 20] and results[4:] == [40, 50]
    assert isinstance(results[3], ValueError)
