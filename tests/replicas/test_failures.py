"""Failures with replicas on PostgreSQL: a replica killed with ``kill -9`` (its jobs are
failed by the other once their lease runs out, none runs twice), and a database
restart under load (503 while it is down, recovery without restarting a server)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest

from eoproc.jobs.leases import LOST_MESSAGE

from ..live_server import LiveServer
from .conftest import FINAL, LEASE, Cluster, submit, wait_until

pytestmark = pytest.mark.postgres


def test_kill_9_of_a_replica_fails_its_jobs_once_and_runs_none_twice(cluster: Cluster) -> None:
    long_tags = [uuid.uuid4().hex for _ in range(2)]  # in flight on a when it dies
    short_tags = [uuid.uuid4().hex for _ in range(6)]
    with cluster.replica("a") as a, httpx.Client(timeout=30) as client:
        long_ids = [submit(a, "record", {"tag": tag, "seconds": 60}, client) for tag in long_tags]
        wait_until(lambda: len(list(cluster.run_log.iterdir())) == 2, 60, "a runs the long jobs")
        short_ids = [
            submit(a, "record", {"tag": tag, "seconds": 0.2}, client) for tag in short_tags
        ]
        job_ids = long_ids + short_ids
        with cluster.replica("b") as b:
            a.kill()  # kill -9 of the server process, with jobs in flight
            killed = time.monotonic()

            def accounted() -> bool:
                statuses = [client.get(f"{b.url}/jobs/{job_id}").json() for job_id in job_ids]
                return all(status["status"] in FINAL for status in statuses)

            # every job ends: those a held fail when the lease runs out, b runs the rest
            wait_until(accounted, LEASE + 60, "every job accounted for", interval=0.5)
            statuses = [client.get(f"{b.url}/jobs/{job_id}").json() for job_id in job_ids]
            print(f"kill -9: every job accounted for {time.monotonic() - killed:.1f} s later")

    runs = cluster.runs()
    assert max(runs.values()) == 1, f"a job ran twice: {runs}"
    for status in statuses[:2]:
        assert status["status"] == "failed"
        assert status["message"] == LOST_MESSAGE
    for status, tag in zip(statuses[2:], short_tags, strict=True):
        # a claimed (and lost) some, or b ran them, once
        assert status["status"] in ("failed", "successful")
        if status["status"] == "successful":
            assert runs[tag] == 1
        else:
            assert status["message"] == LOST_MESSAGE
    assert any(status["status"] == "successful" for status in statuses[2:])


def postgres_cluster() -> list[str]:
    """``pg_ctlcluster`` arguments of the local cluster (skips if there is none)."""
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or shutil.which("pg_ctlcluster") is None:
        pytest.skip("no local PostgreSQL cluster to restart (pg_ctlcluster)")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main"]


@contextmanager
def database_stopped() -> Iterator[None]:
    """Stop the local PostgreSQL cluster for the block; it is always started again."""
    command = postgres_cluster()
    subprocess.run([*command, "stop", "-m", "fast"], check=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run([*command, "start"], check=True, timeout=120)


def answers(client: httpx.Client, server: LiveServer, code: int) -> Callable[[], bool]:
    """Whether ``GET /jobs`` of ``server`` answers ``code`` now."""
    return lambda: client.get(f"{server.url}/jobs").status_code == code


def test_database_restart_under_load(cluster: Cluster) -> None:
    with (
        cluster.replica("a") as a,
        cluster.replica("b") as b,
        httpx.Client(timeout=20) as client,
    ):
        accepted: list[str] = []
        codes: set[int] = set()
        stop = threading.Event()

        def load() -> None:  # a client submitting jobs all along, to either replica
            index = 0
            while not stop.is_set():
                server = (a, b)[index % 2]
                index += 1
                answer = client.post(
                    f"{server.url}/processes/record/execution",
                    json={"inputs": {"tag": uuid.uuid4().hex, "seconds": 0.2}},
                    headers={"Prefer": "respond-async"},
                )
                codes.add(answer.status_code)
                if answer.status_code == 201:
                    accepted.append(answer.json()["jobID"])
                stop.wait(0.05)

        loader = threading.Thread(target=load)
        loader.start()
        try:
            wait_until(lambda: len(accepted) >= 10, 60, "jobs accepted before the restart")
            with database_stopped():
                for server in (a, b):
                    wait_until(answers(client, server, 503), 30, "503 while the database is down")
                    down = client.get(f"{server.url}/jobs/{accepted[0]}")
                    assert down.status_code == 503
                    assert "Retry-After" in down.headers
                    assert down.json()["status"] == 503
            for server in (a, b):
                wait_until(answers(client, server, 200), 60, "answers again after the restart")
            count = len(accepted)
            wait_until(lambda: len(accepted) >= count + 10, 60, "jobs accepted after the restart")
        finally:
            stop.set()
            loader.join()
        assert codes <= {201, 503}, f"unexpected answers: {codes}"

        def all_final() -> bool:
            states = cluster.sql(
                "SELECT status, count(*) FROM eoproc_jobs WHERE id = ANY(%s) GROUP BY status",
                accepted,
            )
            return all(status in FINAL for status, _ in states)

        wait_until(all_final, 120, "every accepted job ended", interval=0.5)
        states = dict(cluster.sql("SELECT status, count(*) FROM eoproc_jobs GROUP BY status"))
        print(f"database restart: {len(accepted)} jobs accepted, ended {states}, answers {codes}")
        assert states == {"successful": len(accepted)}, states
        assert a.process.poll() is None and b.process.poll() is None  # no restart needed
