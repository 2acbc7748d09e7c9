"""Acceptance: the real server (subprocess, LocalJobService, SQLite) on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from tests.live_server import LiveServer
from tests.server.conftest import assert_problem
from tests.server.live_helpers import submit, wait_for

Validate = Callable[[str, Any], None]
OGC_EXC = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0"
P = "https://eoproc.dev/problems"
PRIMES_11_79 = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with live_server.client(timeout=60) as client:
        yield client


def rels(body: dict[str, Any]) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in body["links"]}


def test_capabilities_validate(client: httpx.Client, ogc_validate: Validate) -> None:
    landing = client.get("/").json()
    ogc_validate("landingPage", landing)
    ogc_validate("confClasses", client.get("/conformance").json())
    links = rels(landing)
    document = client.get(links["service-desc"])
    assert document.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert list(OpenAPIV30SpecValidator(document.json()).iter_errors()) == []
    assert client.get(links["service-doc"]).status_code == 200
    for rel in ("conformance", "processes", "job-list"):
        href = links[f"http://www.opengis.net/def/rel/ogc/1.0/{rel}"]
        assert client.get(href).status_code == 200


def test_every_process_validates(client: httpx.Client, ogc_validate: Validate) -> None:
    listing = client.get("/processes").json()
    ogc_validate("processList", listing)
    ids = [summary["id"] for summary in listing["processes"]]
    assert {"sleep_a_while", "primes_between"} <= set(ids)
    for process_id in ids:
        description = client.get(f"/processes/{process_id}").json()
        ogc_validate("process", description)
        execute = rels(description)["http://www.opengis.net/def/rel/ogc/1.0/execute"]
        assert execute.endswith(f"/processes/{process_id}/execution")


def test_seed_scenario(client: httpx.Client, ogc_validate: Validate) -> None:
    description = client.get("/processes/primes_between").json()
    assert set(description["inputs"]) == {"min_val", "max_val"}

    created = submit(client, "primes_between", {"min_val": 10, "max_val": 80})
    assert created.status_code == 201, created.text
    assert created.headers["preference-applied"] == "respond-async"
    ogc_validate("statusInfo", created.json())
    location = created.headers["location"]
    job_id = created.json()["jobID"]
    assert location.endswith(f"/jobs/{job_id}")

    status = wait_for(client, job_id)
    ogc_validate("statusInfo", status)
    assert status["status"] == "successful"
    results = client.get(rels(status)["http://www.opengis.net/def/rel/ogc/1.0/results"]).json()
    ogc_validate("results", results)
    assert list(results.values()) == [PRIMES_11_79]

    sleeper = submit(client, "sleep_a_while", {"duration": 60}).json()
    wait_for(client, sleeper["jobID"], ("running",))
    not_ready = client.get(f"/jobs/{sleeper['jobID']}/results")
    ogc_validate("exception", assert_problem(not_ready, 404, f"{OGC_EXC}/result-not-ready"))
    dismissed = client.delete(f"/jobs/{sleeper['jobID']}")
    assert dismissed.status_code == 200
    ogc_validate("statusInfo", dismissed.json())
    assert dismissed.json()["status"] == "dismissed"
    assert client.get(f"/jobs/{sleeper['jobID']}").json()["status"] == "dismissed"
    gone = assert_problem(client.get(f"/jobs/{sleeper['jobID']}/results"), 404)
    assert "dismissed" in gone["detail"]
    again = client.delete(f"/jobs/{sleeper['jobID']}")  # the standard: 410 Gone, nothing changes
    ogc_validate("exception", assert_problem(again, 410, "https://eoproc.dev/problems/job-gone"))
    assert client.get(f"/jobs/{sleeper['jobID']}").json()["status"] == "dismissed"

    failing = submit(client, "sleep_a_while", {"duration": 0.1, "fail": True}).json()
    assert wait_for(client, failing["jobID"])["status"] == "failed"
    failed = client.get(f"/jobs/{failing['jobID']}/results")
    body = assert_problem(failed, failed.status_code)
    assert failed.status_code >= 400 and "Woke up too early" in body["detail"]

    unknown = client.get("/jobs/00000000-0000-0000-0000-000000000000/results")
    ogc_validate("exception", assert_problem(unknown, 404, f"{OGC_EXC}/no-such-job"))


def test_sync_execution(client: httpx.Client, ogc_validate: Validate) -> None:
    url = "/processes/primes_between/execution"
    document = client.post(url, json={"inputs": {"min_val": 10, "max_val": 80}})
    assert document.status_code == 200, document.text
    ogc_validate("results", document.json())
    assert list(document.json().values()) == [PRIMES_11_79]
    assert 'rel="monitor"' in document.headers["link"]
    raw = client.post(url, json={"min_val": 10, "max_val": 20, "response": "raw"})
    assert raw.status_code == 200
    assert raw.json() == [11, 13, 17, 19]


ALL_JOBS = {"limit": "10000", "status": "accepted,running,successful,failed,dismissed"}
BIG = b'{"inputs": {"min_val": "' + b"1" * (11 * 1024 * 1024) + b'"}}'


@pytest.mark.parametrize(
    ("process", "body", "headers", "status", "type_"),
    [
        ("primes_between", b'{"inputs": {', None, 400, f"{P}/malformed-body"),
        ("primes_between", b'["min_val", 1]', None, 400, f"{P}/malformed-body"),
        (
            "primes_between",
            b"min_val=1",
            {"content-type": "application/x-www-form-urlencoded"},
            415,
            f"{P}/unsupported-media-type",
        ),
        ("no_such_process", b"{}", None, 404, f"{OGC_EXC}/no-such-process"),
        ("primes_between", b'{"inputs": {"bogus": 1}}', None, 400, f"{P}/invalid-input"),
        ("primes_between", b'{"inputs": {"min_val": "ten"}}', None, 400, f"{P}/invalid-input"),
        ("primes_between", b'{"inputs": {"max_val": 1000}}', None, 400, f"{P}/invalid-input"),
        ("return_base_model", b'{"inputs": {}}', None, 400, f"{P}/invalid-input"),
        ("primes_between", BIG, None, 413, f"{P}/body-too-large"),
    ],
    ids=[
        "malformed-json",
        "non-object",
        "wrong-content-type",
        "unknown-process",
        "unknown-input",
        "wrong-type",
        "out-of-range",
        "missing-required",
        "11MiB",
    ],
)
def test_bad_execute_requests(
    client: httpx.Client,
    ogc_validate: Validate,
    process: str,
    body: bytes,
    headers: dict[str, str] | None,
    status: int,
    type_: str,
) -> None:
    before = client.get("/jobs", params=ALL_JOBS).json()
    response = client.post(
        f"/processes/{process}/execution",
        content=body,
        headers=headers or {"content-type": "application/json"},
    )
    problem = assert_problem(response, status, type_)
    ogc_validate("exception", problem)
    if status == 400 and type_.endswith("invalid-input"):
        assert problem["problems"], problem
    after = client.get("/jobs", params=ALL_JOBS).json()
    assert len(after["jobs"]) == len(before["jobs"]), "no job may be created for a bad request"


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": "0"}, "limit"),
        ({"status": "bogus"}, "status"),
        ({"datetime": "not-a-date"}, "datetime"),
        ({"minDuration": "x"}, "minDuration"),
    ],
)
def test_bad_job_list_parameters(
    client: httpx.Client, ogc_validate: Validate, params: dict[str, str], path: str
) -> None:
    problem = assert_problem(client.get("/jobs", params=params), 400, f"{P}/invalid-parameter")
    ogc_validate("exception", problem)
    assert [p["path"] for p in problem["problems"]] == [path]


def test_routing_errors(client: httpx.Client) -> None:
    assert_problem(client.get("/nothing/here"), 404)
    assert_problem(client.patch("/jobs"), 405)


def test_job_list_filters_and_paging(client: httpx.Client, ogc_validate: Validate) -> None:
    first = submit(client, "primes_between", {"max_val": 10}).json()
    start = datetime.fromisoformat(first["created"])
    more = [submit(client, "primes_between", {"max_val": 11 + i}) for i in range(6)]
    ids = [first["jobID"], *(response.json()["jobID"] for response in more)]
    for job_id in ids:
        wait_for(client, job_id)
    params = {
        "processID": "primes_between",
        "datetime": f"{start.isoformat()}/..",
        "status": "successful",
        "limit": "3",
        "type": "process",
    }
    page = client.get("/jobs", params=params).json()
    seen: list[str] = []
    while True:
        ogc_validate("jobList", page)
        assert len(page["jobs"]) <= 3
        seen += [job["jobID"] for job in page["jobs"]]
        if "next" not in rels(page):
            break
        page = client.get(rels(page)["next"]).json()
    assert seen == list(reversed(ids)), "newest first, each once"
    none = client.get(
        "/jobs",
        params={
            "datetime": f"../{(start - timedelta(microseconds=1)).isoformat()}",
            "processID": "primes_between",
            "status": "successful",
        },
    )
    assert not set(ids) & {job["jobID"] for job in none.json()["jobs"]}
    short = client.get(
        "/jobs", params={"processID": "primes_between", "maxDuration": "60", "limit": "10000"}
    ).json()
    assert set(ids) <= {job["jobID"] for job in short["jobs"]}
    long = client.get("/jobs", params={"processID": "primes_between", "minDuration": "3600"})
    assert not set(ids) & {job["jobID"] for job in long.json()["jobs"]}
