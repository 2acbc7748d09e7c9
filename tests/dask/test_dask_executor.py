"""The job service with the Dask executor on a real ``LocalCluster`` of worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest, JobStatus, StatusInfo
from eoproc.processes.demo import demo
from eoproc.server.service import JobDismissed, JobFailed

from . import procs
from .conftest import SAFETY_TIMEOUT, DaskServiceFactory, wait_for


def primes(low: int, high: int) -> list[int]:
    return [n for n in range(max(low, 2), high + 1) if all(n % d for d in range(2, n))]


def is_gone(pid: int) -> bool:
    """Whether process ``pid`` ended (a zombie nobody reaped yet counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


async def wait_gone(pid: int, timeout: float = SAFETY_TIMEOUT) -> None:
    """Wait until process ``pid`` no longer runs (a safety net, not a timing assertion)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if is_gone(pid):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"process {pid} still runs after {timeout} s")
        await asyncio.sleep(0.05)


def message_pid(
    service: LocalJobService, prefix: str, not_pid: int | None = None
) -> Callable[[StatusInfo], bool]:
    """A predicate: the job's message reports a pid (other than ``not_pid``)."""

    def check(status: StatusInfo) -> bool:
        text = status.message or ""
        return text.startswith(prefix) and int(text.rsplit(" ", 1)[1]) != not_pid

    return check


async def test_a_hundred_jobs_succeed_with_correct_results(
    make_dask_service: DaskServiceFactory,
) -> None:
    service = await make_dask_service(demo)
    cases = [(i % 40, 41 + i % 60) for i in range(100)]
    jobs = [
        await service.execute(
            "primes_between", ExecuteRequest(inputs={"min_val": low, "max_val": high}), wait=False
        )
        for low, high in cases
    ]
    for job, (low, high) in zip(jobs, cases, strict=True):
        status = await wait_for(service, job.jobID)
        assert status.status == JobStatus.successful, status.message
        results = await service.get_results(job.jobID)
        assert results["return_value"] == primes(low, high)


async def test_progress_is_visible_while_the_job_runs(
    make_dask_service: DaskServiceFactory,
) -> None:
    service = await make_dask_service(demo)
    job = await service.execute("sleep_a_while", ExecuteRequest(inputs={"duration": 4}), wait=False)
    running = await wait_for(
        service,
        job.jobID,
        lambda s: s.status == JobStatus.running and 0 < (s.progress or 0) < 100,
    )
    assert running.message == "Falling asleep"
    final = await wait_for(service, job.jobID)
    assert final.status == JobStatus.successful
    assert final.progress == 100


async def test_dismiss_stops_a_running_job_that_never_checks(
    make_dask_service: DaskServiceFactory, tmp_path: Path
) -> None:
    service = await make_dask_service(procs.registry)
    job = await service.execute("spin", ExecuteRequest(inputs={"seconds": 600}), wait=False)
    running = await wait_for(service, job.jobID, message_pid(service, "pid"))
    pid = int((running.message or "").split()[1])

    dismissed = await service.dismiss_job(job.jobID)
    assert dismissed.status == JobStatus.dismissed
    await wait_gone(pid)
    assert (await service.get_job(job.jobID)).status == JobStatus.dismissed
    with pytest.raises(JobDismissed):
        await service.get_results(job.jobID)
    # the worker takes the next job
    after = await service.execute("touch", ExecuteRequest(path=str(tmp_path / "after")), wait=True)
    assert after.status == JobStatus.successful, after.message


async def test_a_dismissed_queued_job_never_runs(
    make_dask_service: DaskServiceFactory, tmp_path: Path
) -> None:
    service = await make_dask_service(procs.registry)
    spinners = [
        await service.execute("spin", ExecuteRequest(inputs={"seconds": 600}), wait=False)
        for _ in range(2)
    ]
    for spinner in spinners:
        await wait_for(service, spinner.jobID, message_pid(service, "pid"))
    marker = tmp_path / "queued-ran"
    queued = await service.execute("touch", ExecuteRequest(path=str(marker)), wait=False)
    # claimed by the executor: submitted to the cluster, waiting for a free worker
    await wait_for(service, queued.jobID, lambda s: s.status == JobStatus.running)
    assert (await service.dismiss_job(queued.jobID)).status == JobStatus.dismissed
    for spinner in spinners:
        await service.dismiss_job(spinner.jobID)
    later = await service.execute("touch", ExecuteRequest(path=str(tmp_path / "later")), wait=True)
    assert later.status == JobStatus.successful, later.message
    assert not marker.exists()
    assert (await service.get_job(queued.jobID)).status == JobStatus.dismissed


async def test_a_job_whose_worker_dies_runs_again(make_dask_service: DaskServiceFactory) -> None:
    service = await make_dask_service(procs.registry)
    job = await service.execute("on_worker", ExecuteRequest(seconds=3), wait=False)
    first = await wait_for(service, job.jobID, message_pid(service, "worker pid"))
    worker_pid = int((first.message or "").rsplit(" ", 1)[1])
    os.kill(worker_pid, signal.SIGKILL)
    final = await wait_for(service, job.jobID)
    assert final.status == JobStatus.successful, final.message
    assert (await service.get_results(job.jobID))["return_value"] == 3


async def test_a_job_whose_worker_dies_twice_fails(make_dask_service: DaskServiceFactory) -> None:
    service = await make_dask_service(procs.registry)
    job = await service.execute("on_worker", ExecuteRequest(seconds=60), wait=False)
    killed: int | None = None
    for _ in range(2):
        status = await wait_for(service, job.jobID, message_pid(service, "worker pid", killed))
        killed = int((status.message or "").rsplit(" ", 1)[1])
        os.kill(killed, signal.SIGKILL)
    final = await wait_for(service, job.jobID)
    assert final.status == JobStatus.failed
    assert "Dask workers running the job died 2 times" in (final.message or "")
    with pytest.raises(JobFailed, match="died 2 times"):
        await service.get_results(job.jobID)


async def test_a_crashing_process_fails_its_job_only(make_dask_service: DaskServiceFactory) -> None:
    service = await make_dask_service(procs.registry)
    crashed = await service.execute("crash", ExecuteRequest(code=3), wait=True)
    assert crashed.status == JobStatus.failed
    assert "exited unexpectedly (exit code 3)" in (crashed.message or "")
    for _ in range(3):
        again = await service.execute("crash", ExecuteRequest(code=0), wait=True)
        assert again.status == JobStatus.failed  # a process may not end its runner either
    report = await service.execute("write_report", ExecuteRequest(), wait=True)
    assert report.status == JobStatus.successful, report.message


async def test_file_outputs_land_in_the_results_directory(
    make_dask_service: DaskServiceFactory,
) -> None:
    service = await make_dask_service(procs.registry)
    status = await service.execute("write_report", ExecuteRequest(), wait=True)
    assert status.status == JobStatus.successful, status.message
    report = await service.get_result_file(status.jobID, "return_value")
    assert report.path.read_text() == "all good\n"
    assert report.path.parent == service.store.results_root / status.jobID


async def test_two_servers_share_one_cluster(tmp_path: Path) -> None:
    from distributed import LocalCluster

    async with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        asynchronous=True,
    ) as cluster:
        scheduler_file = tmp_path / "scheduler.json"  # the second one finds it so
        scheduler_file.write_text(json.dumps({"address": cluster.scheduler_address}))
        services = [
            LocalJobService(
                procs.registry,
                store_url=f"sqlite:///{tmp_path / name / 'jobs.db'}",
                executor="dask",
                dask_scheduler=scheduler,
            )
            for name, scheduler in (
                ("first", cluster.scheduler_address),
                ("second", str(scheduler_file)),
            )
        ]
        first, second = services
        await first.start()
        try:
            long = await first.execute("on_worker", ExecuteRequest(seconds=3), wait=False)
            await wait_for(first, long.jobID, message_pid(first, "worker pid"))
            await second.start()  # registers the same worker plugin again
            done = await second.execute("write_report", ExecuteRequest(), wait=True)
            assert done.status == JobStatus.successful, done.message
            final = await wait_for(first, long.jobID)
            assert final.status == JobStatus.successful, final.message
        finally:
            for service in services:
                await service.stop()


