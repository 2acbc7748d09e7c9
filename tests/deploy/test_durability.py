"""Deployed processes are durable and shared: restarts, PostgreSQL replicas; roles."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from eoproc.server.auth import hash_key
from tests.postgres_db import fresh_schema, postgres_url
from tests.server.conftest import assert_problem

from .conftest import deploy, deploy_server, results_of, submit

KEYS = {
    "alice": ("alice-key-0123456789abcdef", "deployer"),
    "bob": ("bob-key-0123456789abcdef", ""),
    "carol": ("carol-key-0123456789abcdef", "admin"),
}


@pytest.mark.slow
def test_deployed_processes_survive_a_restart(
    tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    store = tmp_path / "jobs.db"
    with deploy_server(store, "--workers", "1") as server, server.client(timeout=60) as client:
        assert deploy(client, "stats").status_code == 201
        port = server.port
    with (
        deploy_server(store, "--workers", "1", port=port) as server,
        server.client(timeout=60) as client,
    ):
        assert client.get("/processes/stats").json()["mutable"] is True
        base, _ = file_server
        job = submit(client, "stats", {"numbers": {"href": f"{base}/numbers.txt"}})
        assert results_of(client, job)["mean"] == "4.0"


def test_deploying_needs_the_deployer_role(tmp_path: Path) -> None:
    args = []
    for user, (key, roles) in KEYS.items():
        args += ["--api-key", f"{hash_key(key)}:{user}" + (f":{roles}" if roles else "")]
    with deploy_server(tmp_path / "jobs.db", "--workers", "1", *args) as server:

        def as_user(name: str) -> httpx.Client:
            return server.client(timeout=60, headers={"X-API-Key": KEYS[name][0]})

        with as_user("bob") as bob, as_user("alice") as alice, as_user("carol") as carol:
            refused = deploy(bob, "stats")
            assert "deployer" in assert_problem(refused, 403)["detail"]
            assert deploy(alice, "stats").status_code == 201
            assert bob.get("/processes/stats").status_code == 200  # everyone sees it
            assert_problem(bob.delete("/processes/stats"), 403)
            assert_problem(
                bob.put(
                    "/processes/stats",
                    content=b"{}",
                    headers={"Content-Type": "application/cwl+json"},
                ),
                403,
            )
            assert carol.delete("/processes/stats").status_code == 204  # admins may too
        with server.client() as anonymous:
            assert anonymous.post("/processes", content=b"{}").status_code == 401


def test_deployment_is_off_by_default(tmp_path: Path) -> None:
    from tests.live_server import run_server

    with run_server(tmp_path / "jobs.db", "--workers", "1") as server, server.client() as client:
        assert_problem(deploy(client, "stats"), 405)
        classes = client.get("/conformance").json()["conformsTo"]
        assert not any("ogcapi-processes-2" in c for c in classes)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_second_replica_sees_and_runs_deployed_processes(
    tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    base, _ = file_server
    with fresh_schema(postgres_url(), "dru") as url:
        shared = ["--workers", "1", "--results-dir", str(tmp_path / "results")]
        with (
            deploy_server(tmp_path / "a" / "jobs.db", *shared, store_url=url) as a,
            deploy_server(tmp_path / "b" / "jobs.db", *shared, store_url=url) as b,
            a.client(timeout=60) as on_a,
            b.client(timeout=60) as on_b,
        ):
            assert deploy(on_a, "stats").status_code == 201
            deadline = time.monotonic() + 15
            while on_b.get("/processes/stats").status_code != 200:
                assert time.monotonic() < deadline, "replica b never saw the process"
                time.sleep(0.2)
            assert deploy(on_b, "stats").status_code == 409  # one store: one process
            jobs = [
                submit(on_b, "stats", {"numbers": {"href": f"{base}/numbers.txt"}})
                for _ in range(3)
            ]
            for job in jobs:
                assert results_of(on_b, job)["mean"] == "4.0"
                assert results_of(on_a, job)["mean"] == "4.0"
            assert on_b.delete("/processes/stats").status_code == 204
            deadline = time.monotonic() + 15
            while on_a.get("/processes/stats").status_code != 404:
                assert time.monotonic() < deadline, "replica a still has the process"
                time.sleep(0.2)
