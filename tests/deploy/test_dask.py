"""Deployed processes run on the Dask executor too (a real LocalCluster), dismiss included."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import deploy, deploy_server, ogcapppkg, results_of, submit
from .test_live import _alive

pytest.importorskip("distributed")


@pytest.mark.slow
def test_a_workflow_runs_and_a_dismiss_stops_on_dask(
    tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    base, _ = file_server
    store = tmp_path / "jobs.db"
    with (
        deploy_server(store, "--executor", "dask", "--workers", "1") as server,
        server.client(timeout=60) as client,
    ):
        answer = client.post(
            "/processes",
            content=ogcapppkg("pipeline"),
            headers={"Content-Type": "application/ogcapppkg+json"},
        )
        assert answer.status_code == 201, answer.text
        assert deploy(client, "slow").status_code == 201
        job = submit(client, "pipeline", {"numbers": {"href": f"{base}/numbers.txt"}})
        results = results_of(client, job)
        assert client.get(results["summary"]["href"]).json() == {"count": 3, "sum": 18.0}

        pidfile = tmp_path / "pids"
        slow = submit(client, "slow", {"pidfile": str(pidfile)})
        deadline = time.monotonic() + 60
        while not pidfile.exists():
            assert time.monotonic() < deadline, client.get(f"/jobs/{slow}").json()
            time.sleep(0.1)
        pids = [int(p) for p in pidfile.read_text().split()]
        assert client.delete(f"/jobs/{slow}").json()["status"] == "dismissed"
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in pids):
            assert time.monotonic() < deadline, f"still running: {pids}"
            time.sleep(0.1)
