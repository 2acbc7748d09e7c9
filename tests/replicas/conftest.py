"""Several real server replicas (subprocesses) on one PostgreSQL schema, for the replica tests."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from ..live_server import LiveServer, run_server
from ..postgres_db import fresh_schema, postgres_url
from .procs import RUN_LOG

LEASE = 3.0
"""Seconds of the replicas' leases in these tests (short, so that crash tests are)."""
FINAL = ("successful", "failed", "dismissed")


@dataclass
class Cluster:
    """Where the replicas of a test meet: a database schema, results and a run log."""

    store_url: str
    root: Path
    results_dir: Path
    run_log: Path

    def replica(
        self, name: str, *args: str, workers: int = 2
    ) -> AbstractContextManager[LiveServer]:
        """A server replica on the cluster's store (a ``with`` block)."""
        return run_server(
            self.root / name / "jobs.db",
            "--workers",
            str(workers),
            "--results-dir",
            str(self.results_dir),
            "--lease",
            str(LEASE),
            *args,
            service="tests.replicas.procs:registry",
            env={RUN_LOG: str(self.run_log)},
            store_url=self.store_url,
        )

    def runs(self) -> Counter[str]:
        """How often each tag's job started (from the run log)."""
        return Counter(path.name.split(".", 1)[0] for path in self.run_log.iterdir())

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a query on the store's schema (to look behind the API)."""
        with psycopg.connect(self.store_url) as conn:
            return list(conn.execute(query, params).fetchall())


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A fresh schema, a shared results directory and a run log."""
    with fresh_schema(postgres_url(), "rep") as url:
        run_log = tmp_path / "runs"
        run_log.mkdir()
        yield Cluster(url, tmp_path, tmp_path / "results", run_log)


def submit(server: LiveServer, process: str, inputs: dict[str, Any], client: httpx.Client) -> str:
    """Execute asynchronously through ``server``; the job id."""
    answer = client.post(
        f"{server.url}/processes/{process}/execution",
        json={"inputs": inputs},
        headers={"Prefer": "respond-async"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["jobID"])


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.1
) -> None:
    """Poll ``predicate`` (a safety-net timeout, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)
