"""Request ids, and no traceback, path, SQL or secret in responses."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from eoproc.models import ExecuteRequest, JobResults, ProcessDescription, ProcessSummary, StatusInfo
from eoproc.server.app import create_app
from eoproc.server.security import REQUEST_ID_HEADER, SecurityConfig
from eoproc.server.service import JobPage, JobQuery, NoSuchJob, ResultFile

from .conftest import Secured, serve_app


class Broken:
    """A service whose job operations hit a 'database' bug with a path and SQL in it."""

    title = "broken"
    description = "fails"

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def list_processes(self) -> list[ProcessSummary]:
        return []

    def get_process(self, process_id: str) -> ProcessDescription:
        raise RuntimeError("SELECT * FROM secrets WHERE path='/srv/secret/db.sqlite'")

    async def execute(self, process_id: str, request: ExecuteRequest, *, wait: bool) -> StatusInfo:
        raise RuntimeError("/srv/secret/db.sqlite")

    async def list_jobs(self, query: JobQuery) -> JobPage:
        raise OSError("SELECT * FROM eoproc_jobs -- /srv/secret/db.sqlite password=hunter2")

    async def get_job(self, job_id: str) -> StatusInfo:
        raise OSError("/srv/secret/db.sqlite: password=hunter2")

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        raise NoSuchJob(f"Job {job_id!r} does not exist.")

    async def get_results(self, job_id: str) -> JobResults:
        raise NoSuchJob(f"Job {job_id!r} does not exist.")

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        raise NoSuchJob(f"Job {job_id!r} does not exist.")


@pytest.fixture(scope="module")
def broken_url() -> Iterator[str]:
    app = create_app(Broken(), security=SecurityConfig())
    with serve_app(app) as url:
        yield url


def test_every_response_has_a_request_id_and_problems_name_it(secured: Secured) -> None:
    with secured.client("alice") as client:
        ok = client.get("/processes")
        missing = client.get(f"/jobs/{uuid.uuid4()}")
        nowhere = client.get("/no/such/path")
    ids = {r.headers[REQUEST_ID_HEADER] for r in (ok, missing, nowhere)}
    assert len(ids) == 3
    for response in (missing, nowhere):
        assert response.json()["instance"] == f"urn:uuid:{response.headers[REQUEST_ID_HEADER]}"
    with secured.client() as anonymous:
        refused = anonymous.get("/jobs")
    assert refused.json()["instance"] == f"urn:uuid:{refused.headers[REQUEST_ID_HEADER]}"


def test_internal_errors_leak_nothing(broken_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="eoproc.server.requests"),
        httpx.Client(base_url=broken_url) as client,
    ):
        responses = [
            client.get("/jobs"),
            client.get(f"/jobs/{uuid.uuid4()}"),
            client.get("/processes/x"),
            client.post("/processes/x/execution", json={}),
        ]
    for response in responses:
        assert response.status_code == 500
        body = response.text
        for secret in ("/srv", "SELECT", "hunter2", "Traceback", "OSError", "RuntimeError"):
            assert secret not in body, (secret, body)
        rid = response.headers[REQUEST_ID_HEADER]
        assert response.json()["instance"] == f"urn:uuid:{rid}"
        assert rid in response.json()["detail"]
        assert any(rid in record.getMessage() for record in caplog.records)  # the operator finds it


def test_error_bodies_of_the_job_service_carry_no_paths(secured: Secured) -> None:
    with secured.client("alice") as client:
        bad = client.get("/jobs", params={"cursor": "../../etc/passwd"})
        assert bad.status_code == 400
        assert str(Path.home()) not in bad.text and "Traceback" not in bad.text


def test_hardening_headers(secured: Secured) -> None:
    with secured.client("alice") as client:
        created = client.post("/processes/write_file/execution", json={"inputs": {}})
        job_id = created.headers["link"].split("/jobs/")[1].split(">")[0]
        file = client.get(f"/jobs/{job_id}/results/report")
        docs = client.get("/docs")
    for response in (created, file):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"].startswith("sandbox")
        assert response.headers["cache-control"] == "no-store"
    assert file.text == "all good\n"
    assert "content-security-policy" not in docs.headers  # Swagger UI runs its scripts


def test_services_without_owners_cannot_be_authenticated() -> None:
    from eoproc.server.auth import hash_key, parse_api_keys

    keys = parse_api_keys([f"{hash_key('k' * 30)}:alice"])
    with pytest.raises(ValueError, match="does not keep job owners"):
        create_app(Broken(), security=SecurityConfig(api_keys=keys))
