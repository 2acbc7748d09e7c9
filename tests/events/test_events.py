"""``GET /jobs/{jobID}/events`` on a real server: order, end, resume, heartbeat, clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from eoproc.client import AsyncClient, Client, ClientError
from eoproc.client.events import JobEvent
from tests.live_server import LiveServer, run_server

HEARTBEAT = 0.3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("events") / "jobs.db"
    env = {"EOPROC_EVENTS_HEARTBEAT": str(HEARTBEAT)}
    with run_server(store, "--workers", "2", env=env) as server:
        yield server


def submit(server: LiveServer, **inputs: Any) -> str:
    answer = httpx.post(
        f"{server.url}/processes/sleep_a_while/execution",
        json={"inputs": inputs},
        headers={"Prefer": "respond-async"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["jobID"])


def raw_events(
    server: LiveServer, job_id: str, last_id: str | None = None, stop_after: int | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """The events (id, event, data) of one connection, and its comment lines."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    events: list[dict[str, Any]] = []
    comments: list[str] = []
    current: dict[str, Any] = {}
    with httpx.stream(
        "GET", f"{server.url}/jobs/{job_id}/events", headers=headers, timeout=30
    ) as answer:
        assert answer.status_code == 200, answer.read()
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith(("id: ", "event: ")):
                name, _, value = line.partition(": ")
                current[name] = value
            elif line.startswith("data: "):
                current["data"] = json.loads(line[6:])
            elif not line and "data" in current:
                events.append(current)
                current = {}
                if stop_after is not None and len(events) == stop_after:
                    break
    return events, comments


def test_a_stream_shows_every_change_in_order_and_ends(server: LiveServer) -> None:
    with Client(api_url=server.url) as client:
        job_id = client.execute_process("sleep_a_while", inputs={"duration": 1.0}).jobID
        events: list[JobEvent] = list(client.stream_job_events(job_id))
    statuses = [event.status.status.value for event in events]
    assert statuses[0] == "accepted" and statuses[1] == "running"
    assert statuses[-1] == "successful"
    assert set(statuses[1:-1]) == {"running"}
    kinds = [event.type for event in events]
    assert kinds[:2] == ["status", "status"] and kinds[-1] == "status"
    assert "progress" in kinds
    progress = [event.status.progress for event in events if event.type == "progress"]
    assert progress == sorted(progress)
    ids = [int(event.id or 0) for event in events]
    assert ids == sorted(set(ids)), "event ids must increase"
    assert all(event.status.jobID == job_id for event in events)
    assert events[-1].status.links and any(link.rel == "self" for link in events[-1].status.links)


def test_a_stream_resumes_after_last_event_id_without_loss_or_repetition(
    server: LiveServer,
) -> None:
    job_id = submit(server, duration=1.5)
    first, _ = raw_events(server, job_id, stop_after=3)  # the client goes away after three
    rest, _ = raw_events(server, job_id, last_id=first[-1]["id"])
    assert rest[-1]["data"]["status"] == "successful"
    whole, _ = raw_events(server, job_id)  # the whole history, once the job ended
    assert [e["id"] for e in first + rest] == [e["id"] for e in whole]
    assert [e["data"] for e in first + rest] == [e["data"] for e in whole]
    done = httpx.get(
        f"{server.url}/jobs/{job_id}/events", headers={"Last-Event-ID": whole[-1]["id"]}
    )
    assert done.status_code == 204  # nothing more: an EventSource stops reconnecting
    with Client(api_url=server.url) as client:
        assert list(client.stream_job_events(job_id, last_event_id=whole[-1]["id"])) == []
        assert len(list(client.stream_job_events(job_id, last_event_id=whole[-2]["id"]))) == 1


def test_an_idle_stream_has_a_heartbeat(server: LiveServer) -> None:
    for _ in range(4):
        submit(server, duration=1.5)  # both workers busy twice over: the next job waits
    job_id = submit(server, duration=0.1)
    events, comments = raw_events(server, job_id)
    statuses = [event["data"]["status"] for event in events]
    assert comments, f"no heartbeat while the job waited; events: {statuses}"
    assert events[0]["data"]["status"] == "accepted" and events[-1]["event"] == "status"


def test_bad_requests(server: LiveServer) -> None:
    job_id = submit(server, duration=0.0)
    answer = httpx.get(f"{server.url}/jobs/{job_id}/events", headers={"Last-Event-ID": "x"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    with Client(api_url=server.url) as client, pytest.raises(ClientError) as caught:
        list(client.stream_job_events("no-such-job"))
    assert caught.value.status == 404


async def test_the_async_client_iterates_over_events(server: LiveServer) -> None:
    async with AsyncClient(api_url=server.url) as client:
        job = await client.execute_process("sleep_a_while", inputs={"duration": 0.5})
        statuses = [
            event.status.status.value async for event in client.stream_job_events(job.jobID)
        ]
        assert statuses[0] == "accepted" and statuses[-1] == "successful"
        final = await client.wait_for_job(job.jobID)
        assert final.status.value == "successful"


def test_the_openapi_document_describes_the_extension(server: LiveServer) -> None:
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    operation = paths["/jobs/{jobID}/events"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert any(p["name"] == "Last-Event-ID" for p in operation["parameters"])
    assert "/jobs/{jobID}/callbacks" in paths


def test_a_job_stopped_by_a_dismissal_ends_its_stream(server: LiveServer) -> None:
    job_id = submit(server, duration=30.0)
    with Client(api_url=server.url) as client:
        seen = []
        for event in client.stream_job_events(job_id):
            seen.append(event.status.status.value)
            if event.status.status.value == "running" and len(seen) == 2:
                client.dismiss_job(job_id)
    assert seen[-1] == "dismissed"
