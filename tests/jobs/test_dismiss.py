"""Dismissing queued, running (CPU-bound, never checking cancellation) and finished jobs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest, JobStatus
from eoproc.server.service import JobDismissed, JobGone, JobQuery

from .conftest import ServiceFactory, wait_for


def process_gone(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


async def wait_gone(pid: int, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if process_gone(pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"process {pid} is still alive")


async def test_dismiss_queued_job_never_starts(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1, grace_period=0.2)
    blocker = await service.execute("nap", ExecuteRequest(seconds=1), wait=False)
    await wait_for(service, blocker.jobID, lambda s: s.status == JobStatus.running)
    queued = await service.execute("add", ExecuteRequest(a=1), wait=False)

    dismissed = await service.dismiss_job(queued.jobID)
    assert dismissed.status == JobStatus.dismissed
    assert (await wait_for(service, blocker.jobID)).status == JobStatus.successful
    after = await service.execute("add", ExecuteRequest(a=2), wait=True)  # the worker moved on
    assert after.status == JobStatus.successful
    status = await service.get_job(queued.jobID)
    assert status.status == JobStatus.dismissed
    assert status.started is None
    with pytest.raises(JobDismissed):
        await service.get_results(queued.jobID)
    with pytest.raises(JobGone):  # a second dismiss changes nothing
        await service.dismiss_job(queued.jobID)
    assert (await service.get_job(queued.jobID)).updated == status.updated


async def test_dismiss_running_cpu_bound_job_kills_its_worker(service: LocalJobService) -> None:
    job = await service.execute("spin", ExecuteRequest(seconds=120), wait=False)
    running = await wait_for(service, job.jobID, lambda s: (s.message or "").startswith("pid "))
    pid = int((running.message or "").split()[1])
    assert running.status == JobStatus.running

    dismissed = await service.dismiss_job(job.jobID)
    assert dismissed.status == JobStatus.dismissed
    assert dismissed.finished is not None
    await wait_gone(pid)
    assert (await service.get_job(job.jobID)).status == JobStatus.dismissed

    # a replacement worker takes new jobs
    for _ in range(3):
        again = await service.execute("add", ExecuteRequest(a=1, b=1), wait=True)
        assert again.status == JobStatus.successful
    assert (await service.get_job(job.jobID)).status == JobStatus.dismissed


async def test_dismiss_finished_job_deletes_results(service: LocalJobService) -> None:
    status = await service.execute("big", ExecuteRequest(count=50_000), wait=True)
    job_dir = service.store.results_root / status.jobID
    assert job_dir.is_dir()

    dismissed = await service.dismiss_job(status.jobID)
    assert dismissed.status == JobStatus.dismissed
    assert dismissed.finished == status.finished
    assert not job_dir.exists()
    with pytest.raises(JobDismissed):
        await service.get_results(status.jobID)
    with pytest.raises(JobGone):  # the standard answers a repeated dismiss with 410 Gone
        await service.dismiss_job(status.jobID)


async def test_dismiss_wakes_a_synchronous_execution(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1, grace_period=0.2)
    waiting = asyncio.create_task(service.execute("nap", ExecuteRequest(seconds=60), wait=True))
    page = None
    for _ in range(500):
        page = await service.list_jobs(JobQuery())
        if page.jobs:
            break
        await asyncio.sleep(0.02)
    assert page is not None and page.jobs
    await service.dismiss_job(page.jobs[0].jobID)
    ended = await asyncio.wait_for(waiting, 30)
    assert ended.status == JobStatus.dismissed


def test_pid_helper_sees_this_process() -> None:
    assert not process_gone(os.getpid())


async def test_dismiss_also_stops_what_the_job_started(service: LocalJobService) -> None:
    job = await service.execute("with_child", ExecuteRequest(), wait=False)
    running = await wait_for(service, job.jobID, lambda s: (s.message or "").startswith("pids "))
    worker_pid, child_pid = (int(p) for p in (running.message or "").split()[1:])
    await service.dismiss_job(job.jobID)
    await wait_gone(worker_pid)
    await wait_gone(child_pid)
