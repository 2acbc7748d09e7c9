"""The job service recalls each job's requested outputs and response mode, so the
results of an asynchronous ``"response": "raw"`` execution are raw
(/req/core/job-results-async-raw-*), through a real server."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from eoproc.models import ExecuteRequest, ResponseType
from eoproc.server.service import KeepsExecuteRequests, NoSuchJob

from ..live_server import run_server
from .conftest import ServiceFactory, wait_for


async def test_the_service_recalls_outputs_and_response(make_service: ServiceFactory) -> None:
    service = await make_service(workers=1)
    assert isinstance(service, KeepsExecuteRequests)
    request = ExecuteRequest.model_validate(
        {"inputs": {"a": 1}, "outputs": {"return_value": {}}, "response": "raw"}
    )
    job = await service.execute("add", request, wait=False)
    recalled = await service.get_execute_request(job.jobID)
    assert recalled.response == ResponseType.raw
    assert recalled.outputs is not None and list(recalled.outputs) == ["return_value"]
    plain = await service.execute("add", ExecuteRequest(inputs={"a": 1}), wait=False)
    recalled = await service.get_execute_request(plain.jobID)
    assert recalled.response is None and not recalled.outputs
    await wait_for(service, job.jobID)
    with pytest.raises(NoSuchJob):
        await service.get_execute_request("no-such-job")


def run_async(client: httpx.Client, process: str, body: dict[str, object]) -> str:
    """Execute asynchronously, wait (safety net) until the job ended; its URL."""
    created = client.post(
        f"/processes/{process}/execution", json=body, headers={"Prefer": "respond-async"}
    )
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    deadline = time.monotonic() + 60
    while client.get(location).json()["status"] not in ("successful", "failed"):
        assert time.monotonic() < deadline, "the job never ended"
        time.sleep(0.05)
    return location


def test_async_raw_results_are_raw(tmp_path: Path) -> None:
    with run_server(tmp_path / "jobs.db", service="tests.jobs.procs:registry") as server:
        client = server.client()
        location = run_async(client, "add", {"inputs": {"a": 1, "b": 2}, "response": "raw"})
        raw = client.get(location + "/results")
        assert raw.status_code == 200
        assert raw.json() == 3  # the value itself, not a results document

        document = client.get(run_async(client, "add", {"inputs": {"a": 1, "b": 2}}) + "/results")
        assert document.json() == {"return_value": 3}

        location = run_async(client, "write_files", {"outputs": {"report": {}}, "response": "raw"})
        report = client.get(location + "/results")
        assert report.status_code == 200
        assert report.headers["content-type"].startswith("text/plain")
        assert report.text == "all good\n"
