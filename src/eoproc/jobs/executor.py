"""The executor interface: what the job manager needs from whatever runs its jobs.

Two executors implement :class:`Executor`: :class:`~eoproc.jobs.pool.WorkerPool`
(worker processes on this machine, the default) and
:class:`~eoproc.jobs.dask_executor.DaskExecutor` (tasks on a Dask distributed
cluster); :mod:`.executors` chooses one by name. The job manager claims jobs
from the store as the executor has ``capacity()`` for them, hands them over
with ``submit()`` and hears back through :class:`ExecutorEvents`, called on the
event loop: a :class:`~.messages.Progress` while a job runs, one
:class:`~.messages.Done` (carrying the job's :class:`~.messages.Outcome`) once
it ended, and ``on_capacity()`` when the executor can take more jobs.

This module holds only the interface (no executor), so that executors import it
and it imports none of them.
"""

from __future__ import annotations

from typing import Protocol

from .messages import Done, JobSpec, Progress


class ExecutorEvents(Protocol):
    """What an executor reports (the job manager implements it); all on the event loop."""

    def on_progress(self, progress: Progress) -> None:
        """A running job made progress."""

    def on_done(self, done: Done) -> None:
        """A job ended: successful, failed, dismissed, or interrupted (its worker died).

        Not called for a job the executor was told to :meth:`Executor.cancel`.
        """

    def on_capacity(self) -> None:
        """The executor can take more jobs."""


class Executor(Protocol):
    """Runs claimed jobs and reports how they go."""

    stop_delay: float
    """Seconds after :meth:`cancel` by which a running job has surely stopped writing files."""

    async def start(self) -> None:
        """Start (spawn workers, connect to a cluster); raise if that is impossible."""

    async def close(self) -> list[str]:
        """Stop; return the ids of the jobs still held (they did not end). Safe if never started."""
        ...

    def capacity(self) -> int:
        """How many more jobs the executor takes now."""
        ...

    def submit(self, specs: list[JobSpec]) -> None:
        """Run these claimed jobs (queued in the executor if it is busy)."""

    def cancel(self, job_id: str) -> bool:
        """Make sure a dismissed job stops (dropped if queued, killed if running).

        Its outcome is not reported. Returns whether the executor held the job.
        """
        ...

    def held_ids(self) -> list[str]:
        """Ids of every job held: running, or queued in the executor."""
        ...

    async def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is held (at most ``timeout`` seconds); whether that happened."""
        ...


class ExecutorFactory(Protocol):
    """Makes an executor for a pickled process registry and ``size`` workers."""

    def __call__(self, registry_pickle: bytes, size: int, events: ExecutorEvents) -> Executor: ...
