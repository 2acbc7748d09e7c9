"""Scaling of the Dask executor: the same CPU-bound batch on 1 and on 2 Dask workers.

    python bench/dask_scaling.py [--jobs 24] [--limit 150000] [--workers 1,2] [--repeat 2]

For each worker count it starts the job service with ``executor="dask"`` (a
``LocalCluster`` of that many one-thread worker processes) on a fresh SQLite
store, warms every worker up with one job, then submits ``--jobs`` jobs of
``count_primes`` (pure-Python trial division, about 0.3 s of one core at the
default ``--limit``) and waits for all of them, ``--repeat`` times. Completed
jobs/s is the batch size over the span from the first job's ``created`` to the
last job's ``finished`` (the store's own timestamps); the best batch counts
(the others were slowed by something else). It prints jobs/s per worker count
and the ratio to the first. Goal on a quiet 2-core machine: ratio >= 1.7.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # _cpu_procs, also on the workers

from _cpu_procs import registry

from eoproc.jobs import LocalJobService
from eoproc.jobs.store import to_us
from eoproc.models import ExecuteRequest, JobStatus, StatusInfo

GOAL = 1.7


async def measure(workers: int, jobs: int, limit: int, repeat: int) -> float:
    """Best completed jobs/s of ``repeat`` batches of ``jobs`` jobs on ``workers`` workers."""
    with tempfile.TemporaryDirectory() as tmp:
        service = LocalJobService(
            registry, store_url=f"sqlite:///{tmp}/jobs.db", workers=workers, executor="dask"
        )
        await service.start()
        try:
            warm = ExecuteRequest(inputs={"limit": 1000})
            await asyncio.gather(
                *(service.execute("count_primes", warm, wait=True) for _ in range(workers))
            )
            request = ExecuteRequest(inputs={"limit": limit})
            rates = []
            for _ in range(repeat):
                ended = await asyncio.gather(
                    *(service.execute("count_primes", request, wait=True) for _ in range(jobs))
                )
                rates.append(rate(ended))
        finally:
            await service.stop()
    return max(rates)


def rate(ended: list[StatusInfo]) -> float:
    """Jobs/s of a batch, from the first ``created`` to the last ``finished``."""
    failed = [status for status in ended if status.status != JobStatus.successful]
    if failed:
        raise SystemExit(f"{len(failed)} job(s) did not succeed: {failed[0].message}")
    first = min(to_us(status.created) for status in ended if status.created)
    last = max(to_us(status.finished) for status in ended if status.finished)
    return len(ended) / ((last - first) / 1e6)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs",
        type=int,
        default=48,
        help="jobs in a batch (a small batch understates scaling: its ramp and tail idle a worker)",
    )
    parser.add_argument("--limit", type=int, default=150_000, help="count_primes input")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="batches per worker count")
    args = parser.parse_args()
    counts = [int(value) for value in args.workers.split(",")]
    rates: dict[int, float] = {}
    for workers in counts:
        began = time.monotonic()
        rates[workers] = await measure(workers, args.jobs, args.limit, args.repeat)
        print(
            f"{workers} worker(s): {rates[workers]:6.2f} jobs/s (best of {args.repeat} x "
            f"{args.jobs} jobs; {time.monotonic() - began:.1f} s with cluster start/stop)",
            flush=True,
        )
    base = rates[counts[0]]
    for workers in counts[1:]:
        ratio = rates[workers] / base
        verdict = "ok" if ratio >= GOAL * workers / 2 else "below goal"
        print(
            f"ratio {workers}/{counts[0]} workers: {ratio:.2f}x (goal >= {GOAL}x for 2): {verdict}"
        )


if __name__ == "__main__":
    asyncio.run(main())
