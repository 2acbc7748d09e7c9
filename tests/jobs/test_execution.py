"""Running jobs: results, requested outputs, failures, validation, progress, large outputs."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest, JobStatus, Output
from eoproc.processes.demo import demo
from eoproc.server.outputs import whole_file
from eoproc.server.service import (
    InvalidInput,
    JobFailed,
    JobQuery,
    NoSuchJob,
    NoSuchProcess,
    ResultNotReady,
    Service,
)

from .conftest import ServiceFactory, wait_for

PRIMES_10_80 = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]


async def test_serves_a_job_through_the_service_protocol(tmp_path: Path) -> None:
    """Everything the server does, through the ``Service`` protocol alone."""
    service: Service = LocalJobService(demo, store_url=f"sqlite:///{tmp_path / 'jobs.db'}")
    await service.start()
    try:
        assert "primes_between" in [summary.id for summary in service.list_processes()]
        assert service.get_process("primes_between").id == "primes_between"
        request = ExecuteRequest(min_val=10, max_val=20)
        done = await service.execute("primes_between", request, wait=True)
        assert done.status == JobStatus.successful
        assert (await service.get_job(done.jobID)).status == JobStatus.successful
        page = await service.list_jobs(JobQuery(limit=10))
        assert [job.jobID for job in page.jobs] == [done.jobID]
        results = await service.get_results(done.jobID)
        assert results.to_dict() == {"return_value": [11, 13, 17, 19]}
        assert (await service.dismiss_job(done.jobID)).status == JobStatus.dismissed
        with pytest.raises(NoSuchJob):
            await service.get_job("no-such-job")
    finally:
        await service.stop()


async def test_async_execution_runs_in_a_worker(
    make_service: ServiceFactory, ogc_validate: Callable[[str, Any], None]
) -> None:
    service = await make_service(registry=demo)
    accepted = await service.execute(
        "primes_between", ExecuteRequest(min_val=10, max_val=80), wait=False
    )
    assert accepted.status == JobStatus.accepted
    assert accepted.processID == "primes_between"
    ogc_validate("statusInfo", accepted.to_dict())

    done = await wait_for(service, accepted.jobID)
    assert done.status == JobStatus.successful
    assert done.progress == 100
    assert done.created and done.started and done.finished
    assert done.created <= done.started <= done.finished
    ogc_validate("statusInfo", done.to_dict())
    results = await service.get_results(accepted.jobID)
    assert results.to_dict() == {"return_value": PRIMES_10_80}


async def test_sync_execution_returns_the_ended_job(service: LocalJobService) -> None:
    status = await service.execute("add", ExecuteRequest(a=2, b=3), wait=True)
    assert status.status == JobStatus.successful
    assert (await service.get_results(status.jobID)).to_dict() == {"return_value": 5}


async def test_jobs_run_in_worker_processes(service: LocalJobService) -> None:
    import os

    status = await service.execute("whoami", ExecuteRequest(), wait=True)
    pid = (await service.get_results(status.jobID))["return_value"]
    assert pid != os.getpid()


async def test_requested_outputs_are_honoured(service: LocalJobService) -> None:
    request = ExecuteRequest(inputs={"values": [1, 2, 6]}, outputs={"maximum": Output()})
    status = await service.execute("stats", request, wait=True)
    assert (await service.get_results(status.jobID)).to_dict() == {"maximum": 6}

    everything = await service.execute("stats", ExecuteRequest(values=[1, 2, 6]), wait=True)
    assert (await service.get_results(everything.jobID)).to_dict() == {"mean": 3, "maximum": 6}


async def test_unknown_output_is_invalid_input(service: LocalJobService) -> None:
    request = ExecuteRequest(inputs={"values": [1]}, outputs={"median": Output()})
    with pytest.raises(InvalidInput) as caught:
        await service.execute("stats", request, wait=False)
    assert [p["path"] for p in caught.value.extra["problems"]] == ["outputs.median"]


async def test_failed_job(service: LocalJobService) -> None:
    status = await service.execute("boom", ExecuteRequest(message="no luck"), wait=True)
    assert status.status == JobStatus.failed
    assert status.message == "ValueError: no luck"
    with pytest.raises(JobFailed) as caught:
        await service.get_results(status.jobID)
    assert caught.value.detail == "ValueError: no luck"
    assert "Traceback" not in str(caught.value.detail)
    assert "Traceback" in caught.value.extra["traceback"][0]  # for the server's debug mode
    assert caught.value.extra["jobID"] == status.jobID


async def test_invalid_inputs_list_every_problem(make_service: ServiceFactory) -> None:
    service = await make_service(registry=demo)
    request = ExecuteRequest(min_val=-1, max_val="many", bogus=1)
    with pytest.raises(InvalidInput) as caught:
        await service.execute("primes_between", request, wait=False)
    paths = sorted(p["path"] for p in caught.value.extra["problems"])
    assert paths == ["bogus", "max_val", "min_val"]
    assert all(p["message"] for p in caught.value.extra["problems"])
    page = await service.list_jobs(JobQuery())
    assert page.jobs == []  # no job was created


async def test_unknown_process_and_job(service: LocalJobService) -> None:
    with pytest.raises(NoSuchProcess):
        await service.execute("nope", ExecuteRequest(), wait=False)
    with pytest.raises(NoSuchProcess):
        service.get_process("nope")
    for call in (service.get_job, service.get_results, service.dismiss_job):
        with pytest.raises(NoSuchJob):
            await call("4c9ee4f7-3a0e-4d3c-9a53-000000000000")


async def test_progress_is_visible_while_running(service: LocalJobService) -> None:
    status = await service.execute("report", ExecuteRequest(seconds=30), wait=False)
    running = await wait_for(service, status.jobID, lambda s: s.progress == 50)
    assert running.status == JobStatus.running
    assert running.message == "half way"
    with pytest.raises(ResultNotReady):
        await service.get_results(status.jobID)
    await service.dismiss_job(status.jobID)


async def test_results_not_ready_while_accepted(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1, grace_period=0.2)
    blocker = await service.execute("nap", ExecuteRequest(seconds=30), wait=False)
    await wait_for(service, blocker.jobID, lambda s: s.status == JobStatus.running)
    queued = await service.execute("add", ExecuteRequest(a=1), wait=False)
    assert (await service.get_job(queued.jobID)).status == JobStatus.accepted
    with pytest.raises(ResultNotReady):
        await service.get_results(queued.jobID)
    await service.dismiss_job(blocker.jobID)
    assert (await wait_for(service, queued.jobID)).status == JobStatus.successful


async def test_large_output_is_kept_in_a_file(service: LocalJobService) -> None:
    status = await service.execute("big", ExecuteRequest(count=50_000), wait=True)
    results = await service.get_results(status.jobID)
    assert results["return_value"] == list(range(50_000))
    file = await service.get_result_file(status.jobID, "return_value")
    assert file.path.is_file()
    assert file.path.parent.name == status.jobID
    assert file.media_type == "application/json"

    by_reference = ExecuteRequest(
        inputs={"count": 50_000}, outputs={"return_value": Output(transmissionMode="reference")}
    )
    linked = await service.execute("big", by_reference, wait=True)
    link = (await service.get_results(linked.jobID))["return_value"]
    assert link["href"] == "results/return_value" and link["type"] == "application/json"
    assert link["length"] > 64 * 1024

    small = await service.execute("add", ExecuteRequest(a=1), wait=True)
    with pytest.raises(NoSuchJob):
        await service.get_result_file(small.jobID, "return_value")


async def test_worker_crash_fails_the_job_and_is_replaced(service: LocalJobService) -> None:
    status = await service.execute("crash", ExecuteRequest(code=3), wait=True)
    assert status.status == JobStatus.failed
    assert status.message == "The worker process running the job exited unexpectedly (exit code 3)."
    with pytest.raises(JobFailed):
        await service.get_results(status.jobID)
    for i in range(4):
        again = await service.execute("add", ExecuteRequest(a=i), wait=True)
        assert again.status == JobStatus.successful


async def test_files_written_by_a_process_are_result_files(service: LocalJobService) -> None:
    status = await service.execute("write_files", ExecuteRequest(), wait=True)
    assert status.status == JobStatus.successful, status.message
    results = (await service.get_results(status.jobID)).to_dict()
    assert results == {
        "report": {"href": "results/report", "type": "text/plain", "rel": "enclosure", "length": 9},
        "folder": {
            "href": "results/folder",
            "type": "application/vnd+zarr",
            "rel": "enclosure",
            "length": 2,
        },
    }
    report = await service.get_result_file(status.jobID, "report")
    assert report.path.read_text() == "all good\n"
    assert report.media_type == "text/plain"
    folder = await service.get_result_file(status.jobID, "folder")
    assert folder.directory and folder.media_type == "application/vnd+zarr"
    assert (folder.path / "a.txt").read_bytes() == b"a\n"
    whole = await whole_file(folder)
    assert whole.media_type == "application/zip" and whole.filename == "scene.zarr.zip"
    with zipfile.ZipFile(whole.path) as archive:
        assert archive.read("a.txt") == b"a\n"  # the root of the zip is the directory
