"""Two job services on one PostgreSQL store and one Dask cluster (replicas)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest, JobStatus

from ..postgres_db import fresh_schema, postgres_url
from . import procs
from .conftest import wait_for
from .test_dask_executor import message_pid, wait_gone

pytestmark = pytest.mark.postgres


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[tuple[LocalJobService, LocalJobService]]:
    """Two started services on a fresh schema, a shared results directory, one cluster."""
    from distributed import LocalCluster

    with fresh_schema(postgres_url(), "dask") as url:
        async with LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            asynchronous=True,
        ) as cluster:
            services = tuple(
                LocalJobService(
                    procs.registry,
                    store_url=url,
                    results_dir=str(tmp_path / "results"),
                    executor="dask",
                    dask_scheduler=cluster.scheduler_address,
                )
                for _ in range(2)
            )
            started: list[LocalJobService] = []
            try:
                for service in services:
                    await service.start()
                    started.append(service)
                yield services[0], services[1]
            finally:
                for service in started:
                    await service.stop()


async def test_a_replica_dismisses_a_job_another_runs(
    replicas: tuple[LocalJobService, LocalJobService],
) -> None:
    first, second = replicas
    job = await first.execute("spin", ExecuteRequest(inputs={"seconds": 600}), wait=False)
    running = await wait_for(second, job.jobID, message_pid(second, "pid"))
    pid = int((running.message or "").split()[1])
    assert (await second.dismiss_job(job.jobID)).status == JobStatus.dismissed
    await wait_gone(pid)
    assert (await first.get_job(job.jobID)).status == JobStatus.dismissed


async def test_replicas_share_jobs_and_files(
    replicas: tuple[LocalJobService, LocalJobService],
) -> None:
    first, second = replicas
    jobs = [
        await service.execute("write_report", ExecuteRequest(), wait=False)
        for service in (first, second, first, second)
    ]
    for job in jobs:
        status = await wait_for(first, job.jobID)
        assert status.status == JobStatus.successful, status.message
        report = await second.get_result_file(job.jobID, "return_value")
        assert report.path.read_text() == "all good\n"
