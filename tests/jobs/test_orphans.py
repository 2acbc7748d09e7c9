"""Workers do not outlive their server: kill -9 of the parent takes them down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from eoproc.jobs.store import STOPPED_MESSAGE
from eoproc.models import JobStatus

from .conftest import ServiceFactory
from .test_dismiss import wait_gone

ROOT = Path(__file__).resolve().parents[2]


async def test_no_orphans_after_kill_9_and_restart_fails_their_jobs(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    db = tmp_path / "jobs.db"
    parent = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.orphan_parent", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        lines = [parent.stdout.readline().split() for _ in range(2)]
        assert all(len(line) == 2 for line in lines), lines
        jobs = {job_id: int(pid) for job_id, pid in lines}
        assert len(set(jobs.values())) == 2  # one job per worker
        for pid in jobs.values():
            os.kill(pid, 0)  # alive and spinning
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)

    for pid in jobs.values():
        await wait_gone(pid)

    service = await make_service(store_url=f"sqlite:///{db}")
    for job_id in jobs:
        status = await service.get_job(job_id)
        assert status.status == JobStatus.failed
        assert status.message == STOPPED_MESSAGE
