"""The async client gives the same results as the sync client, on a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from eoproc.client import AsyncClient, Client, ClientError, JobFailedError
from eoproc.models import JobStatus, StatusInfo
from tests.live_server import LiveServer


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[Client]:
    with Client(api_url=live_server.url) as client:
        yield client


@pytest.fixture
async def aclient(live_server: LiveServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(api_url=live_server.url) as client:
        yield client


def _dump(value: Any) -> Any:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


async def test_read_operations_are_identical(client: Client, aclient: AsyncClient) -> None:
    job = client.execute_process("primes_between", {"min_val": 3, "max_val": 30})
    assert isinstance(job, StatusInfo)
    client.wait_for_job(job.jobID, timeout=60)
    pairs = [
        (client.get_capabilities(), await aclient.get_capabilities()),
        (client.get_conformance(), await aclient.get_conformance()),
        (client.get_processes(), await aclient.get_processes()),
        (
            client.get_processes(limit=1, all_pages=True),
            await aclient.get_processes(limit=1, all_pages=True),
        ),
        (client.get_process("sleep_a_while"), await aclient.get_process("sleep_a_while")),
        (client.get_job(job.jobID), await aclient.get_job(job.jobID)),
        (client.get_job_results(job.jobID), await aclient.get_job_results(job.jobID)),
        (client.get_job_result(job.jobID), await aclient.get_job_result(job.jobID)),
        (client.create_request("primes_between"), await aclient.create_request("primes_between")),
        (
            client.validate_request("primes_between", {"max_val": 1000}),
            await aclient.validate_request("primes_between", {"max_val": 1000}),
        ),
    ]
    for sync_value, async_value in pairs:
        assert _dump(sync_value) == _dump(async_value)


async def test_execution_flows_are_identical(client: Client, aclient: AsyncClient) -> None:
    request = {"min_val": 10, "max_val": 50}
    sync_results = client.execute_and_wait("primes_between", request, timeout=60)
    seen: list[StatusInfo] = []

    async def on_progress(status: StatusInfo) -> None:  # coroutine callbacks are awaited
        seen.append(status)

    async_results = await aclient.execute_and_wait(
        "primes_between", request, timeout=60, on_progress=on_progress
    )
    assert sync_results == async_results
    assert seen[-1].status == JobStatus.successful
    assert await aclient.execute_process("primes_between", request, mode="sync") == (
        client.execute_process("primes_between", request, mode="sync")
    )


async def test_async_wait_dismiss_and_errors(client: Client, aclient: AsyncClient) -> None:
    job = await aclient.execute_process("sleep_a_while", {"duration": 60})
    assert isinstance(job, StatusInfo)
    assert (await aclient.dismiss_job(job.jobID)).status == JobStatus.dismissed
    with pytest.raises(JobFailedError, match="was dismissed"):
        await aclient.wait_for_job(job.jobID, timeout=60)
    jobs = await aclient.get_jobs(status="dismissed", process_id="sleep_a_while")
    assert job.jobID in {j.jobID for j in jobs.jobs}
    errors = []
    for run in (lambda: client.get_job("missing"),):
        with pytest.raises(ClientError) as sync_error:
            run()
        errors.append(sync_error.value)
    with pytest.raises(ClientError) as async_error:
        await aclient.get_job("missing")
    assert (async_error.value.status, str(async_error.value)) == (errors[0].status, str(errors[0]))
