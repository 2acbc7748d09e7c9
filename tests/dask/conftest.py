"""Fixtures of the Dask executor tests: a job service on a real ``LocalCluster`` of processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import JobStatus, StatusInfo

pytest.importorskip("distributed")

DaskServiceFactory = Callable[..., Awaitable[LocalJobService]]
SAFETY_TIMEOUT = 90.0


@pytest.fixture
async def make_dask_service(tmp_path: Path) -> AsyncIterator[DaskServiceFactory]:
    """``await make_dask_service(registry)``: a started service whose executor
    started a ``LocalCluster`` of two one-thread worker processes."""
    started: list[LocalJobService] = []

    async def make(registry: Any, **options: Any) -> LocalJobService:
        options.setdefault("store_url", f"sqlite:///{tmp_path / 'jobs.db'}")
        options.setdefault("workers", 2)
        service = LocalJobService(registry, executor="dask", **options)
        await service.start()
        started.append(service)
        return service

    yield make
    for service in started:
        await service.stop()


async def wait_for(
    service: LocalJobService,
    job_id: str,
    predicate: Callable[[StatusInfo], bool] = lambda s: JobStatus(s.status).is_final,
    timeout: float = SAFETY_TIMEOUT,
) -> StatusInfo:
    """Poll a job until ``predicate`` holds (a safety net, not a timing assertion)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status = await service.get_job(job_id)
        if predicate(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"job {job_id} never got there; last status: {status}")
        await asyncio.sleep(0.05)
