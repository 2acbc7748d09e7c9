"""Idempotent submission: the ``Idempotency-Key`` header of ``POST .../execution``."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, run_server
from tests.replicas.conftest import Cluster, cluster

__all__ = ["cluster"]  # the fixture

ALL = {"limit": "1000", "status": "accepted,running,successful,failed,dismissed"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with run_server(tmp_path_factory.mktemp("idem") / "jobs.db", "--workers", "2") as live:
        yield live


def post(
    client: httpx.Client, key: str | None, inputs: dict[str, Any], prefer: bool = True
) -> httpx.Response:
    headers = {"Prefer": "respond-async"} if prefer else {}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/processes/echo/execution", json={"inputs": inputs}, headers=headers)


def job_count(client: httpx.Client) -> int:
    return len(client.get("/jobs", params=ALL).json()["jobs"])


def test_the_same_key_sent_concurrently_creates_one_job(server: LiveServer) -> None:
    key = str(uuid.uuid4())
    with server.client(timeout=60) as client:
        before = job_count(client)

        def one(_: int) -> httpx.Response:
            return post(client, key, {"string_input": "once", "pause": 0.5})

        with ThreadPoolExecutor(8) as threads:
            responses = list(threads.map(one, range(16)))
        assert {r.status_code for r in responses} == {201}
        job_ids = {r.json()["jobID"] for r in responses}
        assert len(job_ids) == 1
        assert {r.headers["Location"].rsplit("/", 1)[1] for r in responses} == job_ids
        assert job_count(client) == before + 1


def test_the_same_key_with_another_body_answers_422(server: LiveServer) -> None:
    key = str(uuid.uuid4())
    with server.client(timeout=60) as client:
        assert post(client, key, {"string_input": "a"}).status_code == 201
        again = post(client, key, {"string_input": "a"})
        assert again.status_code == 201
        other = post(client, key, {"string_input": "b"})
        assert other.status_code == 422
        assert other.headers["content-type"].startswith("application/problem+json")
        assert "another request" in other.json()["detail"]
        fresh = post(client, str(uuid.uuid4()), {"string_input": "b"})
        assert fresh.status_code == 201 and fresh.json()["jobID"] != again.json()["jobID"]


def test_keys_are_per_user_and_reorderings_are_the_same_request(server: LiveServer) -> None:
    key = str(uuid.uuid4())
    with server.client(timeout=60) as client:
        first = client.post(
            "/processes/echo/execution",
            content=b'{"inputs": {"string_input": "x", "integer_input": 1}, '
            b'"outputs": {"string_input": {}}}',
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        second = client.post(
            "/processes/echo/execution",
            content=b'{"outputs":{"string_input":{}},"inputs":{"integer_input":1,"string_input":"x"}}',
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        assert first.status_code == second.status_code == 200  # synchronous: the results
        assert first.json() == second.json()
        assert first.headers["Link"] == second.headers["Link"]


@pytest.mark.parametrize("key", ["", "é", "x" * 256])
def test_an_unusable_key_answers_400(server: LiveServer, key: str) -> None:
    with server.client(timeout=60) as client:
        response = client.post(
            "/processes/echo/execution",
            json={"inputs": {}},
            headers={"Idempotency-Key": key.encode("utf-8")},  # type: ignore[dict-item]
        )
        assert response.status_code == 400, response.text
        assert "Idempotency-Key" in response.json()["detail"]


def test_a_key_survives_a_server_restart(tmp_path: Path) -> None:
    key = str(uuid.uuid4())
    store = tmp_path / "jobs.db"
    with run_server(store, "--workers", "1") as live, live.client(timeout=60) as client:
        first = post(client, key, {"string_input": "kept"}).json()["jobID"]
    with run_server(store, "--workers", "1") as live, live.client(timeout=60) as client:
        assert post(client, key, {"string_input": "kept"}).json()["jobID"] == first


@pytest.mark.postgres
def test_the_same_key_on_two_replicas_creates_one_job(cluster: Cluster) -> None:
    key = str(uuid.uuid4())
    with cluster.replica("a") as a, cluster.replica("b") as b, httpx.Client(timeout=60) as client:

        def one(index: int) -> httpx.Response:
            server = (a, b)[index % 2]
            return client.post(
                f"{server.url}/processes/record/execution",
                json={"inputs": {"tag": "keyed", "seconds": 0.5}},
                headers={"Prefer": "respond-async", "Idempotency-Key": key},
            )

        with ThreadPoolExecutor(8) as threads:
            responses = list(threads.map(one, range(16)))
        assert {r.status_code for r in responses} == {201}
        assert len({r.json()["jobID"] for r in responses}) == 1
        assert cluster.sql("SELECT count(*) FROM eoproc_jobs") == [(1,)]


class DropFirstAnswer(httpx.HTTPTransport):
    """Sends every request to the real server, but loses the answer of the first POST
    (as a dropped connection would: the server made the job, the client never heard)."""

    def __init__(self) -> None:
        super().__init__()
        self.posts: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST":
            self.posts.append(request.headers.get("Idempotency-Key"))
            if len(self.posts) == 1:
                response.read()
                response.close()
                raise httpx.ReadError("connection dropped before the answer", request=request)
        return response


def test_the_client_resends_a_lost_submission_with_the_same_key(server: LiveServer) -> None:
    from eoproc.client import Client

    transport = DropFirstAnswer()
    with server.client(timeout=60) as probe:
        before = job_count(probe)
    with Client(api_url=server.url, transport=transport) as client:
        status = client.execute_process("echo", inputs={"string_input": "lost 201"})
        again = client.execute_process("echo", inputs={"string_input": "lost 201"})
    assert len(transport.posts) == 3  # the lost one, its resend, then a new execute
    assert transport.posts[0] == transport.posts[1] != transport.posts[2]
    assert transport.posts[0] is not None
    with server.client(timeout=60) as probe:
        assert job_count(probe) == before + 2  # one per execute, none for the resend
        assert probe.get(f"/jobs/{status.jobID}").status_code == 200  # type: ignore[union-attr]
    assert again.jobID != status.jobID  # type: ignore[union-attr]
