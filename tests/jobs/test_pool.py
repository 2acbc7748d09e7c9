"""The local worker pool on its own: real worker processes, reporting through typed messages."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from eoproc.jobs.executor import ExecutorEvents
from eoproc.jobs.messages import Done, JobSpec, Progress
from eoproc.jobs.pool import WorkerPool

from .procs import registry

TIMEOUT = 60.0
"""Seconds a test waits for something that should happen (a safety net, not a timing)."""


class Recorder:
    """The pool's events as a job manager hears them."""

    def __init__(self) -> None:
        self.progress: list[Progress] = []
        self.done: dict[str, Done] = {}
        self.capacity_calls = 0
        self._changed = asyncio.Event()

    def on_progress(self, progress: Progress) -> None:
        self.progress.append(progress)
        self._changed.set()

    def on_done(self, done: Done) -> None:
        assert done.job_id not in self.done, "a job ends once"
        self.done[done.job_id] = done
        self._changed.set()

    def on_capacity(self) -> None:
        self.capacity_calls += 1

    async def until(self, predicate: Any) -> None:
        async def wait() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), TIMEOUT)

    async def ended(self, job_id: str) -> Done:
        await self.until(lambda: job_id in self.done)
        return self.done[job_id]


@pytest.fixture
def events() -> Recorder:
    return Recorder()


@pytest.fixture
async def pool(events: Recorder) -> AsyncIterator[WorkerPool]:
    """A started pool of one worker."""
    recorder: ExecutorEvents = events
    pool = WorkerPool(pickle.dumps(registry), 1, recorder)
    await pool.start()
    yield pool
    await pool.close()


def values(done: Done) -> Any:
    """The output values of a successful job (as the worker stored them)."""
    assert done.outcome.status == "successful", done.outcome
    return json.loads(done.outcome.results_json or "{}")["values"]


def spec(tmp_path: Path, job_id: str, process_id: str, **inputs: Any) -> JobSpec:
    return JobSpec(job_id, process_id, json.dumps(inputs), None, str(tmp_path / job_id))


async def test_a_job_runs_and_its_outcome_reaches_the_manager(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    pool.submit([spec(tmp_path, "j1", "add", a=2, b=3)])
    done = await events.ended("j1")
    assert values(done) == {"return_value": 5}
    started, finished = done.outcome.started, done.outcome.finished
    assert started is not None and started <= finished
    assert not done.outcome.interrupted
    assert await pool.wait_idle(TIMEOUT)
    assert pool.held_ids() == []


async def test_a_failing_job_reports_its_error(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    pool.submit([spec(tmp_path, "j1", "boom", message="no luck")])
    outcome = (await events.ended("j1")).outcome
    assert outcome.status == "failed"
    assert outcome.message == "ValueError: no luck"
    assert json.loads(outcome.error_json or "{}")["type"] == "ValueError"


async def test_progress_reaches_the_manager_and_cancel_stops_the_job(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    pool.submit([spec(tmp_path, "slow", "report", seconds=60)])
    await events.until(lambda: events.progress)
    assert events.progress[0] == Progress("slow", 50, "half way")

    assert pool.cancel("slow")
    assert await pool.wait_idle(TIMEOUT)
    pool.submit([spec(tmp_path, "next", "add", a=1)])  # a new worker took over
    assert (await events.ended("next")).outcome.status == "successful"
    assert "slow" not in events.done  # a cancelled job's end is not reported


async def test_a_queued_job_that_is_cancelled_never_runs(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    pool.submit([spec(tmp_path, "first", "nap", seconds=0.5), spec(tmp_path, "second", "add")])
    assert pool.cancel("second")
    assert (await events.ended("first")).outcome.status == "successful"
    assert await pool.wait_idle(TIMEOUT)
    assert "second" not in events.done
    assert not pool.cancel("second")  # no longer held


async def test_messages_larger_than_64_kib_both_ways(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    numbers = [float(i) for i in range(20_000)]  # the Run message: ~150 KB of inputs
    pool.submit([spec(tmp_path, "inputs", "stats", values=numbers)])
    assert values(await events.ended("inputs")) == {"mean": 9999.5, "maximum": 19999.0}

    text = "x" * 100_000  # the error document in the Done message: > 100 KB
    pool.submit([spec(tmp_path, "error", "boom", message=text)])
    outcome = (await events.ended("error")).outcome
    assert outcome.status == "failed" and outcome.message == f"ValueError: {text}"


async def test_a_worker_killed_mid_job_fails_the_job_at_once_and_the_pool_recovers(
    pool: WorkerPool, events: Recorder, tmp_path: Path
) -> None:
    pool.submit([spec(tmp_path, "victim", "spin", seconds=120)])
    await events.until(lambda: events.progress)
    pid = int((events.progress[0].message or "").split()[1])
    os.kill(pid, signal.SIGKILL)

    outcome = (await events.ended("victim")).outcome
    assert outcome.status == "failed"
    assert outcome.interrupted  # the manager may run a retry-safe job again
    assert "exited unexpectedly" in (outcome.message or "")

    pool.submit([spec(tmp_path, "after", "whoami")])
    assert values(await events.ended("after"))["return_value"] != pid


async def test_close_hands_back_the_jobs_still_held(events: Recorder, tmp_path: Path) -> None:
    pool = WorkerPool(pickle.dumps(registry), 1, events)
    await pool.start()
    pool.submit([spec(tmp_path, "long", "nap", seconds=60), spec(tmp_path, "queued", "add")])
    assert sorted(await pool.close()) == ["long", "queued"]
    assert events.done == {}
