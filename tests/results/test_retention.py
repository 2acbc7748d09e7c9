"""Retention (``--keep-finished``) deletes the output files with their jobs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest, JobStatus

from .procs import registry


async def test_purged_jobs_lose_their_output_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eoproc.jobs import keeper

    monkeypatch.setattr(keeper, "DAY_US", 1)  # "days" of a microsecond: everything is old
    monkeypatch.setattr(keeper, "WATCH_INTERVAL", 0.05)
    results = tmp_path / "results"
    service = LocalJobService(
        registry,
        store_url=f"sqlite:///{tmp_path / 'jobs.db'}",
        workers=1,
        keep_finished=1.0,
        results_dir=str(results),
    )
    await service.start()
    try:
        assert service._keeper is not None
        service._keeper._next_purge = float("inf")  # not before the job's files are checked
        job = await service.execute("dataset", ExecuteRequest(), wait=True)
        assert job.status == JobStatus.successful, job.message
        store = results / job.jobID / "dataset.zarr"
        assert (store / "zarr.json").is_file()
        service._keeper._next_purge = 0.0

        async def purged() -> None:
            while (results / job.jobID).exists():
                service._keeper._next_purge = 0.0  # type: ignore[union-attr]
                await asyncio.sleep(0.05)

        await asyncio.wait_for(purged(), 30)
        assert await service.store.get(job.jobID) is None
    finally:
        await service.stop()
