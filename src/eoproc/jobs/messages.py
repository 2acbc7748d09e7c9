"""The typed messages of the job runtime: what parent, worker and executor say to each other.

A leaf module (standard library only): worker processes and Dask runners import it.
Timestamps are microseconds since the epoch (:func:`eoproc.jobs.store.now_us`).

parent → worker (over :mod:`.channel`)
    :class:`Run` queue jobs; :class:`Cancel` drop a queued job; :class:`Stop` exit when idle.
worker → parent
    :class:`Ready` / :class:`Fatal` after start-up; :class:`Started` a job starts while
    the worker was idle; :class:`Progress`; :class:`Report` jobs ended (one :class:`Done`
    each) and which job runs now.
executor → job manager (see :class:`~eoproc.jobs.executor.ExecutorEvents`)
    :class:`Progress`, and one :class:`Done` per job, carrying its :class:`Outcome`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["successful", "failed", "dismissed"]
"""How a job can end (the values of :class:`eoproc.models.JobStatus` of the same names)."""


@dataclass(frozen=True)
class JobSpec:
    """A job as a worker gets it."""

    id: str
    process_id: str
    inputs_json: str
    outputs: list[str] | dict[str, Any] | None
    """The requested output ids, or the execute request's ``outputs`` (with their formats)."""
    job_dir: str


@dataclass(frozen=True)
class Outcome:
    """How one run of a job ended.

    ``results_json`` (successful jobs) maps output ids to values; ``error_json``
    (failed jobs) is ``{"message": ..., "type": ..., "traceback": ...}``.
    ``interrupted``: whatever ran the job died; the job manager re-queues a
    retry-safe job with attempts left, and fails the others.
    """

    status: Status
    message: str | None
    started: int | None
    finished: int
    results_json: str | None = None
    error_json: str | None = None
    interrupted: bool = False

    @classmethod
    def failed(
        cls,
        message: str,
        finished: int,
        *,
        started: int | None = None,
        interrupted: bool = False,
    ) -> Outcome:
        """A failure described by ``message`` alone (it also becomes the error document)."""
        error = json.dumps({"message": message})
        return cls("failed", message, started, finished, None, error, interrupted)

    @classmethod
    def dismissed(cls, started: int | None, finished: int) -> Outcome:
        """The job was dismissed while it ran."""
        return cls("dismissed", "Job dismissed", started, finished)

    @property
    def seconds(self) -> float | None:
        """How long the run took (``None``: it never started)."""
        return None if self.started is None else (self.finished - self.started) / 1e6


# -- parent → worker ---------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Queue these jobs (run in order)."""

    specs: tuple[JobSpec, ...]


@dataclass(frozen=True)
class Cancel:
    """Drop a queued job (a running one is stopped by killing the worker)."""

    job_id: str


@dataclass(frozen=True)
class Stop:
    """Exit once idle."""


# -- worker → parent ---------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """The worker started and loaded the process registry."""

    pid: int


@dataclass(frozen=True)
class Fatal:
    """The worker cannot start."""

    message: str


@dataclass(frozen=True)
class Started:
    """A job starts on a worker that was idle; ``skipped``: cancelled jobs it dropped."""

    job_id: str
    skipped: tuple[str, ...] = ()
    where: str | None = None
    """Where it runs (the Dask executor: the worker's address)."""


@dataclass(frozen=True)
class Progress:
    """A running job's progress (``None``: unchanged)."""

    job_id: str
    percent: int | None
    message: str | None


@dataclass(frozen=True)
class Done:
    """A job ended."""

    job_id: str
    outcome: Outcome


@dataclass(frozen=True)
class Report:
    """Jobs ended (in order), and which job runs now (``None``: the worker is idle).

    A worker reports the outcomes of short jobs together; ``skipped`` lists
    cancelled jobs dropped from its queue.
    """

    done: tuple[Done, ...]
    running: str | None
    skipped: tuple[str, ...] = field(default=())


ToWorker = Run | Cancel | Stop
FromWorker = Ready | Fatal | Started | Progress | Report
