"""Fixtures of the job-service tests: real SQLite files, real worker processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from eoproc.jobs import JobStore, LocalJobService, SqliteJobStore
from eoproc.jobs.postgres import PostgresJobStore
from eoproc.models import JobStatus, StatusInfo

from ..postgres_db import fresh_schema, postgres_url
from .procs import registry

ServiceFactory = Callable[..., Awaitable[LocalJobService]]


@pytest.fixture
async def make_service(tmp_path: Path) -> AsyncIterator[ServiceFactory]:
    """``await make_service(workers=1, ...)``: a started service on ``tmp_path/jobs.db``."""
    started: list[LocalJobService] = []

    async def make(**options: Any) -> LocalJobService:
        options.setdefault("store_url", f"sqlite:///{tmp_path / 'jobs.db'}")
        options.setdefault("workers", 2)
        service = LocalJobService(options.pop("registry", registry), **options)
        await service.start()
        started.append(service)
        return service

    yield make
    for service in started:
        await service.stop()


@pytest.fixture
async def service(make_service: ServiceFactory) -> LocalJobService:
    """A started service with two workers."""
    return await make_service()


async def wait_for(
    service: LocalJobService,
    job_id: str,
    predicate: Callable[[StatusInfo], bool] = lambda s: JobStatus(s.status).is_final,
    timeout: float = 30.0,
) -> StatusInfo:
    """Poll a job until ``predicate`` holds (a safety net, not a timing assertion)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status = await service.get_job(job_id)
        if predicate(status):
            return status
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"job {job_id} never got there; last status: {status}")
        await asyncio.sleep(0.02)


StoreFactory = Callable[[], Awaitable[JobStore]]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """``await make_store()``: an open, empty store of each kind (PostgreSQL: each store
    on its own schema of ``EOPROC_TEST_POSTGRES_URL``; skipped without it)."""
    opened: list[JobStore] = []
    schemas = ExitStack()
    base_url = postgres_url() if request.param == "postgresql" else ""

    async def make() -> JobStore:
        store: JobStore
        if request.param == "postgresql":
            url = schemas.enter_context(fresh_schema(base_url))
            store = PostgresJobStore(url, tmp_path / f"results-{len(opened)}")
        else:
            store = SqliteJobStore(tmp_path / f"jobs-{len(opened)}.db")
        await store.open()
        opened.append(store)
        return store

    with schemas:
        yield make
        for store in opened:
            await store.close()
