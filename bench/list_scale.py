"""Job-list latency and server memory as the store grows (to 100 000 jobs by default).

    python bench/list_scale.py [--jobs 100000] [--steps 1000,10000,100000] [--requests 300]
                               [--store postgresql://user@host:5432/db]

Fills a fresh SQLite store (or, with ``--store postgresql://...``, a new schema of
that database, dropped at the end) through the job store's own protocol
(``JobStore.apply``: insert, claim, finish; fast, and the same rows the
server writes), starts ``eoproc-server run`` on it, and at each step measures
the median latency of ``GET /jobs?limit=10`` and a few filtered variants (one
keep-alive connection, sequential requests) and the server's resident memory.
Goals: median ``GET /jobs?limit=10`` <= 20 ms at 100 000 jobs; memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from _server import running_server

from eoproc.jobs.sqlite import SqliteJobStore
from eoproc.jobs.store import JobStore, NewJob, Outcome, WriteBatch, now_us
from eoproc.jobs.stores import create_store
from eoproc.models import JobStatus

BATCH = 5000
PROCESSES = ("primes_between", "sleep_a_while", "echo")
GOAL_MS = 20.0


def open_store(store_path: Path, store_url: str | None) -> JobStore:
    """The SQLite store at ``store_path``, or the PostgreSQL store ``store_url``."""
    if store_url:
        return create_store(store_url, results_dir=store_path.parent / "results")
    return SqliteJobStore(store_path)


async def fill(store_path: Path, start: int, stop: int, store_url: str | None = None) -> None:
    """Add jobs ``start``..``stop`` (successful, newest first by index)."""
    store = open_store(store_path, store_url)
    await store.open()
    try:
        base = now_us()
        for first in range(start, stop, BATCH):
            count = min(BATCH, stop - first)
            inserts = [
                NewJob(
                    id=str(uuid.uuid4()),
                    process_id=PROCESSES[(first + i) % len(PROCESSES)],
                    created=base - (stop - first - i) * 1_000,
                    inputs_json=json.dumps({"min_val": 10, "max_val": 80}),
                )
                for i in range(count)
            ]
            claimed = await store.apply(WriteBatch(inserts=inserts, claim=count, owner="bench"))
            finished = now_us()
            outcomes = [
                Outcome(
                    id=job.id,
                    status=JobStatus.successful,
                    message="Done",
                    started=finished - 500,
                    finished=finished,
                    progress=100,
                    results_json=json.dumps({"return_value": [11, 13, 17]}),
                )
                for job in claimed
            ]
            await store.apply(WriteBatch(outcomes=outcomes))
    finally:
        await store.close()


@contextmanager
def bench_schema(url: str | None) -> Iterator[str | None]:
    """A new schema of the PostgreSQL database ``url`` (its URL), dropped afterwards."""
    if not url:
        yield None
        return
    import psycopg
    import sqlalchemy as sa

    schema = f"eoproc_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        parsed = sa.engine.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield parsed.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def median_ms(client: httpx.Client, url: str, requests: int) -> float:
    for _ in range(10):
        client.get(url).raise_for_status()
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        client.get(url).raise_for_status()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs in the store at the end")
    parser.add_argument("--steps", default="", help="store sizes to measure at (comma list)")
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument(
        "--store", default=None, help="postgresql://... URL (default: a SQLite file)"
    )
    args = parser.parse_args()
    steps = sorted({int(s) for s in args.steps.split(",") if s} | {args.jobs})
    steps = [s for s in steps if s <= args.jobs] or [args.jobs]
    if len(steps) == 1 and args.jobs >= 10_000:
        steps = [args.jobs // 100, args.jobs // 10, args.jobs]

    with (
        tempfile.TemporaryDirectory(prefix="eoproc-list-") as tmp,
        bench_schema(args.store) as store_url,
    ):
        store = Path(tmp) / "scale.db"
        asyncio.run(fill(store, 0, 1, store_url))
        with (
            running_server(
                store, "--workers", "1", log=Path(tmp) / "server.log", store_url=store_url
            ) as server,
            httpx.Client(base_url=server.url, timeout=60) as client,
        ):
            print(
                f"{'jobs':>8} {'limit=10':>9} {'status':>8} {'process':>8} {'page 2':>8} "
                f"{'datetime':>9} {'RSS MiB':>8}"
            )
            stored = 1
            last = None
            for size in steps:
                fill_began = time.monotonic()
                asyncio.run(fill(store, stored, size, store_url))
                filled_in = time.monotonic() - fill_began
                stored = size
                first = client.get("/jobs?limit=10").json()
                next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
                created = first["jobs"][-1]["created"]
                row = [
                    median_ms(client, "/jobs?limit=10", args.requests),
                    median_ms(client, "/jobs?limit=10&status=successful", args.requests),
                    median_ms(client, "/jobs?limit=10&processID=echo", args.requests),
                    median_ms(client, next_url, args.requests),
                    median_ms(client, f"/jobs?limit=10&datetime=../{created}", args.requests),
                ]
                last = row[0]
                print(
                    f"{size:>8} "
                    + " ".join(f"{ms:>8.2f}" for ms in row)
                    + f" {server.rss_mib():>8.0f}   (filled in {filled_in:.1f} s)"
                )
    print(f"median GET /jobs?limit=10 at {steps[-1]} jobs: {last:.2f} ms (goal <= {GOAL_MS} ms)")


if __name__ == "__main__":
    main()
