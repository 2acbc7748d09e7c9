"""Retry-safe processes: re-queued after the death of their worker, server or replica."""

from __future__ import annotations

from pathlib import Path

from eoproc.jobs import JobStore, LocalJobService
from eoproc.jobs.leases import LeasedStore
from eoproc.jobs.store import NewJob, OutcomeRecord, WriteBatch, now_us
from eoproc.models import ExecuteRequest, JobStatus

from ..jobs.conftest import ServiceFactory, StoreFactory, wait_for
from .procs import registry


def starts(folder: Path, tag: str) -> int:
    return len(list(folder.glob(f"{tag}-*")))


async def run(service: LocalJobService, process: str, **inputs: object) -> str:
    status = await service.execute(process, ExecuteRequest(inputs=inputs), wait=False)
    return status.jobID


async def test_retry_safe_job_runs_again_after_its_worker_died(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(registry=registry)
    folder = str(tmp_path / "starts")
    job_id = await run(service, "safe_flaky", starts=folder, tag="a", deaths=2)
    status = await wait_for(service, job_id)
    assert status.status == JobStatus.successful
    assert starts(tmp_path / "starts", "a") == 3
    info = status.model_dump(mode="json", by_alias=True)
    assert (info["attempt"], info["maxAttempts"]) == (3, 3)
    assert (await service.get_results(job_id)).root["return_value"] == "x" * 10  # type: ignore[index]


async def test_retry_safe_job_fails_once_its_attempts_are_spent(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    service = await make_service(registry=registry)
    folder = str(tmp_path / "starts")
    job_id = await run(service, "safe_flaky", starts=folder, tag="b", deaths=5)
    status = await wait_for(service, job_id)
    assert status.status == JobStatus.failed
    assert "exited unexpectedly" in (status.message or "")
    assert starts(tmp_path / "starts", "b") == 3  # retries + 1, never more


async def test_at_most_once_is_the_default(make_service: ServiceFactory, tmp_path: Path) -> None:
    service = await make_service(registry=registry)
    folder = str(tmp_path / "starts")
    job_id = await run(service, "unsafe_flaky", starts=folder, tag="c", deaths=1)
    status = await wait_for(service, job_id)
    assert status.status == JobStatus.failed
    assert starts(tmp_path / "starts", "c") == 1
    info = status.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "attempt" not in info


async def _two_running(store: JobStore) -> None:
    jobs = [NewJob("safe", "p", now_us(), "{}", retries=1), NewJob("once", "p", now_us(), "{}")]
    await store.apply(WriteBatch(inserts=jobs))
    assert len(await store.apply(WriteBatch(claim=2, owner="a"))) == 2


async def test_store_requeues_retry_safe_jobs_when_the_server_stopped(
    make_store: StoreFactory,
) -> None:
    store = await make_store()
    await _two_running(store)
    assert await store.fail_running("The server stopped.", now_us()) == 2
    safe, once = await store.get("safe"), await store.get("once")
    assert safe is not None and once is not None
    assert (safe.status, safe.attempts, safe.started) == (JobStatus.accepted, 1, None)
    assert safe.message == "Re-queued after an interruption (The server stopped)"
    assert once.status == JobStatus.failed
    claimed = await store.apply(WriteBatch(claim=5, owner="b"))
    assert [job.id for job in claimed] == ["safe"]
    await store.fail_running("The server stopped.", now_us())
    safe = await store.get("safe")
    assert safe is not None and (safe.status, safe.attempts) == (JobStatus.failed, 2)


async def test_store_requeues_an_interrupted_outcome_with_attempts_left(
    make_store: StoreFactory,
) -> None:
    store = await make_store()
    await _two_running(store)
    lost = [
        OutcomeRecord(job_id, JobStatus.failed, "The worker died.", None, now_us(), retry=True)
        for job_id in ("safe", "once")
    ]
    await store.apply(WriteBatch(outcomes=lost))
    safe, once = await store.get("safe"), await store.get("once")
    assert safe is not None and once is not None
    assert (safe.status, once.status) == (JobStatus.accepted, JobStatus.failed)
    assert once.message == "The worker died."


async def test_reap_requeues_the_retry_safe_jobs_of_a_dead_replica(
    make_store: StoreFactory,
) -> None:
    store = await make_store()
    await _two_running(store)
    assert isinstance(store, LeasedStore)
    lost = await store.reap(now_us() + 3600 * 1_000_000)
    assert lost == ["once"]  # failed; the retry-safe one went back to the queue
    safe = await store.get("safe")
    assert safe is not None and safe.status == JobStatus.accepted
    assert safe.message is not None and safe.message.startswith("Re-queued after an interruption")
