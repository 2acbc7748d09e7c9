"""A server stand-in for the orphan test: ``python -m tests.jobs.orphan_parent DB``.

Starts a job service with two workers on DB, starts two CPU-bound jobs, prints
``<job id> <worker pid>`` per job, then waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys

from eoproc.jobs import LocalJobService
from eoproc.models import ExecuteRequest

from .procs import registry


async def main(db: str) -> None:
    service = LocalJobService(registry, store_url=f"sqlite:///{db}", workers=2)
    await service.start()
    jobs = [
        await service.execute("spin", ExecuteRequest(seconds=300), wait=False) for _ in range(2)
    ]
    for job in jobs:
        while True:
            status = await service.get_job(job.jobID)
            message = status.message or ""
            if message.startswith("pid "):
                print(job.jobID, message.split()[1], flush=True)
                break
            await asyncio.sleep(0.02)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
