"""Acceptance: crash and restart, dismiss of a CPU-bound job, graceful SIGTERM."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.live_server import port_is_free, run_server
from tests.server.live_helpers import SAFETY_TIMEOUT, submit, wait_for

STOPPED = "The server stopped while the job was running."
ALL = {"limit": "10000", "status": "accepted,running,successful,failed,dismissed"}


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def group_alive(pgid: int) -> bool:
    """Whether any live process is left in process group ``pgid``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def poll(condition: object, timeout: float = SAFETY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)


@pytest.mark.slow
def test_crash_and_restart_accounts_for_every_job(tmp_path: Path) -> None:
    store = tmp_path / "jobs.db"
    with run_server(store, "--workers", "2") as server, server.client(timeout=60) as client:
        ids = []
        for _ in range(200):
            response = submit(client, "sleep_a_while", {"duration": 0.05})
            assert response.status_code == 201, response.text
            ids.append(response.json()["jobID"])

        def some_done() -> bool:
            params = {"status": "successful", "limit": "10"}
            return len(client.get("/jobs", params=params).json()["jobs"]) >= 5

        poll(some_done)
        server.kill()
        assert port_is_free(server.port), "an orphan holds the server's port"
        poll(lambda: not group_alive(server.process.pid), timeout=30)
        port = server.port

    with (
        run_server(store, "--workers", "2", port=port) as again,
        again.client(timeout=60) as client,
    ):

        def all_ended() -> bool:
            params = {"status": "accepted,running", "limit": "1"}
            return not client.get("/jobs", params=params).json()["jobs"]

        poll(all_ended)
        jobs = client.get("/jobs", params=ALL).json()["jobs"]
    listed = [job["jobID"] for job in jobs]
    assert len(listed) == len(set(listed)) == 200, "every job listed exactly once"
    assert set(listed) == set(ids)
    for job in jobs:
        assert job["status"] in ("successful", "failed"), job
        if job["status"] == "failed":
            assert job["message"] == STOPPED, job
    assert any(job["status"] == "successful" for job in jobs)


def test_dismiss_frees_a_cpu_bound_worker(tmp_path: Path) -> None:
    pid_file = tmp_path / "spin.pid"
    with (
        run_server(
            tmp_path / "jobs.db", "--workers", "1", service="tests.server.cpu_service:registry"
        ) as server,
        server.client(timeout=60) as client,
    ):
        job = submit(client, "spin", {"pid_file": str(pid_file)}).json()
        wait_for(client, job["jobID"], ("running",))
        poll(lambda: pid_file.exists() and pid_file.read_text().strip() != "")
        worker = int(pid_file.read_text())
        assert process_alive(worker)

        dismissed = client.delete(f"/jobs/{job['jobID']}")
        began = time.monotonic()
        assert dismissed.status_code == 200
        assert dismissed.json()["status"] == "dismissed"
        poll(lambda: not process_alive(worker), timeout=30)
        freed_after = time.monotonic() - began
        assert client.get(f"/jobs/{job['jobID']}").json()["status"] == "dismissed"
        assert freed_after <= 2.0, f"the worker spun on for {freed_after:.1f} s"

        pid_file.unlink()
        again = submit(client, "spin", {"pid_file": str(pid_file), "seconds": 0.1}).json()
        assert wait_for(client, again["jobID"])["status"] == "successful"
        assert int(pid_file.read_text()) != worker, "a new worker replaced the terminated one"


def test_sigterm_lets_running_jobs_finish(tmp_path: Path) -> None:
    store = tmp_path / "jobs.db"
    with run_server(store, "--workers", "1") as server, server.client(timeout=60) as client:
        job = submit(client, "sleep_a_while", {"duration": 1.0}).json()
        wait_for(client, job["jobID"], ("running",))
        # uvicorn shuts down gracefully, then re-raises SIGTERM (the Unix convention)
        assert server.stop() in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in server.log()
        poll(lambda: not group_alive(server.process.pid), timeout=30)
    with run_server(store, "--workers", "1") as again, again.client() as client:
        assert client.get(f"/jobs/{job['jobID']}").json()["status"] == "successful"


def test_restart_at_once_on_the_same_port(tmp_path: Path) -> None:
    store = tmp_path / "jobs.db"
    with run_server(store, "--workers", "2") as server:
        server.kill()
        assert port_is_free(server.port), "an orphan holds the server's port"
        # restarted while the old server's workers may still be winding down
        with (
            run_server(store, "--workers", "2", port=server.port) as again,
            again.client() as client,
        ):
            assert client.get("/").status_code == 200


def test_backpressure_answers_503_with_retry_after(tmp_path: Path) -> None:
    with (
        run_server(tmp_path / "jobs.db", "--workers", "1", "--max-queued", "2") as server,
        server.client(timeout=60) as client,
    ):
        answers = [submit(client, "sleep_a_while", {"duration": 30}) for _ in range(6)]
        refused = [a for a in answers if a.status_code == 503]
        assert refused, [a.status_code for a in answers]
        assert all(a.status_code in (201, 503) for a in answers)
        problem = refused[0].json()
        assert refused[0].headers["content-type"] == "application/problem+json"
        assert problem["status"] == 503 and problem["detail"]
        assert int(refused[0].headers["retry-after"]) >= 1
        for answer in answers:
            if answer.status_code == 201:
                client.delete(f"/jobs/{answer.json()['jobID']}")
