"""Load figures of the eoproc server with the durable SQLite store (uses wrk).

    python bench/server_load.py [--seconds 10] [--connections 32] [--workers N]

Starts ``eoproc-server run`` on a fresh SQLite store and a free port, then:

1. async execution: wrk POSTs ``primes_between`` (``Prefer: respond-async``) for
   ``--seconds`` -> submissions/s;
2. jobs executed/s, from the server's own timestamps (jobs / (last ``finished`` -
   first ``created``)), after every submitted job has ended, so polling does
   not distort it;
3. status reads: wrk ``GET /jobs/{id}`` -> reads/s;
4. the median latency of ``GET /jobs?limit=10`` (wrk, one connection).

wrk must be installed (``apt-get install -y wrk``); the script says so if not.
Goals (2 cores): >= 1650 submissions/s, >= 2400 status reads/s, >= 830 jobs/s.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from _server import require_wrk, run_wrk, running_server

HERE = Path(__file__).resolve().parent
GOALS = {"submissions/s": 1650, "status reads/s": 2400, "jobs executed/s": 830}
BODY = {"inputs": {"min_val": 10, "max_val": 80}}


def all_jobs(client: httpx.Client, process_id: str) -> list[dict[str, Any]]:
    """Every job of ``process_id``, following the next links."""
    jobs: list[dict[str, Any]] = []
    url: str | None = f"/jobs?processID={process_id}&limit=10000"
    while url:
        page = client.get(url).json()
        jobs += page["jobs"]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return jobs


def wait_until_idle(client: httpx.Client, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while client.get("/jobs", params={"status": "accepted,running", "limit": 1}).json()["jobs"]:
        if time.monotonic() > deadline:
            raise SystemExit(f"jobs still queued after {timeout} s")
        time.sleep(0.5)


def executed_per_second(jobs: list[dict[str, Any]]) -> tuple[float, int]:
    done = [job for job in jobs if job["status"] == "successful"]
    if len(done) < 2:
        return float("nan"), len(done)
    first = min(datetime.fromisoformat(job["created"]) for job in done)
    last = max(datetime.fromisoformat(job["finished"]) for job in done)
    return len(done) / (last - first).total_seconds(), len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="job worker processes"
    )
    parser.add_argument(
        "--store-dir",
        type=Path,
        default=None,
        help="where the SQLite store goes (default: a temporary directory)",
    )
    args = parser.parse_args()
    require_wrk()

    with tempfile.TemporaryDirectory(prefix="eoproc-bench-") as tmp:
        store_dir = args.store_dir or Path(tmp)
        store = store_dir / "load.db"
        log = store_dir / "server.log"
        server_args = ("--workers", str(args.workers), "--max-queued", "100000000")
        with (
            running_server(store, *server_args, log=log) as server,
            httpx.Client(base_url=server.url, timeout=60) as client,
        ):
            url = f"{server.url}/processes/primes_between/execution"
            warm = client.post(url, json=BODY, headers={"Prefer": "respond-async"})
            warm.raise_for_status()

            post = run_wrk(
                url,
                seconds=args.seconds,
                connections=args.connections,
                threads=args.threads,
                script=HERE / "wrk_post.lua",
                env={"WRK_BODY": json.dumps(BODY)},
            )
            wait_until_idle(client, timeout=max(600.0, args.seconds * 60))
            rate, executed = executed_per_second(all_jobs(client, "primes_between"))

            status_url = f"{server.url}/jobs/{warm.json()['jobID']}"
            reads = run_wrk(
                status_url, seconds=args.seconds, connections=args.connections, threads=args.threads
            )
            listing = run_wrk(
                f"{server.url}/jobs?limit=10",
                seconds=min(args.seconds, 5),
                connections=1,
                threads=1,
            )
            rss = server.rss_mib()

    figures = {
        "submissions/s": post.requests_per_s,
        "status reads/s": reads.requests_per_s,
        "jobs executed/s": rate,
    }
    print(
        f"eoproc server, SQLite store, {args.workers} job workers, "
        f"wrk {args.threads} threads x {args.connections} connections, {args.seconds:g} s each"
    )
    for name, value in figures.items():
        print(f"  {name:<18} {value:9.0f}   (goal >= {GOALS[name]})")
    print(
        f"  {'jobs executed':<18} {executed:9d}   (non-2xx POSTs: {post.errors}, "
        f"non-2xx reads: {reads.errors})"
    )
    print(f"  median GET /jobs?limit=10: {listing.median_ms:.2f} ms ({executed + 1} jobs stored)")
    print(f"  server RSS at the end: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
