"""The executor interface: what the job service needs from whatever runs its jobs.

Two executors implement it: :class:`~eoproc.jobs.pool.WorkerPool` (worker
processes on this machine, the default) and
:class:`~eoproc.jobs.dask_executor.DaskExecutor` (tasks on a Dask distributed
cluster). The service claims jobs from the store as the executor has
``capacity()`` for them, hands them over with ``submit()`` and hears back
through three callbacks, all called on the event loop:

- ``on_progress(job_id, percent, message)`` while a job runs;
- ``on_done(job_id, status, message, started, finished, results_json,
  error_json)`` once it ended (status ``successful``, ``failed`` or ``dismissed``,
  or :data:`LOST` when whatever ran it died: the service re-queues a retry-safe
  job with attempts left, and fails the others);
- ``on_capacity()`` when the executor can take more jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .worker import JobSpec

ProgressCallback = Callable[[str, int | None, str | None], None]
DoneCallback = Callable[[str, str, str | None, int | None, int, str | None, str | None], None]
CapacityCallback = Callable[[], None]

LOST = "lost"
"""The status an executor reports for a job interrupted by the death of its worker."""

EXECUTORS = ("local", "dask")
"""Names accepted by :func:`executor_factory` (``eoproc-server run --executor``)."""


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

    def __call__(
        self,
        registry_pickle: bytes,
        size: int,
        *,
        on_progress: ProgressCallback,
        on_done: DoneCallback,
        on_capacity: CapacityCallback,
    ) -> Executor: ...


def check_executor(name: str, scheduler: str | None = None) -> None:
    """Raise ``ValueError`` (one clear sentence) for an unknown executor or bad options."""
    if name not in EXECUTORS:
        raise ValueError(f"Unknown executor {name!r}: expected one of {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise ValueError("A Dask scheduler address is only used with the dask executor")
    if name == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError(
                "The dask executor needs Dask distributed: pip install 'eoproc[dask]'"
            ) from None


def executor_factory(name: str = "local", *, scheduler: str | None = None) -> ExecutorFactory:
    """The factory of executor ``name`` (``local`` or ``dask``).

    ``scheduler``: address of the Dask scheduler (``tcp://host:8786``); without
    one the dask executor starts a ``distributed.LocalCluster`` of ``size``
    worker processes (for development).
    """
    check_executor(name, scheduler)
    if name == "dask":
        from functools import partial

        from .dask_executor import DaskExecutor

        return partial(DaskExecutor, scheduler=scheduler)
    from .pool import WorkerPool

    return WorkerPool
