"""Short, long, failing and dismissed jobs at once: every job ends exactly as it should."""

from __future__ import annotations

import asyncio
import random

import pytest

from eoproc.models import ExecuteRequest, JobStatus

from .conftest import ServiceFactory, wait_for


@pytest.mark.parametrize("seed", [42, 7])
async def test_mixed_jobs_all_end_correctly(make_service: ServiceFactory, seed: int) -> None:
    service = await make_service(workers=2)
    rng = random.Random(seed)
    submitted: list[tuple[str, str, int]] = []  # (job id, kind, number)
    for i in range(400):
        kind = rng.choices(["add", "nap", "boom"], weights=[85, 10, 5])[0]
        if kind == "add":
            request = ExecuteRequest(a=i, b=1)
        elif kind == "nap":
            request = ExecuteRequest(seconds=rng.choice([0.001, 0.05, 0.2]))
        else:
            request = ExecuteRequest(message=f"failure {i}")
        status = await service.execute(kind, request, wait=False)
        submitted.append((status.jobID, kind, i))
        if i % 40 == 0:
            await asyncio.sleep(0.01)  # let some run while more arrive

    to_dismiss = {job_id for job_id, _, _ in rng.sample(submitted, 40)}
    for job_id in to_dismiss:
        assert (await service.dismiss_job(job_id)).status == JobStatus.dismissed
        await asyncio.sleep(rng.choice([0, 0, 0.005]))

    for job_id, kind, i in submitted:
        status = await wait_for(service, job_id, timeout=120)
        if job_id in to_dismiss:
            assert status.status == JobStatus.dismissed, (kind, status)
        elif kind == "add":
            assert status.status == JobStatus.successful, status
            assert (await service.get_results(job_id))["return_value"] == i + 1
        elif kind == "nap":
            assert status.status == JobStatus.successful, status
        else:
            assert status.status == JobStatus.failed, status
            assert status.message == f"ValueError: failure {i}"

    # nothing is left behind, and the service still works
    assert (await service.execute("add", ExecuteRequest(a=1), wait=True)).status == "successful"
