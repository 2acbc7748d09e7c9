"""Leases, cross-server lookups and retention, on every store kind (``make_store``),
and the job service's retention (``keep_finished``) end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from eoproc.jobs import JobStore, LocalJobService
from eoproc.jobs.keeper import DAY_US, JobKeeper, KeeperHooks
from eoproc.jobs.leases import LOST_MESSAGE, LeasedStore
from eoproc.jobs.sql import SqlJobStore
from eoproc.jobs.store import NewJob, OutcomeRecord, WriteBatch, now_us
from eoproc.models import ExecuteRequest, JobStatus

from .conftest import ServiceFactory, StoreFactory

SECOND = 1_000_000


def leased(store: JobStore) -> SqlJobStore:
    assert isinstance(store, SqlJobStore) and isinstance(store, LeasedStore)
    return store


async def test_expired_leases_fail_their_jobs_and_renewal_keeps_them(
    make_store: StoreFactory,
) -> None:
    store = leased(await make_store())
    store.lease = 5.0
    now = now_us()
    await store.apply(WriteBatch(inserts=[NewJob(f"j{i}", "p", now + i, "{}") for i in range(3)]))
    await store.apply(WriteBatch(claim=1, owner="dead"))  # j0, lease until now + 5 s
    await store.apply(WriteBatch(claim=1, owner="alive"))  # j1
    assert await store.reap(now_us()) == []  # nobody's lease ran out yet
    later = now_us() + 10 * SECOND
    assert await store.renew("alive", later) == 1  # alive renews at "later"
    assert await store.reap(later + SECOND) == ["j0"]
    record = await store.get("j0", full=True)
    assert record is not None and record.status == JobStatus.failed
    assert record.message == LOST_MESSAGE and record.error_json is not None
    assert await store.statuses(["j0", "j1", "j2", "nope"]) == {
        "j0": JobStatus.failed,
        "j1": JobStatus.running,
        "j2": JobStatus.accepted,
    }


async def test_purge_deletes_only_jobs_finished_before(make_store: StoreFactory) -> None:
    store = leased(await make_store())
    now = now_us()
    old = now - 3 * DAY_US
    jobs = [NewJob(f"j{i}", "p", old + i, "{}") for i in range(5)]
    await store.apply(WriteBatch(inserts=jobs))
    await store.apply(WriteBatch(claim=4, owner="me"))  # j4 stays accepted
    await store.apply(
        WriteBatch(
            outcomes=[
                OutcomeRecord("j0", JobStatus.successful, None, old, old + SECOND),
                OutcomeRecord("j1", JobStatus.failed, None, old, old + SECOND),
                OutcomeRecord("j2", JobStatus.successful, None, old, now),  # finished just now
            ]
        )
    )  # j3 still running
    await store.dismiss("j4", old + 2 * SECOND)
    for job_id in ("j0", "j2"):
        (store.results_root / job_id).mkdir(parents=True)
        (store.results_root / job_id / "out.txt").write_text("x")
    keeper = JobKeeper(store, "me", hooks(), keep_finished=1.0)
    assert await keeper.purge() == 3
    assert sorted(await store.statuses([f"j{i}" for i in range(5)])) == ["j2", "j3"]
    assert not (store.results_root / "j0").exists()
    assert (store.results_root / "j2" / "out.txt").exists()


def hooks() -> KeeperHooks:
    return KeeperHooks(
        held=list, cancel=lambda _: None, awaited=list, ended=lambda _: None, queued=lambda _: None
    )


async def test_the_service_purges_old_jobs_in_the_background(
    make_service: ServiceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eoproc.jobs import keeper

    monkeypatch.setattr(keeper, "DAY_US", 1)  # "days" of a microsecond: everything is old
    monkeypatch.setattr(keeper, "WATCH_INTERVAL", 0.05)
    service: LocalJobService = await make_service(workers=1, keep_finished=1.0)
    assert service._keeper is not None
    service._keeper._next_purge = 0.0  # due now, not after the start-up delay
    job = await service.execute("add", ExecuteRequest(inputs={"a": 1}), wait=True)
    assert job.status == JobStatus.successful

    async def purged() -> bool:
        while await service.store.get(job.jobID) is not None:
            service._keeper._next_purge = 0.0  # type: ignore[union-attr]
            await asyncio.sleep(0.05)
        return True

    assert await asyncio.wait_for(purged(), 30)


def test_configure_checks_the_replica_options(tmp_path: Path) -> None:
    service = LocalJobService(None, store_url=f"sqlite:///{tmp_path / 'jobs.db'}")
    with pytest.raises(ValueError, match="keep_finished"):
        service.configure(keep_finished=0)
    with pytest.raises(ValueError, match="lease"):
        service.configure(lease=0.1)
    service.configure(keep_finished=7, results_dir=str(tmp_path / "shared"), lease=20)
    assert service.store.results_root == tmp_path / "shared"
    assert leased(service.store).lease == 20
