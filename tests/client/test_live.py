"""Every client method against a real eoproc server on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from eoproc.client import Client, ClientError, JobFailedError, JobTimeoutError
from eoproc.models import (
    Bbox,
    ExecuteRequest,
    JobResults,
    JobStatus,
    ProcessRequest,
    StatusInfo,
)
from tests.live_server import LiveServer

PRIMES_10_80 = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[Client]:
    with Client(api_url=live_server.url) as client:
        yield client


def test_capabilities_and_conformance(
    client: Client, ogc_validate: Callable[[str, Any], None]
) -> None:
    capabilities = client.get_capabilities()
    ogc_validate("landingPage", capabilities.to_dict())
    rels = {link.rel for link in capabilities.links}
    assert "http://www.opengis.net/def/rel/ogc/1.0/processes" in rels
    conformance = client.get_conformance()
    assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core" in conformance.conformsTo


def test_processes_and_paging(client: Client) -> None:
    processes = client.get_processes()
    ids = [p.id for p in processes.processes]
    assert {"sleep_a_while", "primes_between"} <= set(ids)
    first_page = client.get_processes(limit=2)
    assert len(first_page.processes) == 2
    assert any(link.rel == "next" for link in first_page.links)
    every = client.get_processes(limit=2, all_pages=True)
    assert [p.id for p in every.processes] == ids
    assert not any(link.rel == "next" for link in every.links)


def test_process_description(client: Client) -> None:
    description = client.get_process("primes_between")
    assert description.id == "primes_between"
    assert description.inputs is not None
    assert set(description.inputs) == {"min_val", "max_val"}
    assert description.inputs["max_val"].schema_.default == 100


def test_execute_wait_results(client: Client) -> None:
    job = client.execute_process("primes_between", {"min_val": 10, "max_val": 80})
    assert isinstance(job, StatusInfo)
    assert job.status in (JobStatus.accepted, JobStatus.running)
    seen: list[StatusInfo] = []
    final = client.wait_for_job(job.jobID, timeout=60, on_progress=seen.append)
    assert final.status == JobStatus.successful
    assert seen[-1] == final
    assert client.get_job(job.jobID).status == JobStatus.successful
    results = client.get_job_results(job.jobID)
    assert results["return_value"] == PRIMES_10_80
    assert client.get_job_result(job.jobID) == results


@pytest.mark.parametrize(
    "request_",
    [
        ProcessRequest(min_val=10, max_val=80),
        {"min_val": 10, "max_val": 80},
        {"inputs": {"min_val": 10, "max_val": 80}},
        ExecuteRequest(inputs={"min_val": 10}, max_val=80),
    ],
    ids=["keywords", "mapping-of-inputs", "execute-mapping", "model"],
)
def test_request_forms_and_sync_mode(client: Client, request_: Any) -> None:
    results = client.execute_process("primes_between", request_, mode="sync")
    assert isinstance(results, JobResults)
    assert results["return_value"] == PRIMES_10_80


def test_inputs_keyword_adds_to_request(client: Client) -> None:
    results = client.execute_process(
        "primes_between", {"min_val": 10}, inputs={"max_val": 20}, mode="sync"
    )
    assert isinstance(results, JobResults)
    assert results["return_value"] == [11, 13, 17, 19]


def test_auto_mode_returns_what_the_server_chose(client: Client) -> None:
    answer = client.execute_process("primes_between", {}, mode="auto")
    assert isinstance(answer, JobResults | StatusInfo)
    if isinstance(answer, StatusInfo):
        client.wait_for_job(answer.jobID, timeout=60)


def test_execute_and_wait(client: Client) -> None:
    seen: list[StatusInfo] = []
    results = client.execute_and_wait(
        "primes_between",
        ProcessRequest(min_val=10, max_val=80),
        timeout=60,
        on_progress=seen.append,
    )
    assert results["return_value"] == PRIMES_10_80
    assert seen[0].status in (JobStatus.accepted, JobStatus.running)
    assert seen[-1].status == JobStatus.successful


def test_failed_job(client: Client) -> None:
    job = client.execute_process("sleep_a_while", {"duration": 0.2, "fail": True})
    assert isinstance(job, StatusInfo)
    with pytest.raises(JobFailedError) as caught:
        client.wait_for_job(job.jobID, timeout=60)
    assert caught.value.status.status == JobStatus.failed
    assert "Woke up too early" in str(caught.value)
    assert str(caught.value).startswith(f"Job {job.jobID} failed: ")
    final = client.wait_for_job(job.jobID, timeout=60, raise_on_failure=False)
    assert final.status == JobStatus.failed
    with pytest.raises(ClientError) as results_error:
        client.get_job_results(job.jobID)
    assert results_error.value.problem is not None


def test_timeout_then_dismiss(client: Client) -> None:
    job = client.execute_process("sleep_a_while", {"duration": 60})
    assert isinstance(job, StatusInfo)
    with pytest.raises(JobTimeoutError) as caught:
        client.wait_for_job(job.jobID, timeout=0.3)
    assert caught.value.job_id == job.jobID
    assert str(caught.value).startswith(f"Job {job.jobID} did not end within 0.3 seconds")
    dismissed = client.dismiss_job(job.jobID)
    assert dismissed.jobID == job.jobID
    assert dismissed.status == JobStatus.dismissed
    with pytest.raises(JobFailedError, match="was dismissed"):
        client.wait_for_job(job.jobID, timeout=60)
    with pytest.raises(ClientError) as caught_results:
        client.get_job_results(job.jobID)
    assert caught_results.value.status == 404


def test_job_list_filters(client: Client) -> None:
    done = client.execute_and_wait("primes_between", {"max_val": 10}, timeout=60)
    assert done["return_value"] == [2, 3, 5, 7]
    jobs = client.get_jobs()
    assert jobs.jobs
    successful = client.get_jobs(status="successful", process_id="primes_between")
    assert successful.jobs
    assert all(j.status == JobStatus.successful for j in successful.jobs)
    assert all(j.processID == "primes_between" for j in successful.jobs)
    assert len(client.get_jobs(limit=1).jobs) == 1
    every = client.get_jobs(limit=1, all_pages=True)
    assert len(every.jobs) >= 2
    assert len({j.jobID for j in every.jobs}) == len(every.jobs)
    now = datetime.now(UTC)
    assert client.get_jobs(datetime=(now - timedelta(hours=1), None)).jobs
    assert client.get_jobs(datetime=(now + timedelta(hours=1), None)).jobs == []
    both = client.get_jobs(status=["successful", "failed"], all_pages=True)
    assert {j.status for j in both.jobs} <= {JobStatus.successful, JobStatus.failed}


def test_errors_carry_problem_details(client: Client) -> None:
    with pytest.raises(ClientError) as unknown_job:
        client.get_job("no-such-job")
    assert unknown_job.value.status == 404
    assert unknown_job.value.problem is not None
    assert "no-such-job" in (unknown_job.value.problem.type or "")
    assert str(unknown_job.value).startswith("The server answered 404 Not Found")
    with pytest.raises(ClientError) as unknown_process:
        client.get_process("nope")
    assert unknown_process.value.status == 404
    with pytest.raises(ClientError) as invalid:
        client.execute_process("primes_between", {"max_val": "many"})
    assert invalid.value.status == 400
    assert "max_val" in str(invalid.value)


def test_validate_and_create_request(client: Client) -> None:
    template = client.create_request("primes_between")
    assert template.inputs == {"min_val": 0, "max_val": 100}
    assert client.validate_request("primes_between", template) == []
    problems = client.validate_request(
        "primes_between", {"min_val": -1, "max_val": "x", "colour": "red"}
    )
    assert [p.path for p in problems] == ["inputs.colour", "inputs.min_val", "inputs.max_val"]
    assert "unknown input" in problems[0].message
    assert str(problems[2]) == "inputs.max_val: 'x' is not of type 'integer'"
    sleep_template = client.create_request("sleep_a_while")
    assert sleep_template.inputs == {"duration": 10.0, "fail": False}


def test_download_results(client: Client, tmp_path: Path) -> None:
    request = {"var_names": "a", "bbox": [0, 0, 4, 4], "resolution": 1.0, "periodicity": 16}
    job = client.execute_process("simulate_scene", request)
    assert isinstance(job, StatusInfo)
    client.wait_for_job(job.jobID, timeout=120)
    link = client.get_job_results(job.jobID)["return_value"]
    assert link["href"].startswith(client.api_url)
    paths = client.download_results(job.jobID, tmp_path / "out")
    assert len(paths) == 1
    assert paths[0].parent == tmp_path / "out"
    assert paths[0].name == "simulate_scene.zarr"  # the output's own name
    assert paths[0].is_dir()  # a Zarr store comes as a zip, unpacked into a directory
    xarray = pytest.importorskip("xarray")
    assert sorted(xarray.open_zarr(paths[0]).data_vars) == ["a"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == [paths[0].name]  # no .part left


def test_one_client_many_threads(client: Client) -> None:
    def run(n: int) -> list[int]:
        return list(
            client.execute_and_wait("primes_between", {"max_val": n}, timeout=120)["return_value"]
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(run, [10, 20, 30, 40]))
    assert [a[-1] for a in answers] == [7, 19, 29, 37]


def test_every_kind_of_input_round_trips(client: Client) -> None:
    inputs = {
        "string_input": "ünïcode",
        "number_input": 2.5,
        "integer_input": 7,
        "boolean_input": True,
        "array_input": [1, "two", None],
        "object_input": {"nested": {"list": [1, 2]}},
        "bbox_input": Bbox(bbox=[5.0, 50.0, 6.0, 51.0]),
        "binary_input": "aGVsbG8=",
    }
    assert client.validate_request("echo", inputs) == []
    results = client.execute_process("echo", inputs, mode="sync")
    expected = {**inputs, "bbox_input": {"bbox": [5.0, 50.0, 6.0, 51.0]}}
    assert {name: results[name] for name in expected} == expected
    problems = client.validate_request("echo", {"bbox_input": {"bbox": [1, 2]}, "pause": -1})
    assert [p.path for p in problems] == ["inputs.bbox_input.bbox", "inputs.pause"]
