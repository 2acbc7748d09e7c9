"""Two replicas on one PostgreSQL database: each callback is delivered once, and a job's
event stream on one replica follows the job run by the other."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest

from ..callbacks.receiver import CallbackReceiver
from .conftest import Cluster, submit

pytestmark = pytest.mark.postgres

JOBS = 20


def test_each_callback_is_delivered_once_and_streams_follow_jobs_anywhere(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EOPROC_CALLBACK_BACKOFF", "0.2")
    monkeypatch.setenv("EOPROC_CALLBACK_TIMEOUT", "2")
    receiver = CallbackReceiver()  # down at first: both replicas retry the same callbacks
    allow = ("--allow-input-host", "127.0.0.1")  # the receiver, on loopback
    with (
        cluster.replica("a", *allow) as a,
        cluster.replica("b", *allow) as b,
        httpx.Client(timeout=30) as client,
    ):
        job_ids = []
        for index in range(JOBS):
            server = (a, b)[index % 2]
            answer = client.post(
                f"{server.url}/processes/record/execution",
                json={
                    "inputs": {"tag": f"t{index}"},
                    "subscriber": receiver.subscriber(f"j{index}"),
                },
                headers={"Prefer": "respond-async"},
            )
            assert answer.status_code == 201, answer.text
            job_ids.append(answer.json()["jobID"])

        def attempted() -> bool:
            rows = cluster.sql("SELECT count(*) FROM eoproc_callbacks WHERE attempts > 0")
            return int(rows[0][0]) >= JOBS

        receiver.wait(attempted, 120, "failed attempts on the callbacks")
        receiver.start()
        try:
            receiver.wait(
                lambda: all(receiver.of(f"j{i}", "success") for i in range(JOBS)),
                120,
                "every success callback",
            )
            time.sleep(2)  # time for a duplicate to show up, if there were one
        finally:
            receiver.stop()
        deliveries = Counter(
            (r.headers["X-Eoproc-Job-ID"], r.headers["X-Eoproc-Event-ID"])
            for r in receiver.received
        )
        assert deliveries and set(deliveries.values()) == {1}, "a callback was delivered twice"
        for index, job_id in enumerate(job_ids):
            assert len(receiver.of(f"j{index}", "success")) == 1
            assert receiver.of(f"j{index}", "success")[0].body == {"return_value": f"t{index}"}
            assert len(receiver.of(f"j{index}", "progress")) == 1  # the "running" status
            assert receiver.of(f"j{index}", "progress")[0].body["jobID"] == job_id
        # which replica delivers a callback is a race (one may claim them all); the
        # guarantee users rely on is "exactly once", asserted above

        # a stream on one replica follows a job run by either (the store is polled)
        job_id = submit(a, "record", {"tag": "streamed", "seconds": 1.0}, client)
        seen = []
        with client.stream("GET", f"{b.url}/jobs/{job_id}/events") as stream:
            assert stream.status_code == 200
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:])["status"])
        assert seen[0] == "accepted" and seen[-1] == "successful"
        assert "running" in seen
