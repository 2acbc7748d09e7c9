"""Acceptance: chaos under load. Workers and servers are killed (``kill -9``) while mixed
jobs run; afterwards every job that got a 201 is final, none is lost or stuck, an
at-most-once job never started twice, a retry-safe one started at most ``retries + 1``
times and succeeded, and every successful job's results are right. On SQLite (one
server) and on PostgreSQL (two replicas). Loopback only, bounded in time."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, run_server
from tests.postgres_db import fresh_schema, postgres_url

from .chaos import FINAL, Chaos, Job, Slot
from .procs import payload

SERVICE = "tests.reliability.procs:registry"
PAUSE = 3.0
"""Seconds of steady load between two kills (each kill also waits for a busy worker)."""
DRAIN_TIMEOUT = 180.0
RETRIES = 2  # of safe_work


def run_chaos(chaos: Chaos, kills: list[str]) -> None:
    """Steady load while doing ``kills`` (``worker``/``server``), :data:`PAUSE` apart."""
    loader = threading.Thread(target=chaos.load, args=(4.0,), daemon=True)
    loader.start()
    pause = PAUSE
    try:
        for kill in kills:
            time.sleep(pause)
            if kill == "worker":
                chaos.kill_worker()
            else:
                chaos.kill_server()
        time.sleep(pause)
    finally:
        chaos.stop_load()
        loader.join(150)
    assert not loader.is_alive()


def _get(client: httpx.Client, chaos: Chaos, path: str) -> httpx.Response:
    server = next(s.server for s in chaos.slots if s.server is not None)
    assert server is not None
    return client.get(f"{server.url}{path}")


def _final(client: httpx.Client, chaos: Chaos, job: Job) -> dict[str, Any]:
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while True:
        status: dict[str, Any] = _get(client, chaos, f"/jobs/{job.id}").json()
        if status["status"] in FINAL:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job} is stuck: {status}\n{chaos.events}")
        time.sleep(0.2)


def _output(client: httpx.Client, chaos: Chaos, job: Job) -> str:
    results = _get(client, chaos, f"/jobs/{job.id}/results").json()
    value = results["return_value"]
    if isinstance(value, dict) and "href" in value:  # a large output: served as a file
        answer = _get(client, chaos, f"/jobs/{job.id}/results/return_value")
        assert answer.status_code == 200
        return str(answer.json())
    return str(value)


def verify(chaos: Chaos) -> dict[str, int]:
    """Check every job (see the module docstring); counts by outcome."""
    assert len(chaos.jobs) > 20, chaos.events
    counts: dict[str, int] = {}
    with httpx.Client(timeout=120) as client:
        for job in chaos.jobs:
            status = _final(client, chaos, job)
            starts = chaos.starts_of(job.tag)
            key = f"{job.process}:{status['status']}"
            counts[key] = counts.get(key, 0) + 1
            if starts > 1:
                counts["started again"] = counts.get("started again", 0) + 1
            where = f"{job} {status} ({starts} starts) {chaos.events}"
            if job.process == "unsafe_work":
                assert starts <= 1, where
            else:
                assert starts <= RETRIES + 1, where
                assert status["status"] in ("successful", "dismissed"), where
                assert status["maxAttempts"] == RETRIES + 1, where
            if status["status"] == "successful":
                assert starts >= 1, where
                output = _output(client, chaos, job)
                expected = payload(job.tag, job.size)
                assert len(output) == len(expected), where
                assert (
                    hashlib.sha256(output.encode()).digest()
                    == hashlib.sha256(expected.encode()).digest()
                ), where
            if status["status"] == "dismissed":
                assert job.dismissed, where
    counts["jobs"] = len(chaos.jobs)
    return counts


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_chaos_on_sqlite(tmp_path: Path) -> None:
    store = tmp_path / "jobs.db"

    def start(port: int | None) -> Any:
        return run_server(store, "--workers", "2", service=SERVICE, port=port)

    chaos = Chaos([Slot(start)], tmp_path / "starts")
    chaos.slots[0].launch()
    try:
        run_chaos(chaos, ["worker", "server", "worker", "worker", "server", "worker"])
        counts = verify(chaos)
    finally:
        for slot in chaos.slots:
            slot.stop()
    assert counts.get("safe_work:successful", 0) > 5, counts
    # the kills hit running jobs: some ran again (retry-safe) or failed (at most once)
    assert counts.get("started again", 0) + counts.get("unsafe_work:failed", 0) > 0, counts
    print(counts, chaos.events)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(600)
def test_chaos_on_postgresql_with_two_replicas(tmp_path: Path) -> None:
    with fresh_schema(postgres_url(), "chaos") as url:

        def replica(name: str) -> Any:
            def start(port: int | None) -> Any:
                return run_server(
                    tmp_path / name / "jobs.db",
                    "--workers",
                    "2",
                    "--results-dir",
                    str(tmp_path / "results"),
                    "--lease",
                    "3",
                    service=SERVICE,
                    port=port,
                    store_url=url,
                )

            return Slot(start)

        chaos = Chaos([replica("a"), replica("b")], tmp_path / "starts")
        for slot in chaos.slots:
            slot.launch()
        try:
            run_chaos(chaos, ["worker", "server", "worker", "server", "worker"])
            counts = verify(chaos)
        finally:
            for slot in chaos.slots:
                slot.stop()
        assert counts.get("safe_work:successful", 0) > 5, counts
        assert counts.get("started again", 0) + counts.get("unsafe_work:failed", 0) > 0, counts
        print(counts, chaos.events)


def test_worker_pids_finds_the_workers(tmp_path: Path) -> None:
    """The driver's view of a server's workers (so that the kills above are real)."""
    from .chaos import worker_pids

    with run_server(tmp_path / "jobs.db", "--workers", "2", service=SERVICE) as server:
        deadline = time.monotonic() + 30
        while len(worker_pids(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(worker_pids(server)) == 2
        assert isinstance(server, LiveServer)
