"""Callbacks (the standard's ``callback`` class) to a real receiver on loopback.

The servers allow loopback explicitly (``--allow-input-host 127.0.0.1``, the same
allow-list as input references); ``tests/security/test_subscribers_and_events.py``
covers the hosts a server refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, run_server

from .receiver import CallbackReceiver

FAST_RETRIES = {"EOPROC_CALLBACK_BACKOFF": "0.2", "EOPROC_CALLBACK_TIMEOUT": "2"}
ALLOW_LOOPBACK = ("--allow-input-host", "127.0.0.1")
Validate = Callable[[str, Any], None]


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    receiver = CallbackReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("callbacks") / "jobs.db"
    with run_server(store, "--workers", "2", *ALLOW_LOOPBACK, env=FAST_RETRIES) as server:
        yield server


def execute(server: LiveServer, inputs: dict[str, Any], subscriber: dict[str, str]) -> str:
    answer = httpx.post(
        f"{server.url}/processes/sleep_a_while/execution",
        json={"inputs": inputs, "subscriber": subscriber},
        headers={"Prefer": "respond-async"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["jobID"])


def callbacks_of(server: LiveServer, job_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/jobs/{job_id}/callbacks")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["callbacks"])


def first_callback(server: LiveServer, job_id: str) -> dict[str, Any]:
    """The job's first callback (empty until the job queued one)."""
    records = callbacks_of(server, job_id)
    return records[0] if records else {"attempts": 0, "state": None}


