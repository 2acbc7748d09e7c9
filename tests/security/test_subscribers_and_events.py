"""Callbacks and event streams on a server reachable from other machines: the subscriber's
hosts are checked as input references are, and each user sees only their own jobs' events
and callbacks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ..callbacks.receiver import CallbackReceiver
from .conftest import Secured, wait_done


def execute(client: httpx.Client, subscriber: dict[str, Any]) -> httpx.Response:
    return client.post(
        "/processes/echo/execution",
        json={"inputs": {"text": "hi"}, "subscriber": subscriber},
        headers={"Prefer": "respond-async"},
    )


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://127.0.0.1:9/hook", "non-public address"),
        ("http://169.254.169.254/latest/meta-data", "non-public address"),
        ("http://[::1]:9/hook", "non-public address"),
        ("ftp://localhost/hook", "absolute http(s) URL"),
        ("/relative/hook", "absolute http(s) URL"),
        ("http://user:secret@localhost/hook", "credentials"),
    ],
)
def test_a_subscriber_the_server_may_not_call_is_refused(
    secured: Secured, uri: str, reason: str
) -> None:
    with secured.client("alice") as client:
        answer = execute(client, {"successUri": "http://localhost:9/ok", "failedUri": uri})
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["problems"][0]["path"] == "subscriber.failedUri"
    assert reason in problem["problems"][0]["message"]


def test_an_allowed_host_is_called_back(secured: Secured) -> None:
    receiver = CallbackReceiver().start()  # on 127.0.0.1, named "localhost" (allowed)
    try:
        url = receiver.url("allowed/success").replace("127.0.0.1", "localhost")
        with secured.client("alice") as client:
            answer = execute(client, {"successUri": url})
            assert answer.status_code == 201, answer.text
            job_id = answer.json()["jobID"]
            receiver.wait(lambda: bool(receiver.of("allowed")), 60, "the callback")
            assert receiver.of("allowed")[0].body == client.get(f"/jobs/{job_id}/results").json()
    finally:
        receiver.stop()


def test_events_and_callbacks_are_each_users_own(secured: Secured) -> None:
    with secured.client("alice") as alice, secured.client("bob") as bob:
        answer = execute(alice, {"successUri": "http://localhost:9/nobody-listens"})
        assert answer.status_code == 201, answer.text
        job_id = answer.json()["jobID"]
        wait_done(alice, job_id)
        for path in (f"/jobs/{job_id}/events", f"/jobs/{job_id}/callbacks"):
            refused = bob.get(path)
            assert refused.status_code == 404, refused.text
            assert refused.json()["type"].endswith("/no-such-job")
        assert bob.get("/jobs/no-such-job/events").status_code == 404
        events = alice.get(f"/jobs/{job_id}/events")
        assert events.status_code == 200
        assert events.headers["content-type"].startswith("text/event-stream")
        assert '"status":"successful"' in events.text
        callbacks = alice.get(f"/jobs/{job_id}/callbacks").json()["callbacks"]
        assert [c["kind"] for c in callbacks] == ["success"]
    with secured.client("root") as root:  # the admin sees every job
        assert root.get(f"/jobs/{job_id}/events").status_code == 200
    with secured.client() as anonymous:
        assert anonymous.get(f"/jobs/{job_id}/events").status_code == 401
