"""Routes, links, negotiation and rendering, over the in-memory service (ASGI transport)."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from eoproc.models import ExecuteRequest, JobStatus
from eoproc.server import JobQuery, NoSuchJob, NoSuchProcess, ResultNotReady
from eoproc.server.links import OPENAPI_JSON
from tests.server.conftest import AppClient, assert_problem
from tests.server.memory_service import MemoryService

Validate = Callable[[str, Any], None]
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0"


def rels(body: dict) -> dict[str, dict]:
    return {link["rel"]: link for link in body["links"]}


async def test_lifespan_starts_and_stops_the_service(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        assert memory_service.started and not memory_service.stopped
        assert (await client.get("/")).status_code == 200
    assert memory_service.stopped


async def test_landing_page_links(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        response = await client.get("/")
    body = response.json()
    ogc_validate("landingPage", body)
    assert body["title"] == "Memory"
    links = rels(body)
    assert links["service-desc"]["type"] == OPENAPI_JSON
    assert links["service-desc"]["href"] == "http://test/openapi.json"
    assert links["service-doc"]["type"] == "text/html"
    assert links[f"{OGC_REL}/conformance"]["href"] == "http://test/conformance"
    assert links[f"{OGC_REL}/processes"]["href"] == "http://test/processes"
    assert links[f"{OGC_REL}/job-list"]["href"] == "http://test/jobs"


async def test_conformance(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        body = (await client.get("/conformance")).json()
    ogc_validate("confClasses", body)
    names = {uri.rsplit("/", 1)[1] for uri in body["conformsTo"]}
    assert names == {
        "core",
        "ogc-process-description",
        "json",
        "html",
        "oas30",
        "job-list",
        "dismiss",
    }


async def test_openapi_document_is_valid_oas30(app_client: AppClient) -> None:
    async with app_client() as client:
        response = await client.get("/openapi.json")
        docs = await client.get("/docs")
    assert response.headers["content-type"] == OPENAPI_JSON
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    errors = [e.message for e in OpenAPIV30SpecValidator(document).iter_errors()]
    assert errors == []
    assert "/processes/{processID}/execution" in document["paths"]
    job_params = {p["name"] for p in document["paths"]["/jobs"]["get"]["parameters"]}
    assert {
        "type",
        "processID",
        "status",
        "datetime",
        "minDuration",
        "maxDuration",
        "limit",
    } <= job_params
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert "/openapi.json" in docs.text


async def test_process_list_pages(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        first = (await client.get("/processes")).json()
        ogc_validate("processList", first)
        assert len(first["processes"]) == 10
        assert "prev" not in rels(first)
        seen = [p["id"] for p in first["processes"]]
        page = first
        while "next" in rels(page):
            page = (await client.get(rels(page)["next"]["href"])).json()
            ogc_validate("processList", page)
            assert "prev" in rels(page)
            seen += [p["id"] for p in page["processes"]]
        back = (await client.get(rels(page)["prev"]["href"])).json()
    assert len(seen) == len(set(seen)) == 21
    assert back["processes"][0]["id"] == seen[10]
    for summary in first["processes"]:
        assert rels(summary)["self"]["href"] == f"http://test/processes/{summary['id']}"


async def test_process_description(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        body = (await client.get("/processes/both")).json()
        missing = await client.get("/processes/nope")
    ogc_validate("process", body)
    assert rels(body)[f"{OGC_REL}/execute"]["href"] == "http://test/processes/both/execution"
    problem = assert_problem(
        missing, 404, "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process"
    )
    ogc_validate("exception", problem)


@pytest.mark.parametrize(
    ("process", "prefer", "expected", "applied"),
    [
        ("both", None, 200, None),
        ("both", "respond-async", 201, "respond-async"),
        ("both", "wait=10, respond-async", 201, "respond-async"),
        ("async_only", None, 201, None),
        ("async_only", "respond-async", 201, "respond-async"),
        ("sync_only", None, 200, None),
        ("sync_only", "respond-async", 200, None),
    ],
)
async def test_execution_mode_table(
    app_client: AppClient,
    ogc_validate: Validate,
    process: str,
    prefer: str | None,
    expected: int,
    applied: str | None,
) -> None:
    headers = {"Prefer": prefer} if prefer else {}
    async with app_client() as client:
        response = await client.post(
            f"/processes/{process}/execution", json={"inputs": {"x": 4}}, headers=headers
        )
        assert response.status_code == expected, response.text
        assert response.headers.get("preference-applied") == applied
        if expected == 201:
            ogc_validate("statusInfo", response.json())
            location = response.headers["location"]
            assert location == f"http://test/jobs/{response.json()['jobID']}"
            assert (await client.get(location)).json()["status"] == "accepted"
        else:
            ogc_validate("results", response.json())
            assert response.json() == {"y": 8}
            assert 'rel="monitor"' in response.headers["link"]


async def test_sync_outputs_and_raw_responses(app_client: AppClient) -> None:
    url = "/processes/multi/execution"
    async with app_client() as client:
        document = await client.post(url, json={"x": 2, "outputs": {"text": {}}})
        raw_text = await client.post(url, json={"x": 2, "response": "raw", "outputs": {"text": {}}})
        raw_json = await client.post(url, json={"x": 2, "response": "raw", "outputs": {"y": {}}})
        multi = await client.post(url, json={"x": 2, "response": "raw"})
    assert document.json() == {"text": "hello"}
    assert raw_text.headers["content-type"].startswith("text/plain")
    assert raw_text.content == b"hello"
    assert raw_json.headers["content-type"] == "application/json"
    assert raw_json.json() == 4
    assert multi.headers["content-type"].startswith("multipart/related")
    message = message_from_bytes(
        f"Content-Type: {multi.headers['content-type']}\r\n\r\n".encode() + multi.content
    )
    parts = {part["Content-ID"]: part.get_payload() for part in message.get_payload()}
    assert parts == {"<y>": "4", "<text>": "hello"}


async def test_file_outputs(app_client: AppClient) -> None:
    async with app_client() as client:
        document = await client.post("/processes/file/execution", json={})
        href = document.json()["data"]["href"]
        job_id = document.headers["link"].split("/jobs/")[1].split(">")[0]
        assert href == f"http://test/jobs/{job_id}/results/data"
        downloaded = await client.get(href)
        raw = await client.post("/processes/file/execution", json={"response": "raw"})
        missing = await client.get(f"/jobs/{job_id}/results/other")
    assert downloaded.content == b"\x00\x01binary"
    assert downloaded.headers["content-type"] == "application/x-test"
    assert raw.content == b"\x00\x01binary"
    assert_problem(missing, 404)


async def test_failed_job_answers_its_error_without_traceback(app_client: AppClient) -> None:
    async with app_client() as client:
        response = await client.post("/processes/boom/execution", json={})
    body = assert_problem(response, 500, "https://eoproc.dev/problems/job-failed")
    assert body["detail"] == "it went boom"


async def test_debug_mode_shows_the_job_traceback(app_client: AppClient) -> None:
    async with app_client(debug=True) as client:
        response = await client.post("/processes/boom/execution", json={})
    assert response.json()["traceback"] == ["secret.py line 1"]


async def test_job_list_pages_and_links(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        for _ in range(5):
            await client.post("/processes/async_only/execution", json={})
        first = (await client.get("/jobs", params={"limit": 2, "status": "accepted"})).json()
        ogc_validate("jobList", first)
        assert rels(first)["self"]["href"] == "http://test/jobs?limit=2&status=accepted"
        ids = [job["jobID"] for job in first["jobs"]]
        page = first
        while "next" in rels(page):
            assert "status=accepted" in rels(page)["next"]["href"]
            page = (await client.get(rels(page)["next"]["href"])).json()
            ogc_validate("jobList", page)
            ids += [job["jobID"] for job in page["jobs"]]
    assert len(ids) == len(set(ids)) == 5
    for job in first["jobs"]:
        assert rels(job)["self"]["href"] == f"http://test/jobs/{job['jobID']}"


async def test_dismiss(app_client: AppClient, ogc_validate: Validate) -> None:
    async with app_client() as client:
        job = (await client.post("/processes/async_only/execution", json={})).json()
        dismissed = await client.delete(f"/jobs/{job['jobID']}")
        results = await client.get(f"/jobs/{job['jobID']}/results")
    ogc_validate("statusInfo", dismissed.json())
    assert dismissed.json()["status"] == "dismissed"
    assert_problem(results, 404)


async def test_memory_service_keeps_the_service_contract(tmp_path: Path) -> None:
    """The test double behaves as the routes expect of any ``Service``."""
    service = MemoryService(tmp_path)
    request = ExecuteRequest.model_validate({"inputs": {"x": 4}})
    done = await service.execute("both", request, wait=True)
    queued = await service.execute("async_only", request, wait=False)
    assert done.status == JobStatus.successful and queued.status == JobStatus.accepted
    assert (await service.get_results(done.jobID)).root == {"y": 8}
    with pytest.raises(ResultNotReady):
        await service.get_results(queued.jobID)
    page = await service.list_jobs(JobQuery(statuses=[JobStatus.accepted], limit=10))
    assert [job.jobID for job in page.jobs] == [queued.jobID]
    assert (await service.dismiss_job(queued.jobID)).status == JobStatus.dismissed
    with pytest.raises(NoSuchJob):
        await service.get_job("nope")
    with pytest.raises(NoSuchProcess):
        await service.execute("nope", request, wait=False)


async def test_async_raw_results(app_client: AppClient, memory_service: MemoryService) -> None:
    url = "/processes/multi/execution"
    prefer = {"Prefer": "respond-async"}
    async with app_client() as client:
        one = await client.post(
            url, json={"x": 5, "response": "raw", "outputs": {"y": {}}}, headers=prefer
        )
        many = await client.post(url, json={"x": 5, "response": "raw"}, headers=prefer)
        document = await client.post(url, json={"x": 5}, headers=prefer)
        not_ready = await client.get(f"/jobs/{one.json()['jobID']}/results")
        for created in (one, many, document):
            memory_service.finish(created.json()["jobID"])
        raw_one = await client.get(f"/jobs/{one.json()['jobID']}/results")
        raw_many = await client.get(f"/jobs/{many.json()['jobID']}/results")
        as_document = await client.get(f"/jobs/{document.json()['jobID']}/results")
    assert_problem(not_ready, 404)
    assert raw_one.headers["content-type"] == "application/json" and raw_one.json() == 10
    assert raw_many.headers["content-type"].startswith("multipart/related")
    assert as_document.json() == {"y": 10, "text": "hello"}
