"""Readable job ids from the store's durable counter, and the job control options a
service publishes (``--job-ids``, ``--job-control``), negotiated over real HTTP rules."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from eoproc.jobs import LocalJobService, SqliteJobStore
from eoproc.jobs.postgres import PostgresJobStore
from eoproc.models import ExecuteRequest, JobControlOptions
from eoproc.processes.process import Process
from eoproc.processes.registry import ProcessRegistry
from eoproc.server import create_app

from ..postgres_db import fresh_schema, postgres_url
from .conftest import ServiceFactory, StoreFactory, wait_for
from .procs import add
from .procs import registry as procs

ASYNC = [JobControlOptions.async_execute, JobControlOptions.dismiss]
SYNC = [JobControlOptions.sync_execute, JobControlOptions.dismiss]
BOTH = [JobControlOptions.sync_execute, JobControlOptions.async_execute, JobControlOptions.dismiss]

registry = ProcessRegistry(list(procs))
registry.add(Process(add, id="add_sync_only", job_control_options=["sync-execute", "dismiss"]))


async def test_the_job_counter_counts_from_zero_and_never_repeats(make_store: StoreFactory) -> None:
    store = await make_store()
    numbers = [await store.next_job_number() for _ in range(5)]  # type: ignore[attr-defined]
    assert numbers == [0, 1, 2, 3, 4]


async def test_the_job_counter_survives_a_restart(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db")
    await store.open()
    assert [await store.next_job_number() for _ in range(3)] == [0, 1, 2]
    await store.close()
    again = SqliteJobStore(tmp_path / "jobs.db")
    await again.open()
    try:
        assert await again.next_job_number() == 3
    finally:
        await again.close()


@pytest.mark.postgres
async def test_replicas_on_one_database_never_get_the_same_number(tmp_path: Path) -> None:
    with fresh_schema(postgres_url(), "ids") as url:
        stores = [PostgresJobStore(url, tmp_path / "results") for _ in range(3)]
        for store in stores:
            await store.open()
        try:
            taken = await asyncio.gather(
                *(store.next_job_number() for store in stores for _ in range(20))
            )
        finally:
            for store in stores:
                await store.close()
    assert sorted(taken) == list(range(60))


async def test_a_counting_service_names_its_jobs_job_n(make_service: ServiceFactory) -> None:
    service = await make_service(job_ids="counter", workers=1)
    first = await service.execute("add", ExecuteRequest(a=1), wait=False)
    second = await service.execute("add", ExecuteRequest(a=2), wait=False)
    assert (first.jobID, second.jobID) == ("job_0", "job_1")
    assert (await wait_for(service, "job_1")).jobID == "job_1"
    uuid_service = LocalJobService(procs)
    assert uuid_service.job_ids == "uuid"


def test_bad_identity_options_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="async, sync, both"):
        LocalJobService(procs, job_control="sometimes")
    with pytest.raises(ValueError, match="'uuid' or 'counter'"):
        LocalJobService(procs).configure(job_ids="serial")


@pytest.mark.parametrize(("mode", "published"), [("async", ASYNC), ("sync", SYNC), ("both", BOTH)])
def test_the_service_publishes_its_job_control_unless_a_process_declares_its_own(
    mode: str, published: list[JobControlOptions]
) -> None:
    service = LocalJobService(registry, job_control=mode)
    assert service.get_process("add").jobControlOptions == published
    summaries = {summary.id: summary for summary in service.list_processes()}
    assert summaries["nap"].jobControlOptions == published
    assert service.get_process("add_sync_only").jobControlOptions == SYNC
    assert summaries["add_sync_only"].jobControlOptions == SYNC
    assert LocalJobService(registry).get_process("add").jobControlOptions == BOTH


@pytest.mark.parametrize(
    ("mode", "prefer", "status"),
    [
        ("async", None, 201),  # the upstream clients send no Prefer and want a job
        ("async", "respond-async", 201),
        ("sync", "respond-async", 200),
        ("sync", None, 200),
        ("both", None, 200),  # the standard: both offered, no preference -> sync
        ("both", "respond-async", 201),
    ],
)
async def test_execution_follows_the_published_job_control(
    make_service: ServiceFactory, mode: str, prefer: str | None, status: int
) -> None:
    service = await make_service(registry=registry, job_control=mode, workers=1)
    app = create_app(service)
    transport = httpx.ASGITransport(app=app)
    headers = {"Prefer": prefer} if prefer else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.post(
            "/processes/add/execution", json={"inputs": {"a": 2, "b": 3}}, headers=headers
        )
        assert answer.status_code == status, answer.text
        if status == 201:
            assert answer.json()["status"] == "accepted"
            assert answer.headers["location"].endswith(f"/jobs/{answer.json()['jobID']}")
        else:
            assert answer.json() == {"return_value": 5}
        declared = await client.post(
            "/processes/add_sync_only/execution", json={"inputs": {"a": 1}}, headers=headers
        )
        assert declared.status_code == 200, declared.text  # its own options: sync only


@pytest.mark.parametrize("mode", ["async", "sync", "both"])
async def test_our_client_works_with_every_job_control(
    make_service: ServiceFactory, mode: str
) -> None:
    from eoproc.client import AsyncClient
    from eoproc.models import JobResults, StatusInfo

    service = await make_service(registry=registry, job_control=mode, workers=1)
    transport = httpx.ASGITransport(app=create_app(service))
    async with AsyncClient(api_url="http://test/", transport=transport) as client:
        started = await client.execute_process("add", {"a": 1, "b": 1})  # Prefer: respond-async
        if mode == "sync":  # a sync-only process answers with its results
            assert isinstance(started, JobResults) and started["return_value"] == 2
        else:
            assert isinstance(started, StatusInfo)
            await client.wait_for_job(started.jobID, timeout=60)
        results = await client.execute_process("add", {"a": 2, "b": 2}, mode="sync")
        assert results["return_value"] == 4
        either = await client.execute_process("add", {"a": 3}, mode="auto")
        assert isinstance(either, StatusInfo if mode == "async" else JobResults)
        assert (await client.execute_and_wait("add", {"a": 5}, timeout=60))["return_value"] == 5
