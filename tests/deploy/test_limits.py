"""Limits of a deploying server: containers, package size, run time; units by reference."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import LiveServer, run_server
from tests.server.conftest import assert_problem

from .conftest import CWL_YAML, deploy, package_text, submit, wait_job
from .test_live import _alive

PATH = "/usr/bin:/bin"
"""The server's PATH here: without /usr/local/bin (where a docker client may live)."""


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if shutil.which("docker", path=PATH) or shutil.which("podman", path=PATH):
        pytest.skip("a container engine is installed in /usr/bin; the refusal needs none")
    root = tmp_path_factory.mktemp("limits")
    args = (
        "--deploy",
        "--cwl-time-limit",
        "4",
        "--workers",
        "1",
        "--allow-input-host",
        "127.0.0.1",
    )
    with run_server(root / "jobs.db", *args, env={"PATH": PATH}) as server:
        yield server


def test_containers_are_refused_without_an_engine(limited: LiveServer) -> None:
    docker = package_text("greeting", VERSION="docker").replace(
        "baseCommand:",
        "requirements:\n  DockerRequirement: {dockerPull: python:3.12}\nbaseCommand:",
    )
    with limited.client(timeout=60) as client:
        answer = client.post("/processes", content=docker, headers={"Content-Type": CWL_YAML})
        detail = assert_problem(answer, 400)["detail"]
        assert "neither docker nor podman" in detail and "--cwl-no-container" in detail
        hinted = docker.replace("requirements:\n  DockerRequirement", "hints:\n  DockerRequirement")
        answer = client.post("/processes", content=hinted, headers={"Content-Type": CWL_YAML})
        assert answer.status_code == 201, answer.text  # a hint is optional: runs without


def test_large_packages_are_refused(limited: LiveServer) -> None:
    large = package_text("stats") + "# " + "x" * (1024 * 1024) + "\n"
    with limited.client(timeout=60) as client:
        answer = client.post("/processes", content=large, headers={"Content-Type": CWL_YAML})
        assert_problem(answer, 413)


def test_execution_units_by_reference(limited: LiveServer, file_server: tuple[str, Path]) -> None:
    base, root = file_server
    (root / "stats.cwl").write_text(package_text("stats", **{"id: stats": "id: fetched"}))
    body = {"executionUnit": {"href": f"{base}/stats.cwl", "type": "application/cwl"}}
    with limited.client(timeout=60) as client:
        answer = client.post(
            "/processes",
            content=json.dumps(body),
            headers={"Content-Type": "application/ogcapppkg+json"},
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["id"] == "fetched"
        body["executionUnit"]["href"] = f"{base}/missing.cwl"
        answer = client.post(
            "/processes",
            content=json.dumps(body),
            headers={"Content-Type": "application/ogcapppkg+json"},
        )
        assert "404" in assert_problem(answer, 400)["detail"]


def test_jobs_stop_at_the_time_limit(limited: LiveServer, tmp_path: Path) -> None:
    with limited.client(timeout=60) as client:
        assert deploy(client, "slow").status_code == 201
        pidfile = tmp_path / "pids"
        job = submit(client, "slow", {"pidfile": str(pidfile)})
        final = wait_job(client, job, timeout=120)[-1]
        assert final["status"] == "failed"
        assert "time limit of 4 s" in final["message"]
        if pidfile.exists():  # the run had started its processes: they are gone
            pids = [int(p) for p in pidfile.read_text().split()]
            deadline = time.monotonic() + 10
            while any(_alive(pid) for pid in pids):
                assert time.monotonic() < deadline, f"still running: {pids}"
                time.sleep(0.1)
