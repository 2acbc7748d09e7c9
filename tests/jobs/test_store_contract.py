"""The job-store contract, run against every store kind (``make_store``): job-list
filters, keyset paging, claims, progress, outcomes, dismissal, recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eoproc.jobs import JobStore
from eoproc.jobs.store import NewJob, OutcomeRecord, WriteBatch, encode_cursor, now_us, to_datetime
from eoproc.models import JobStatus
from eoproc.server.service import JobQuery

from .conftest import StoreFactory

BASE = 1_700_000_000_000_000  # microseconds
SECOND = 1_000_000


@pytest.fixture
async def store(make_store: StoreFactory) -> JobStore:
    """A store with 30 jobs: created one second apart, processes a/b/c in turn;
    the 20 oldest claimed, of which job i ran i seconds and ended successful
    (i even) or failed (i odd); the rest accepted."""
    store = await make_store()
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
                OutcomeRecord(
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
    return store


async def ids(store: JobStore, **query: object) -> list[str]:
    records, _ = await store.list(JobQuery(limit=1000, **query))  # type: ignore[arg-type]
    return [record.id for record in records]


async def test_counts_and_records(store: JobStore) -> None:
    counts = {status: await store.count(status) for status in JobStatus}
    assert counts == {
        JobStatus.accepted: 10,
        JobStatus.running: 0,
        JobStatus.successful: 10,
        JobStatus.failed: 10,
        JobStatus.dismissed: 0,
    }
    summary = await store.get("job-04")
    full = await store.get("job-04", full=True)
    assert summary is not None and full is not None
    assert (summary.process_id, summary.status, summary.attempts) == ("b", JobStatus.successful, 1)
    assert (summary.created, summary.started, summary.finished) == (
        BASE + 4 * SECOND,
        BASE,
        BASE + 4 * SECOND,
    )
    assert summary.inputs_json is None and full.inputs_json == "{}"
    assert full == summary.__class__(**{**vars(summary), "inputs_json": "{}"})
    assert await store.get("no-such-job") is None


async def test_pages_newest_first_without_gaps(store: JobStore) -> None:
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


async def test_filters(store: JobStore) -> None:
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


async def test_several_values_merge_across_pages(store: JobStore) -> None:
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


async def test_bad_cursor(store: JobStore) -> None:
    with pytest.raises(ValueError, match="cursor"):
        await store.list(JobQuery(cursor="%%%not-ours"))


async def test_claims_take_the_oldest_accepted_once(store: JobStore) -> None:
    first = await store.apply(WriteBatch(claim=4, owner="me"))
    second = await store.apply(WriteBatch(claim=100, owner="me"))
    assert [j.id for j in first] == [f"job-{i}" for i in range(20, 24)]
    assert [j.id for j in second] == [f"job-{i}" for i in range(24, 30)]
    assert await store.apply(WriteBatch(claim=5, owner="me")) == []
    assert await store.count(JobStatus.accepted) == 0
    assert await store.count(JobStatus.running) == 10
    record = await store.get("job-20")
    assert record is not None and record.status == JobStatus.running
    assert record.started is not None and record.started >= record.created


async def test_progress_and_outcomes_apply_to_running_jobs_only(store: JobStore) -> None:
    await store.apply(WriteBatch(claim=1, owner="me"))  # job-20 runs
    await store.apply(
        WriteBatch(progress={"job-20": (40, "reading"), "job-21": (50, "no"), "job-00": (1, "no")})
    )
    await store.apply(WriteBatch(progress={"job-20": (None, "writing")}))
    running = await store.get("job-20")
    assert running is not None and (running.progress, running.message) == (40, "writing")
    for other in ("job-21", "job-00"):
        record = await store.get(other)
        assert record is not None and record.progress is None

    late = OutcomeRecord("job-00", JobStatus.failed, "late", None, now_us())
    done = OutcomeRecord(
        "job-20", JobStatus.successful, "Done", None, now_us(), 100, '{"values":{}}'
    )
    await store.apply(WriteBatch(outcomes=[late, done]))
    record = await store.get("job-20", full=True)
    assert record is not None
    assert (record.status, record.progress, record.results_json) == (
        JobStatus.successful,
        100,
        '{"values":{}}',
    )
    unchanged = await store.get("job-00")
    assert unchanged is not None and unchanged.status == JobStatus.successful


async def test_dismiss_reports_the_previous_status(store: JobStore) -> None:
    now = now_us()
    await store.apply(WriteBatch(claim=1, owner="me"))  # job-20 runs
    for job_id, before in [
        ("job-21", JobStatus.accepted),
        ("job-20", JobStatus.running),
        ("job-00", JobStatus.successful),
        ("job-01", JobStatus.failed),
        ("job-00", JobStatus.dismissed),
    ]:
        answer = await store.dismiss(job_id, now)
        assert answer is not None
        previous, record = answer
        assert previous == before
        assert record.status == JobStatus.dismissed
        assert record.finished is not None
    assert await store.dismiss("nope", now) is None
    gone = await store.get("job-00", full=True)
    assert gone is not None and gone.results_json is None
    assert [j.id for j in await store.apply(WriteBatch(claim=1, owner="me"))] == ["job-22"]


async def test_fail_running(store: JobStore) -> None:
    await store.apply(WriteBatch(claim=3, owner="me"))  # job-20..22 run
    assert await store.fail_running("stopped", now_us(), ["job-20", "job-00"]) == 1
    assert await store.fail_running("stopped", now_us()) == 2
    for job_id in ("job-20", "job-21", "job-22"):
        record = await store.get(job_id, full=True)
        assert record is not None
        assert (record.status, record.message) == (JobStatus.failed, "stopped")
        assert record.error_json is not None and "stopped" in record.error_json
    assert await store.get("job-00") is not None
