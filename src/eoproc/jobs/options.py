"""The options of the local job service, and their checks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs

from .executors import check_executor
from .leases import LeasedStore
from .store import JobStore
from .stores import check_store_url, create_store


def default_store_url() -> str:
    """``sqlite:///`` URL of ``jobs.db`` in the user data directory."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('eoproc')) / 'jobs.db'}"


class JobServiceOptions:
    """What a :class:`~eoproc.jobs.service.LocalJobService` is configured with.

    The constructor takes every option; :meth:`configure` changes some before
    the service starts (the server CLI's ``--store`` etc.). Invalid values raise
    ``ValueError`` with one clear sentence.
    """

    started = False
    """Whether the service runs (options cannot change then)."""

    def __init__(
        self,
        registry: Any,
        *,
        store_url: str | None = None,
        workers: int | None = None,
        max_queued: int = 10_000,
        title: str = "eoproc",
        description: str = "OGC API - Processes server running jobs on this machine",
        grace_period: float = 10.0,
        store: JobStore | None = None,
        keep_finished: float | None = None,
        results_dir: str | None = None,
        lease: float | None = None,
        executor: str = "local",
        dask_scheduler: str | None = None,
        job_timeout: float | None = None,
        job_control: str | None = None,
        job_ids: str = "uuid",
    ) -> None:
        check_executor(executor, dask_scheduler)
        self.job_control: str | None = None
        """``async``/``sync``/``both``: the job control options published for processes
        that do not declare their own (``None``: each process's, by default both)."""
        self.job_ids = "uuid"
        """``uuid`` (default) or ``counter``: readable ids ``job_0``, ``job_1``, ... from
        the store's durable counter."""
        self._set_identity(job_control, job_ids)
        self.job_timeout = job_timeout
        """Seconds a job may run (from its claim) before it is stopped and failed."""
        self.registry = registry
        self.executor = executor
        self.dask_scheduler = dask_scheduler
        self.title = title
        self.description = description
        self.store_url = store_url
        self.workers = workers if workers and workers > 0 else (os.cpu_count() or 1)
        self.max_queued = max_queued
        self.grace_period = grace_period
        self._store = store
        self.keep_finished = keep_finished
        """Days finished jobs are kept (``None``: forever); older ones are purged."""
        self.results_dir = results_dir
        """Directory of result files (default: the store's; replicas must share one)."""
        self.lease = lease
        """Seconds a running job's lease lasts (shared stores; default: the store's)."""

    def configure(
        self,
        *,
        store_url: str | None = None,
        workers: int | None = None,
        max_queued: int | None = None,
        grace_period: float | None = None,
        keep_finished: float | None = None,
        results_dir: str | None = None,
        lease: float | None = None,
        executor: str | None = None,
        dask_scheduler: str | None = None,
        job_timeout: float | None = None,
        job_control: str | None = None,
        job_ids: str | None = None,
    ) -> None:
        """Change options before :meth:`start` (the server CLI's ``--store`` etc.)."""
        if self.started or (self._store is not None and store_url is not None):
            raise ValueError("the job service is already started; configure it before")
        self._set_identity(job_control, job_ids)
        if executor is not None or dask_scheduler is not None:
            check_executor(executor or self.executor, dask_scheduler or self.dask_scheduler)
            self.executor = executor or self.executor
            self.dask_scheduler = dask_scheduler or self.dask_scheduler
        if store_url is not None:
            check_store_url(store_url)  # fail early on a bad URL
            self.store_url = store_url
        if workers is not None:
            if workers < 1:
                raise ValueError(f"workers must be at least 1, not {workers}")
            self.workers = workers
        if max_queued is not None:
            if max_queued < 1:
                raise ValueError(f"max_queued must be at least 1, not {max_queued}")
            self.max_queued = max_queued
        if grace_period is not None:
            self.grace_period = grace_period
        self._configure_sharing(keep_finished, results_dir, lease)
        if job_timeout is not None:
            if job_timeout <= 0:
                raise ValueError(f"job_timeout must be positive, not {job_timeout}")
            self.job_timeout = job_timeout

    def _set_identity(self, job_control: str | None, job_ids: str | None) -> None:
        if job_control is not None:
            from eoproc.processes.process import job_control_for

            job_control_for(job_control)  # ValueError for an unknown mode
            self.job_control = job_control
        if job_ids is not None:
            if job_ids not in ("uuid", "counter"):
                raise ValueError(f"job ids must be 'uuid' or 'counter', not {job_ids!r}")
            self.job_ids = job_ids

    def _configure_sharing(
        self, keep_finished: float | None, results_dir: str | None, lease: float | None
    ) -> None:
        if keep_finished is not None:
            if keep_finished <= 0:
                raise ValueError(f"keep_finished must be positive (days), not {keep_finished}")
            self.keep_finished = keep_finished
        if results_dir is not None:
            self.results_dir = results_dir
        if lease is not None:
            if lease < 1:
                raise ValueError(f"the lease must be at least 1 s, not {lease}")
            self.lease = lease

    @property
    def store(self) -> JobStore:
        """The job store (created on first use unless one was given)."""
        if self._store is None:
            self._store = create_store(
                self.store_url or default_store_url(), results_dir=self.results_dir
            )
        if self.lease is not None and isinstance(self._store, LeasedStore):
            self._store.lease = self.lease
        return self._store