async def test_stopping_the_server_ends_running_jobs(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'jobs.db'}"
    service = LocalJobService(procs.registry, store_url=store_url, executor="dask", workers=1)
    service.configure(grace_period=0.2)
    await service.start()
    try:
        job = await service.execute("spin", ExecuteRequest(inputs={"seconds": 600}), wait=False)
        running = await wait_for(service, job.jobID, message_pid(service, "pid"))
    finally:
        await service.stop()
    await wait_gone(int((running.message or "").split()[1]))
    reopened = LocalJobService(procs.registry, store_url=store_url, workers=1)
    await reopened.start()
    try:
        final = await reopened.get_job(job.jobID)
    finally:
        await reopened.stop()
    assert final.status == JobStatus.failed
    assert final.message == "The server stopped while the job was running."


async def test_losing_the_scheduler_fails_running_jobs(tmp_path: Path) -> None:
    from distributed import Nanny, Scheduler

    scheduler = await Scheduler(dashboard_address=None, port=0)
    nanny = await Nanny(scheduler.address, nthreads=1)
    service = LocalJobService(
        procs.registry,
        store_url=f"sqlite:///{tmp_path / 'jobs.db'}",
        executor="dask",
        dask_scheduler=scheduler.address,
    )
    try:
        await service.start()
        job = await service.execute("spin", ExecuteRequest(inputs={"seconds": 600}), wait=False)
        await wait_for(service, job.jobID, message_pid(service, "pid"))
        await scheduler.close()
        final = await wait_for(service, job.jobID)
    finally:
        await service.stop()
        await nanny.close(timeout=5)
        await scheduler.close()
    assert final.status == JobStatus.failed
    assert final.message == "The Dask cluster dropped the job (reason: scheduler-connection-lost)."
