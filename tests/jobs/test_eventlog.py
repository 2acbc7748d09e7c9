"""The event log and callbacks outbox of every store kind: an event for each state change
written with it, callbacks claimed one at a time per job and URI, in order."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa

from eoproc.jobs.eventlog import (
    DELIVERED,
    FAILED,
    PENDING,
    SUPERSEDED,
    EventQueries,
    callbacks,
    events,
    subscriber_json,
)
from eoproc.jobs.store import NewJob, OutcomeRecord, WriteBatch, now_us
from eoproc.models import JobStatus

from .conftest import StoreFactory

SUBSCRIBER = subscriber_json(
    {
        "successUri": "http://r/ok",
        "inProgressUri": "http://r/progress",
        "failedUri": "http://r/bad",
    },
    "http://server/",
)


def job(job_id: str, subscriber: str | None = SUBSCRIBER) -> NewJob:
    return NewJob(job_id, "p", now_us(), "{}", subscriber_json=subscriber, user_id="ann")


async def history(store: EventQueries, job_id: str) -> list[tuple[str, str, int | None]]:
    found = await store.events_after({job_id: 0})
    return [(e.kind, e.status.value, e.data.get("progress")) for e in found]


async def test_every_state_change_is_an_event_in_order(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, EventQueries)
    await store.apply(WriteBatch(inserts=[job("a"), job("b", None)], claim=1, owner="me"))
    await store.apply(WriteBatch(progress={"a": (40, "busy"), "b": (10, None)}))  # b: queued
    finished = now_us()
    await store.apply(
        WriteBatch(
            outcomes=[
                OutcomeRecord("a", JobStatus.successful, "done", None, finished, 100),
                OutcomeRecord("b", JobStatus.failed, "ignored: b is not running", None, finished),
            ]
        )
    )
    assert await history(store, "a") == [
        ("status", "accepted", None),
        ("status", "running", None),
        ("progress", "running", 40),
        ("status", "successful", 100),
    ]
    assert await history(store, "b") == [("status", "accepted", None)]
    await store.dismiss("b", now_us())
    await store.dismiss("b", now_us())  # again: nothing changes, no event
    assert await history(store, "b") == [
        ("status", "accepted", None),
        ("status", "dismissed", None),
    ]
    everything = await store.events_after({"a": 0, "b": 0})
    assert [e.id for e in everything] == sorted(e.id for e in everything)
    latest = await store.latest_event("a")
    assert latest is not None and latest.final and latest.data["message"] == "done"
    of_a = [e.id for e in everything if e.job_id == "a"]
    after = await store.events_after({"a": of_a[1]})
    assert [e.id for e in after] == of_a[2:]


async def test_running_jobs_failed_at_stop_or_reaped_are_events(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, EventQueries)
    await store.apply(WriteBatch(inserts=[job("x"), job("y")], claim=2, owner="me"))
    assert await store.fail_running("stopped", now_us(), ["x"]) == 1
    reaped = await store.reap(now_us() + 10**12)  # y's lease ran out long ago
    assert reaped == ["y"]
    for job_id in ("x", "y"):
        assert (await history(store, job_id))[-1] == ("status", "failed", None)
    assert await store.purge(now_us() + 10**12) != []
    assert await store.events_after({"x": 0, "y": 0}) == []
    assert await store.job_callbacks("x") == []


async def test_callbacks_follow_the_events_of_subscribed_jobs(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, EventQueries)
    queued: list[int] = []
    store.callbacks_queued = queued.append
    await store.apply(WriteBatch(inserts=[job("a"), job("quiet", None)], claim=2, owner="me"))
    await store.apply(WriteBatch(progress={"a": (50, None), "quiet": (50, None)}))
    await store.apply(
        WriteBatch(outcomes=[OutcomeRecord("a", JobStatus.failed, "oops", None, now_us())])
    )
    records = await store.job_callbacks("a")
    assert [(r["kind"], r["uri"]) for r in records] == [
        ("inProgress", "http://r/progress"),  # running
        ("inProgress", "http://r/progress"),  # 50 %
        ("failed", "http://r/bad"),
    ]
    assert all(r["state"] == PENDING and r["attempts"] == 0 for r in records)
    assert sum(queued) == 3
    assert await store.job_callbacks("quiet") == []


async def test_claims_take_one_callback_per_job_and_uri_in_order(make_store: StoreFactory) -> None:
    store = await make_store()
    assert isinstance(store, EventQueries)
    await store.apply(WriteBatch(inserts=[job("a"), job("b")], claim=2, owner="me"))
    now = now_us()
    first = await store.claim_callbacks("one", now, 10, 300)  # leases outlast the test
    assert sorted((d.job_id, d.kind) for d in first) == [("a", "inProgress"), ("b", "inProgress")]
    assert json.loads(first[0].data)["status"] == "running"
    a_running = next(d for d in first if d.job_id == "a")
    await store.apply(WriteBatch(progress={"a": (50, None)}))
    assert await store.claim_callbacks("two", now_us(), 10, 300) == []  # behind a's running
    assert await store.finish_callback(a_running.id, "one", state=DELIVERED, now=now_us())
    assert not await store.finish_callback(a_running.id, "two", state=FAILED, now=now_us())
    await store.apply(WriteBatch(progress={"a": (60, None)}))
    (latest,) = await store.claim_callbacks("two", now_us(), 10, 300)
    assert json.loads(latest.data)["progress"] == 60  # 50 % was superseded by 60 %
    states = [r["state"] for r in await store.job_callbacks("a")]
    assert states == [DELIVERED, SUPERSEDED, PENDING]
    retry_at = now_us() + 60_000_000
    assert await store.finish_callback(
        latest.id, "two", state=PENDING, now=now_us(), error="refused", retry_at=retry_at
    )
    done = now_us()
    await store.apply(
        WriteBatch(outcomes=[OutcomeRecord("a", JobStatus.successful, None, None, done, 100)])
    )
    (success,) = await store.claim_callbacks("three", now_us(), 10, 300)  # another URI
    assert (success.job_id, success.kind) == ("a", "success")
    (again,) = await store.claim_callbacks("three", retry_at, 10, 300)
    assert again.id == latest.id and again.attempts == 1
    record = next(r for r in await store.job_callbacks("a") if r["id"] == again.id)
    assert record["last_error"] == "refused" and record["next_attempt"] == retry_at


@pytest.mark.postgres
async def test_concurrent_claims_never_share_a_callback(make_store: StoreFactory) -> None:
    store = await make_store()
    if not getattr(store, "shared", False):
        pytest.skip("concurrent claims are a shared store's concern")
    assert isinstance(store, EventQueries)
    jobs = [job(f"j{i}") for i in range(40)]
    await store.apply(WriteBatch(inserts=jobs, claim=40, owner="me"))  # 40 "running" callbacks
    now = now_us()
    batches = await asyncio.gather(*(store.claim_callbacks(f"s{i}", now, 7, 30) for i in range(8)))
    claimed = [d.id for batch in batches for d in batch]
    assert len(claimed) == len(set(claimed)) == 40


async def test_the_schema_has_the_tables_the_queries_use(make_store: StoreFactory) -> None:
    store = await make_store()
    engine = getattr(store, "_engine", None)
    assert engine is not None
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for table in (events, callbacks):
            columns = {column["name"] for column in inspector.get_columns(table.name)}
            assert columns == {column.name for column in table.columns}
            indexes = {index["name"] for index in inspector.get_indexes(table.name)}
            assert indexes == {index.name for index in table.indexes}
