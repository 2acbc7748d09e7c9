"""The seed walkthrough through the HTTP API of a real server started with ``--executor dask``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import REPO_ROOT, LiveServer, run_server
from tests.server.conftest import assert_problem
from tests.server.live_helpers import submit, wait_for

Validate = Callable[[str, Any], None]
OGC_EXC = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0"
PRIMES_11_79 = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]


@pytest.fixture(scope="module")
def dask_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("dask-server") / "jobs.db"
    with run_server(store, "--executor", "dask", "--workers", "2") as server:
        yield server


def test_seed_walkthrough(dask_server: LiveServer, ogc_validate: Validate) -> None:
    with dask_server.client(timeout=60) as client:
        listing = client.get("/processes").json()
        ogc_validate("processList", listing)
        assert {"sleep_a_while", "primes_between"} <= {p["id"] for p in listing["processes"]}
        description = client.get("/processes/primes_between").json()
        ogc_validate("process", description)
        assert set(description["inputs"]) == {"min_val", "max_val"}

        created = submit(client, "primes_between", {"min_val": 10, "max_val": 80})
        assert created.status_code == 201, created.text
        ogc_validate("statusInfo", created.json())
        job_id = created.json()["jobID"]
        status = wait_for(client, job_id)
        assert status["status"] == "successful", status
        results = client.get(f"/jobs/{job_id}/results").json()
        ogc_validate("results", results)
        assert list(results.values()) == [PRIMES_11_79]

        sleeper = submit(client, "sleep_a_while", {"duration": 60}).json()
        running = wait_for(client, sleeper["jobID"], ("running",))
        ogc_validate("statusInfo", running)
        dismissed = client.delete(f"/jobs/{sleeper['jobID']}")
        assert dismissed.status_code == 200
        assert dismissed.json()["status"] == "dismissed"
        assert client.get(f"/jobs/{sleeper['jobID']}").json()["status"] == "dismissed"
        gone = assert_problem(client.get(f"/jobs/{sleeper['jobID']}/results"), 404)
        assert "dismissed" in gone["detail"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eoproc.server.cli", "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--executor", "threads"), "Unknown executor 'threads': expected one of local, dask"),
        (
            ("--executor", "local", "--scheduler", "tcp://127.0.0.1:8786"),
            "A Dask scheduler address is only used with the dask executor",
        ),
    ],
)
def test_bad_executor_options_are_one_line_errors(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    done = _run("--store", f"sqlite:///{tmp_path / 'jobs.db'}", *args)
    assert done.returncode == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
