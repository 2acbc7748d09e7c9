"""The job store's write path: jobs/s through insert, claim and outcome (no HTTP, no workers).

    python bench/store_writes.py [--jobs 6000] [--batch 50] [--runs 3]

Applies ``WriteBatch``es to a fresh SQLite store as the job service's writer does
(inserts with a claim, then the outcomes), ``--batch`` jobs at a time, and prints
the rate of each run and the median. Every job records three events (accepted,
running, successful) in the same transactions: this is what they cost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from eoproc.jobs.sqlite import SqliteJobStore
from eoproc.jobs.store import NewJob, Outcome, WriteBatch, now_us
from eoproc.models import JobStatus


async def one_run(jobs: int, batch: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteJobStore(Path(tmp) / "jobs.db")
        await store.open()
        began = time.perf_counter()
        for start in range(0, jobs, batch):
            ids = [f"job-{i}" for i in range(start, min(start + batch, jobs))]
            inserts = [NewJob(job_id, "p", now_us(), "{}") for job_id in ids]
            await store.apply(WriteBatch(inserts=inserts, claim=len(ids), owner="bench"))
            done = now_us()
            outcomes = [
                Outcome(job_id, JobStatus.successful, None, None, done, 100, '{"values": {}}')
                for job_id in ids
            ]
            await store.apply(WriteBatch(outcomes=outcomes))
        elapsed = time.perf_counter() - began
        await store.close()
    return jobs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    rates = [asyncio.run(one_run(options.jobs, options.batch)) for _ in range(options.runs)]
    for rate in rates:
        print(f"  {rate:7.0f} jobs/s")
    print(
        f"median: {statistics.median(rates):.0f} jobs/s through insert + claim + outcome "
        f"({options.jobs} jobs, batches of {options.batch})"
    )


if __name__ == "__main__":
    main()
