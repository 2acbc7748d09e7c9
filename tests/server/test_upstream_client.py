"""The upstream clients (cuiman 0.3: ``s2gos_client``, ``sen4cap-client``) against our
S2GOS test service, as they speak: the requests they send and the answers they need.

cuiman is not a test dependency, so these are its requests, sent with httpx: every
execution is ``POST /processes/{id}/execution`` without a ``Prefer`` header, with the
body of gavicore's ``ProcessRequest`` (``response`` defaults to ``raw``), and the answer
must be ``201`` with a job (cuiman only accepts 201 there). The answers are read with
models that hold what gavicore's models require of them (``JobInfo``: timezone-aware
times, ``type`` "process", progress 0-100; ``ApiError``: ``type``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from enum import Enum
from typing import Any, Literal

import httpx
import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tests.live_server import LiveServer, run_server


class Upstream(BaseModel):
    model_config = ConfigDict(extra="allow")


class JobControl(Enum):
    sync_execute = "sync-execute"
    async_execute = "async-execute"
    dismiss = "dismiss"


class Status(Enum):
    accepted = "accepted"
    running = "running"
    successful = "successful"
    failed = "failed"
    dismissed = "dismissed"


class Link(Upstream):
    href: str


class Capabilities(Upstream):
    title: str | None = None
    links: list[Link]


class ProcessSummary(Upstream):
    id: str
    version: str
    jobControlOptions: list[JobControl] | None = None


class ProcessList(Upstream):
    processes: list[ProcessSummary]
    links: list[Link]


class ProcessDescription(ProcessSummary):
    inputs: dict[str, dict[str, Any]] | None = None
    outputs: dict[str, dict[str, Any]] | None = None


class JobInfo(Upstream):
    jobID: str
    processID: str | None = None
    type: Literal["process"] = "process"
    status: Status
    message: str | None = None
    created: AwareDatetime | None = None
    started: AwareDatetime | None = None
    finished: AwareDatetime | None = None
    updated: AwareDatetime | None = None
    progress: int | None = Field(None, ge=0, le=100)


class JobList(Upstream):
    jobs: list[JobInfo]
    links: list[Link]


class ApiError(Upstream):
    type: str
    title: str | None = None
    status: int | None = None
    detail: str | None = None


def process_request(inputs: dict[str, Any], *, compact: bool) -> dict[str, Any]:
    """gavicore's ``ProcessRequest(inputs=...)`` as JSON (with or without its nulls)."""
    body: dict[str, Any] = {"inputs": inputs, "response": "raw"}
    if not compact:
        body.update(outputs=None, subscriber=None)
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("upstream") / "jobs.db"
    with run_server(
        store,
        "--workers",
        "2",
        service="s2gos_server.services.testing:service",
        cli_module="s2gos_server.cli",
    ) as server:
        yield server


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def wait(http: httpx.Client, job_id: str) -> JobInfo:
    for _ in range(600):
        job = JobInfo.model_validate(http.get(f"/jobs/{job_id}").json())
        if job.status in (Status.successful, Status.failed, Status.dismissed):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end")


def test_the_service_documents(http: httpx.Client) -> None:
    capabilities = Capabilities.model_validate(http.get("/").json())
    assert capabilities.title == "S2GOS Test-Server"
    processes = ProcessList.model_validate(http.get("/processes").json())
    assert processes.processes[0].id == "mtr_demo_generation"
    for summary in processes.processes:  # async-only, as the upstream test server
        assert summary.jobControlOptions == [JobControl.async_execute, JobControl.dismiss]
    description = ProcessDescription.model_validate(
        http.get("/processes/mtr_demo_generation").json()
    )
    assert set(description.inputs or {}) == {
        "month",
        "random_seed",
        "config_output_dir",
        "scene_output_dir",
    }


@pytest.mark.parametrize("compact", [True, False])
def test_execution_without_prefer_creates_a_job(http: httpx.Client, compact: bool) -> None:
    answer = http.post(
        "/processes/primes_between/execution",
        json=process_request({"min_val": 10, "max_val": 30}, compact=compact),
    )
    assert answer.status_code == 201, answer.text  # the only status cuiman accepts here
    job = JobInfo.model_validate(answer.json())
    assert job.status == Status.accepted and job.processID == "primes_between"
    assert job.jobID.startswith("job_")
    assert answer.headers["location"].endswith(f"/jobs/{job.jobID}")

    done = wait(http, job.jobID)
    assert done.status == Status.successful and done.progress == 100
    listed = JobList.model_validate(http.get("/jobs").json())
    assert job.jobID in {entry.jobID for entry in listed.jobs}
    # response "raw", one output: the raw value, as the standard says for raw results
    results = http.get(f"/jobs/{job.jobID}/results")
    assert results.status_code == 200
    assert results.json() == [11, 13, 17, 19, 23, 29]

    dismissed = http.delete(f"/jobs/{job.jobID}")
    assert dismissed.status_code == 200
    assert JobInfo.model_validate(dismissed.json()).status == Status.dismissed
    again = http.delete(f"/jobs/{job.jobID}")
    assert again.status_code == 410
    ApiError.model_validate(again.json())


def test_the_scene_process_and_a_failing_job(http: httpx.Client) -> None:
    answer = http.post(
        "/processes/mtr_demo_generation/execution",
        json=process_request({"month": 12, "random_seed": 7}, compact=True),
    )
    assert answer.status_code == 201, answer.text
    job = wait(http, JobInfo.model_validate(answer.json()).jobID)
    assert job.status == Status.successful
    assert http.get(f"/jobs/{job.jobID}/results").json() == "scenes/mtr_demo_12.yaml"

    failing = http.post(
        "/processes/sleep_a_while/execution",
        json=process_request({"duration": 0.2, "fail": True}, compact=True),
    )
    assert failing.status_code == 201, failing.text
    failed = wait(http, JobInfo.model_validate(failing.json()).jobID)
    assert failed.status == Status.failed
    error = http.get(f"/jobs/{failed.jobID}/results")
    assert error.status_code >= 400
    assert "Woke up too early" in (ApiError.model_validate(error.json()).detail or "")

    unknown = http.get("/jobs/job_999999")
    assert unknown.status_code == 404
    ApiError.model_validate(unknown.json())
