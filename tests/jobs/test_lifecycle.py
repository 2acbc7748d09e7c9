"""Start, stop, restart recovery and backpressure."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService, SqliteJobStore, StoreUnavailable, default_store_url
from eoproc.jobs.store import STOPPED_MESSAGE, NewJob, WriteBatch, now_us
from eoproc.models import ExecuteRequest, JobStatus
from eoproc.server.service import JobQuery, ServiceUnavailable

from .conftest import ServiceFactory, wait_for
from .procs import registry


def test_constructing_does_no_io(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "jobs.db"
    service = LocalJobService(registry, store_url=f"sqlite:///{db}", workers=3)
    assert service.workers == 3
    assert not db.parent.exists()
    assert default_store_url().startswith("sqlite:///")
    assert default_store_url().endswith("jobs.db")


def test_configure_before_start(tmp_path: Path) -> None:
    service = LocalJobService(registry)
    service.configure(store_url=f"sqlite:///{tmp_path / 'x.db'}", workers=1, max_queued=5)
    assert (service.store_url, service.workers, service.max_queued) == (
        f"sqlite:///{tmp_path / 'x.db'}",
        1,
        5,
    )
    with pytest.raises(ValueError, match="Unsupported job store URL"):
        service.configure(store_url="postgres:/nope")
    with pytest.raises(ValueError, match="workers"):
        service.configure(workers=0)


async def test_bad_store_url_is_a_clear_error() -> None:
    service = LocalJobService(registry, store_url="mysql://db/jobs")
    with pytest.raises(ValueError, match="Unsupported job store URL"):
        await service.start()


async def test_not_started_service_refuses_jobs() -> None:
    service = LocalJobService(registry)
    with pytest.raises(ServiceUnavailable):
        await service.execute("add", ExecuteRequest(a=1), wait=False)


async def test_restart_recovers_jobs(make_service: ServiceFactory, tmp_path: Path) -> None:
    first = await make_service(workers=1, grace_period=0.2)
    long = await first.execute("nap", ExecuteRequest(seconds=60), wait=False)
    await wait_for(first, long.jobID, lambda s: s.status == JobStatus.running)
    queued = [await first.execute("add", ExecuteRequest(a=i), wait=False) for i in range(3)]
    await first.stop()

    with pytest.raises(ServiceUnavailable):
        await first.execute("add", ExecuteRequest(a=1), wait=False)
    second = await make_service(workers=1)
    failed = await second.get_job(long.jobID)
    assert failed.status == JobStatus.failed
    assert failed.message == STOPPED_MESSAGE
    for i, job in enumerate(queued):
        assert (await wait_for(second, job.jobID)).status == JobStatus.successful
        assert (await second.get_results(job.jobID))["return_value"] == i


async def test_jobs_left_running_by_a_crash_fail_on_start(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db")
    await store.open()
    await store.apply(WriteBatch(inserts=[NewJob("crashed-job", "add", now_us(), '{"a": 1}')]))
    assert [job.id for job in await store.apply(WriteBatch(claim=1, owner="x"))] == ["crashed-job"]
    await store.close()

    service = await make_service()
    status = await service.get_job("crashed-job")
    assert status.status == JobStatus.failed
    assert status.message == STOPPED_MESSAGE


async def test_stop_waits_for_running_jobs_within_the_grace_period(
    make_service: ServiceFactory,
) -> None:
    service = await make_service(workers=1, grace_period=30)
    job = await service.execute("nap", ExecuteRequest(seconds=0.5), wait=False)
    await wait_for(service, job.jobID, lambda s: s.status == JobStatus.running)
    stopping = asyncio.create_task(service.stop())
    await asyncio.sleep(0)
    with pytest.raises(ServiceUnavailable):
        await service.execute("add", ExecuteRequest(a=1), wait=False)
    await stopping
    assert isinstance(service.store, SqliteJobStore)
    store = SqliteJobStore(service.store.path)
    await store.open()
    record = await store.get(job.jobID)
    await store.close()
    assert record is not None
    assert record.status == JobStatus.successful


async def test_queue_limit_answers_503_with_retry_after(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1, max_queued=2, grace_period=0.2)
    blocker = await service.execute("nap", ExecuteRequest(seconds=60), wait=False)
    await wait_for(service, blocker.jobID, lambda s: s.status == JobStatus.running)
    for i in range(2):
        await service.execute("add", ExecuteRequest(a=i), wait=False)
    with pytest.raises(ServiceUnavailable) as caught:
        await service.execute("add", ExecuteRequest(a=3), wait=False)
    retry_after = caught.value.retry_after
    assert retry_after is not None and retry_after >= 1
    assert caught.value.status == 503

    await service.dismiss_job(blocker.jobID)  # the queue drains, new jobs are taken again
    for _ in range(200):
        try:
            done = await service.execute("add", ExecuteRequest(a=4), wait=True)
            break
        except ServiceUnavailable:
            await asyncio.sleep(0.05)
    assert done.status == JobStatus.successful


async def test_a_locked_store_answers_503_and_recovers(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    db = tmp_path / "jobs.db"
    service = await make_service(store=SqliteJobStore(db, busy_timeout=0.1))
    done = await service.execute("add", ExecuteRequest(a=1), wait=True)

    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            await service.execute("add", ExecuteRequest(a=2), wait=False)
        assert caught.value.retry_after is not None
        with pytest.raises(ServiceUnavailable):
            await service.dismiss_job(done.jobID)
        assert (await service.get_job(done.jobID)).status == JobStatus.successful  # reads go on
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    again = await service.execute("add", ExecuteRequest(a=3), wait=True)
    assert again.status == JobStatus.successful


async def test_one_server_per_store_file(make_service: ServiceFactory, tmp_path: Path) -> None:
    first = await make_service()
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    second = LocalJobService(registry, store_url=url, workers=1)
    with pytest.raises(StoreUnavailable, match=r"in use by another eoproc server \(pid \d+\)"):
        await second.start()
    await first.stop()
    await second.start()
    try:
        assert (await second.execute("add", ExecuteRequest(a=1), wait=True)).status == "successful"
    finally:
        await second.stop()


async def test_stop_ends_synchronous_executions(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1, grace_period=0.2)
    waiting = asyncio.create_task(service.execute("nap", ExecuteRequest(seconds=60), wait=True))
    for _ in range(1000):
        if (await service.list_jobs(JobQuery(statuses=[JobStatus.running]))).jobs:
            break
        await asyncio.sleep(0.01)
    await service.stop()
    ended = await asyncio.wait_for(waiting, 30)
    assert ended.status == JobStatus.failed
    assert ended.message == STOPPED_MESSAGE
