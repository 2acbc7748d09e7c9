"""The PostgreSQL store itself: URLs, concurrent claims by several stores on one
database (each job once), and 503-style errors when the database is unreachable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from eoproc.jobs.postgres import PostgresJobStore, sqlalchemy_url, url_pool_size
from eoproc.jobs.sqlite import SqliteJobStore
from eoproc.jobs.store import NewJob, StoreUnavailable, WriteBatch, now_us
from eoproc.jobs.stores import check_store_url, create_store

from ..postgres_db import fresh_schema, postgres_url


def test_store_urls(tmp_path: Path) -> None:
    url = "postgresql://eoproc:secret@db:5432/jobs?pool_size=3&sslmode=require"
    store = create_store(url, results_dir=tmp_path)
    assert isinstance(store, PostgresJobStore)
    assert store.pool_size == 3 and store.results_root == tmp_path
    assert sqlalchemy_url(url).drivername == "postgresql+psycopg"
    assert "pool_size" not in sqlalchemy_url(url).query  # not a libpq parameter
    assert sqlalchemy_url(url).query["sslmode"] == "require"
    assert url_pool_size("postgres://db/jobs") == 8
    assert isinstance(create_store(f"sqlite:///{tmp_path / 'j.db'}"), SqliteJobStore)
    with pytest.raises(ValueError, match="pool_size"):
        check_store_url("postgresql://db/jobs?pool_size=0")
    with pytest.raises(ValueError, match="postgresql://"):
        check_store_url("mysql://db/jobs")


async def test_an_unreachable_database_raises_store_unavailable(tmp_path: Path) -> None:
    store = PostgresJobStore("postgresql://eoproc@127.0.0.1:1/none", tmp_path)
    with pytest.raises(StoreUnavailable, match=r"refused|failed"):
        await store.open()


@pytest.mark.postgres
async def test_concurrent_claims_take_each_job_once(tmp_path: Path) -> None:
    with fresh_schema(postgres_url(), "claim") as url:
        stores = [PostgresJobStore(url, tmp_path) for _ in range(4)]
        for store in stores:
            await store.open()
        try:
            now = now_us()
            jobs = [NewJob(f"job-{i:04d}", "p", now + i, "{}") for i in range(400)]
            await stores[0].apply(WriteBatch(inserts=jobs))

            async def claim_all(index: int) -> list[str]:
                claimed: list[str] = []
                while True:
                    batch = await stores[index].apply(WriteBatch(claim=7, owner=f"s{index}"))
                    if not batch:
                        return claimed
                    claimed += [job.id for job in batch]

            results = await asyncio.gather(*(claim_all(i) for i in range(len(stores))))
        finally:
            for store in stores:
                await store.close()
    every = [job_id for claimed in results for job_id in claimed]
    assert sorted(every) == [job.id for job in jobs]  # each job once, none lost
    assert sum(1 for claimed in results if claimed) >= 2  # they really competed


@pytest.mark.postgres
async def test_a_locked_table_makes_the_store_unavailable_not_hang(tmp_path: Path) -> None:
    with fresh_schema(postgres_url(), "lock") as url:
        store = PostgresJobStore(url, tmp_path)
        store.lock_timeout = 0.5
        await store.open()
        try:
            with psycopg.connect(url) as blocker:
                blocker.execute("LOCK TABLE eoproc_jobs IN ACCESS EXCLUSIVE MODE")
                with pytest.raises(StoreUnavailable, match="lock"):
                    await store.get("any")
                blocker.rollback()
            assert await store.get("any") is None  # and it works again
        finally:
            await store.close()