def test_the_server_declares_the_callback_class(server: LiveServer) -> None:
    conformance = httpx.get(f"{server.url}/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback" in conformance
    execute_op = httpx.get(f"{server.url}/openapi.json").json()["paths"][
        "/processes/{processID}/execution"
    ]["post"]
    assert set(execute_op["callbacks"]) == {"jobInProgress", "jobCompleted", "jobFailed"}


def test_progress_and_success_callbacks_arrive_valid_and_in_order(
    server: LiveServer, receiver: CallbackReceiver, ogc_validate: Validate
) -> None:
    job_id = execute(server, {"duration": 1.0}, receiver.subscriber("ok"))
    receiver.wait(lambda: bool(receiver.of("ok", "success")), 60, "the success callback")
    progress = receiver.of("ok", "progress")
    assert progress, "no in-progress callback arrived"
    for item in progress:
        ogc_validate("statusInfo", item.body)
        assert item.body["jobID"] == job_id and item.body["status"] == "running"
        assert item.headers["X-Eoproc-Job-ID"] == job_id
    percents = [item.body.get("progress") or 0 for item in progress]
    assert percents == sorted(percents), "in-progress callbacks came out of order"
    event_ids = [int(item.headers["X-Eoproc-Event-ID"]) for item in progress]
    assert event_ids == sorted(set(event_ids)), "a callback came twice or out of order"
    (success,) = receiver.of("ok", "success")
    ogc_validate("results", success.body)
    assert success.body == httpx.get(f"{server.url}/jobs/{job_id}/results").json()
    assert not receiver.of("ok", "failed")
    records = callbacks_of(server, job_id)
    delivered = [r for r in records if r["state"] == "delivered"]
    assert {r["state"] for r in records} <= {"delivered", "superseded"}  # see the docs
    assert len(delivered) == len(receiver.of("ok"))
    assert records[-1]["kind"] == "success" and records[-1]["state"] == "delivered"
    assert all(r["attempts"] == 1 and r["lastStatus"] == 204 for r in delivered)
    links = {link["rel"]: link for link in httpx.get(f"{server.url}/jobs/{job_id}").json()["links"]}
    assert links["https://eoproc.dev/rels/callbacks"]["href"].endswith(f"/jobs/{job_id}/callbacks")


def test_a_failed_job_calls_the_failed_uri_with_its_status(
    server: LiveServer, receiver: CallbackReceiver, ogc_validate: Validate
) -> None:
    job_id = execute(server, {"duration": 0.4, "fail": True}, receiver.subscriber("bad"))
    receiver.wait(lambda: bool(receiver.of("bad", "failed")), 60, "the failed callback")
    (failed,) = receiver.of("bad", "failed")
    ogc_validate("statusInfo", failed.body)
    assert failed.body["jobID"] == job_id
    assert failed.body["status"] == "failed"
    assert "Woke up too early" in failed.body["message"]
    assert any(link["rel"] == "self" for link in failed.body["links"])
    assert not receiver.of("bad", "success")


def test_only_the_named_uris_are_called(server: LiveServer, receiver: CallbackReceiver) -> None:
    job_id = execute(server, {"duration": 0.2}, {"successUri": receiver.url("only/success")})
    receiver.wait(lambda: bool(receiver.of("only", "success")), 60, "the success callback")
    assert [r["kind"] for r in callbacks_of(server, job_id)] == ["success"]
    assert len(receiver.of("only")) == 1


def test_a_receiver_down_for_a_while_gets_the_callback_after_retries(
    server: LiveServer, receiver: CallbackReceiver
) -> None:
    down = CallbackReceiver()  # not started yet: connections are refused
    job_id = execute(server, {"duration": 0.1}, {"successUri": down.url("late/success")})

    receiver.wait(
        lambda: first_callback(server, job_id)["attempts"] >= 3, 60, "three failed attempts"
    )
    (record,) = callbacks_of(server, job_id)
    assert record["state"] == "pending" and record["lastError"] and record["nextAttempt"]
    down.start()
    try:
        down.wait(lambda: bool(down.of("late", "success")), 60, "the late callback")
    finally:
        down.stop()
    (record,) = callbacks_of(server, job_id)
    assert record["state"] == "delivered" and record["attempts"] >= 4
    assert len(down.of("late")) == 1


def test_an_error_answer_is_retried_and_a_refusal_is_given_up(
    server: LiveServer, receiver: CallbackReceiver
) -> None:
    receiver.answer = 503
    job_id = execute(server, {"duration": 0.1}, {"successUri": receiver.url("busy/success")})
    receiver.wait(lambda: first_callback(server, job_id)["attempts"] >= 2, 60, "two attempts")
    assert callbacks_of(server, job_id)[0]["lastStatus"] == 503
    receiver.answer = 204
    receiver.wait(lambda: bool(receiver.of("busy", "success")), 60, "the callback")

    receiver.answer = 400  # the receiver refuses the body: retrying would not help
    job_id = execute(server, {"duration": 0.1}, {"successUri": receiver.url("no/success")})
    receiver.wait(lambda: first_callback(server, job_id)["state"] == "failed", 60, "given up")
    (record,) = callbacks_of(server, job_id)
    assert record["attempts"] == 1 and record["lastStatus"] == 400


def test_a_callback_survives_a_killed_server(tmp_path: Path) -> None:
    store = tmp_path / "jobs.db"
    receiver = CallbackReceiver()  # down while the first server lives
    env = {**FAST_RETRIES, "EOPROC_CALLBACK_BACKOFF": "1"}
    with run_server(store, "--workers", "1", *ALLOW_LOOPBACK, env=env) as first:
        job_id = execute(first, {"duration": 0.1}, {"successUri": receiver.url("kill/success")})
        receiver.wait(
            lambda: first_callback(first, job_id)["attempts"] >= 1, 60, "a failed attempt"
        )
        first.kill()  # kill -9: the callback is still undelivered
    assert not receiver.received
    receiver.start()
    try:
        with run_server(
            store, "--workers", "1", *ALLOW_LOOPBACK, env=env, port=first.port
        ) as second:
            receiver.wait(lambda: bool(receiver.of("kill", "success")), 60, "the callback")
            (record,) = callbacks_of(second, job_id)
            assert record["state"] == "delivered"
        assert len(receiver.of("kill")) == 1
        assert receiver.of("kill")[0].body == {"return_value": pytest.approx(0.1, abs=0.5)}
    finally:
        receiver.stop()
