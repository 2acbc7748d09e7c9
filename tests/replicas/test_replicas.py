"""Two real server replicas on one PostgreSQL database: every job runs exactly once,
any replica lists, watches, dismisses and serves results of any job, and a sync
execution through one replica may run on the other."""

from __future__ import annotations

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import FINAL, Cluster, submit, wait_until

pytestmark = pytest.mark.postgres

JOBS = 500


def test_500_jobs_round_robin_run_exactly_once(cluster: Cluster) -> None:
    with cluster.replica("a") as a, cluster.replica("b") as b, httpx.Client(timeout=30) as client:
        tags = [uuid.uuid4().hex for _ in range(JOBS)]
        servers = [a, b]

        def one(index: int) -> str:
            return submit(servers[index % 2], "record", {"tag": tags[index]}, client)

        with ThreadPoolExecutor(8) as threads:
            job_ids = list(threads.map(one, range(JOBS)))

        def done() -> bool:
            rows = cluster.sql("SELECT count(*) FROM eoproc_jobs WHERE status = 'successful'")
            return int(rows[0][0]) == JOBS

        wait_until(done, 180, f"{JOBS} jobs successful", interval=0.5)
        for index, job_id in enumerate(job_ids):  # each job seen through the other replica
            status = client.get(f"{servers[(index + 1) % 2].url}/jobs/{job_id}").json()
            assert status["status"] == "successful"
        runs = cluster.runs()
        assert sorted(runs) == sorted(tags)
        assert set(runs.values()) == {1}, "a job ran more than once"
        owners = cluster.sql("SELECT owner, count(*) FROM eoproc_jobs GROUP BY owner")
        assert len(owners) == 2, f"both replicas should have run jobs: {owners}"


def test_list_get_dismiss_and_results_across_replicas(cluster: Cluster) -> None:
    with cluster.replica("a") as a, cluster.replica("b") as b, httpx.Client(timeout=30) as client:
        report = submit(a, "report", {"text": "from a replica"}, client)
        wait_until(
            lambda: client.get(f"{b.url}/jobs/{report}").json()["status"] in FINAL,
            60,
            "the report job ended",
        )
        results = client.get(f"{b.url}/jobs/{report}/results").json()
        href = results["return_value"]["href"]
        assert href.startswith(b.url)
        assert client.get(href).text == "from a replica"  # the shared results directory

        listed = client.get(f"{b.url}/jobs", params={"limit": 10}).json()
        assert report in [job["jobID"] for job in listed["jobs"]]

        # a job running on a replica stops there when dismissed through the other
        spinning = submit(a, "spin", {"seconds": 120}, client)

        def running() -> bool:
            status = client.get(f"{b.url}/jobs/{spinning}").json()
            return status["status"] == "running" and "pid" in (status.get("message") or "")

        wait_until(running, 60, "the spin job runs")
        pid = int(client.get(f"{b.url}/jobs/{spinning}").json()["message"].split()[-1])
        dismissed = client.delete(f"{b.url}/jobs/{spinning}")
        assert dismissed.status_code == 200
        assert dismissed.json()["status"] == "dismissed"
        started = time.monotonic()
        wait_until(lambda: not pid_alive(pid), 10, "the dismissed job's process ended")
        print(
            f"dismissed through the other replica: stopped after {time.monotonic() - started:.2f} s"
        )
        assert client.get(f"{a.url}/jobs/{spinning}").json()["status"] == "dismissed"
        gone = client.get(f"{a.url}/jobs/{spinning}/results")
        assert gone.status_code == 404


def test_sync_execution_through_a_busy_replica_runs_on_the_other(cluster: Cluster) -> None:
    with (
        cluster.replica("a", workers=1) as a,
        cluster.replica("b", workers=1) as b,
        httpx.Client(timeout=60) as client,
    ):
        busy = submit(b, "spin", {"seconds": 120}, client)
        wait_until(
            lambda: client.get(f"{b.url}/jobs/{busy}").json()["status"] == "running",
            60,
            "b is busy",
        )
        owner_of_busy = cluster.sql("SELECT owner FROM eoproc_jobs WHERE id = %s", busy)[0][0]
        tag = uuid.uuid4().hex
        answer = client.post(f"{b.url}/processes/record/execution", json={"inputs": {"tag": tag}})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"return_value": tag}
        ran_on = cluster.sql("SELECT owner FROM eoproc_jobs WHERE process_id = 'record'")[0][0]
        if ran_on == owner_of_busy:  # b's worker was free after all (it should not be)
            pytest.fail("the record job ran on the busy replica")
        client.delete(f"{a.url}/jobs/{busy}")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (and is not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
