"""Tolerance of other real servers, and downloads of outputs given by reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from eoproc.client import AsyncClient, Client, ClientError, JobFailedError
from eoproc.models import JobStatus
from tests.client.testapp import State as AppState


def test_peer_job_list_with_link_header_paging(app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/peer/") as client:
        first = client.get_jobs()
        assert [j.jobID for j in first.jobs] == ["job_0", "job_1"]
        assert first.links == []
        every = client.get_jobs(all_pages=True)
    assert [j.jobID for j in every.jobs] == ["job_0", "job_1", "job_2"]
    assert all(j.type == "process" for j in every.jobs)  # absent on the wire


def test_peer_status_without_type_and_403_for_cancelled(app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/peer/") as client:
        job = client.get_job("job_0")
        assert job.status == JobStatus.dismissed
        assert job.to_dict()["type"] == "process"
        with pytest.raises(ClientError) as caught:
            client.get_job_results("job_0")
        assert caught.value.status == 403
        assert str(caught.value) == "The server answered 403 Forbidden: The job was cancelled."
        # a job that disappears (403) while we wait was dismissed by someone else
        seen: list[JobStatus] = []
        with pytest.raises(JobFailedError, match="job_2 was dismissed"):
            client.wait_for_job("job_2", timeout=60, on_progress=lambda s: seen.append(s.status))
        assert seen == [JobStatus.running] * 3 + [JobStatus.dismissed]
        assert client.dismiss_job("job_1").status == JobStatus.dismissed


def test_location_only_answer_and_missing_links(app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/peer/") as client:
        job = client.execute_process("p", {"x": 1})
        assert (job.jobID, job.status) == ("job_1", JobStatus.successful)
        processes = client.get_processes()
    assert [p.id for p in processes.processes] == ["p"]
    assert processes.links == []


def test_unknown_job_while_waiting_is_an_error(app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/peer/") as client, pytest.raises(ClientError) as caught:
        client.wait_for_job("job_9", timeout=5)
    assert caught.value.status == 404


def test_download_results(app_url: str, app_state: AppState, tmp_path: Path) -> None:
    target = tmp_path / "out"
    with Client(api_url=f"{app_url}/peer/") as client:
        results = client.get_job_results("job_1")
        assert results["primes"] == [2, 3, 5]  # inline values are Python values
        paths = client.download_results("job_1", target)
    assert [p.name for p in paths] == ["table.csv", "report.txt", "table-1.csv"]
    assert all(p.parent == target for p in paths)
    assert (target / "table.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert (target / "report.txt").read_text(encoding="utf-8") == "ünïcode report\n"
    assert sorted(p.name for p in target.iterdir()) == ["report.txt", "table-1.csv", "table.csv"]


async def test_download_results_async(app_url: str, app_state: AppState, tmp_path: Path) -> None:
    async with AsyncClient(api_url=f"{app_url}/peer/") as client:
        paths = await client.download_results("job_1", tmp_path)
    assert [p.read_bytes() for p in paths][1] == "ünïcode report\n".encode()


def test_download_of_missing_job_is_a_client_error(
    app_url: str, app_state: AppState, tmp_path: Path
) -> None:
    with Client(api_url=f"{app_url}/peer/") as client, pytest.raises(ClientError):
        client.download_results("job_0", tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_credentials_stay_on_the_api_origin(
    app_url: str, app_state: AppState, tmp_path: Path
) -> None:
    auth = {"type": "api-key", "api_key": "key-123"}
    with Client(api_url=f"{app_url}/peer/", auth=auth) as client:
        paths = client.download_results("job_links", tmp_path)
    assert sorted(p.name for p in paths) == ["here.txt", "moved.txt", "there.txt"]
    assert app_state.headers == {"here.txt": "key-123", "there.txt": None, "moved.txt": None}


async def test_credentials_stay_on_the_api_origin_async(
    app_url: str, app_state: AppState, tmp_path: Path
) -> None:
    headers = {"X-API-Key": "key-123"}  # extra headers count as credentials too
    async with AsyncClient(api_url=f"{app_url}/peer/", headers=headers) as client:
        await client.download_results("job_links", tmp_path)
    assert app_state.headers == {"here.txt": "key-123", "there.txt": None, "moved.txt": None}
