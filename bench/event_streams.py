"""Many concurrent event streams (``GET /jobs/{id}/events``) on one server.

    python bench/event_streams.py [--streams 200] [--jobs 50] [--duration 2] [--workers 2]

Starts ``eoproc-server run`` (SQLite, ``--workers``), submits ``--jobs`` jobs of
``sleep_a_while`` (``--duration`` s each, progress every 0.1 s), then opens
``--streams`` event streams spread over the jobs at once and reads them to their
end. The jobs run a few at a time, so most streams wait (heartbeats every
``EOPROC_EVENTS_HEARTBEAT`` = 2 s here) before their job's events arrive.

Prints: streams that ended with the job's final event, events and heartbeats
received, the longest silence on any stream (a live stream is never silent much
longer than the heartbeat), the time to the first byte, and the server's resident
memory before the streams, at its peak while they were open, and the growth.
Goal: every stream ends with its final event; RSS growth < 50 MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from _server import Server, running_server

HEARTBEAT = 2.0
GOAL_MIB = 50.0


@dataclass
class StreamResult:
    """What one stream saw."""

    events: int = 0
    heartbeats: int = 0
    final: bool = False
    first_byte: float = float("nan")
    longest_silence: float = 0.0
    errors: list[str] = field(default_factory=list)


async def read_stream(client: httpx.AsyncClient, job_id: str) -> StreamResult:
    """Read one job's stream to its end."""
    result = StreamResult()
    opened = time.monotonic()
    last = opened
    try:
        async with client.stream("GET", f"jobs/{job_id}/events") as answer:
            if answer.status_code != 200:
                result.errors.append(f"HTTP {answer.status_code}")
                return result
            async for line in answer.aiter_lines():
                now = time.monotonic()
                if result.first_byte != result.first_byte:  # nan: the first line
                    result.first_byte = now - opened
                result.longest_silence = max(result.longest_silence, now - last)
                last = now
                if line.startswith(":"):
                    result.heartbeats += 1
                elif line.startswith("data: "):
                    result.events += 1
                    if '"status":"successful"' in line or '"status":"failed"' in line:
                        result.final = True
    except httpx.HTTPError as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
    return result


async def sample_rss(server: Server, peak: list[float], stop: asyncio.Event) -> None:
    """Keep the highest RSS seen in ``peak[0]`` until ``stop``."""
    while not stop.is_set():
        peak[0] = max(peak[0], server.rss_mib())
        await asyncio.sleep(0.2)


async def run(server: Server, streams: int, jobs: int, duration: float) -> None:
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=streams + 10)
    timeout = httpx.Timeout(60.0, read=HEARTBEAT * 10)
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=timeout) as client:
        job_ids = []
        for _ in range(jobs):
            answer = await client.post(
                "processes/sleep_a_while/execution",
                json={"inputs": {"duration": duration}},
                headers={"Prefer": "respond-async"},
            )
            answer.raise_for_status()
            job_ids.append(answer.json()["jobID"])
        await asyncio.sleep(1.0)
        before = server.rss_mib()
        peak = [before]
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_rss(server, peak, stop))
        began = time.monotonic()
        results = await asyncio.gather(
            *(read_stream(client, job_ids[index % jobs]) for index in range(streams))
        )
        elapsed = time.monotonic() - began
        stop.set()
        await sampler
    ended = sum(1 for r in results if r.final)
    errors = [e for r in results for e in r.errors]
    silence = max(r.longest_silence for r in results)
    first = statistics.median(r.first_byte for r in results if r.first_byte == r.first_byte)
    growth = peak[0] - before
    print(f"streams: {streams} over {jobs} jobs ({duration:g} s each); open {elapsed:.1f} s")
    print(f"ended with the final event: {ended}/{streams}; errors: {len(errors)}")
    for error in errors[:5]:
        print(f"  {error}")
    print(f"events received: {sum(r.events for r in results)}")
    print(f"heartbeats received: {sum(r.heartbeats for r in results)} (every {HEARTBEAT:g} s)")
    print(f"longest silence on a stream: {silence:.2f} s")
    print(f"median time to first byte: {first * 1000:.1f} ms")
    print(f"server RSS: {before:.1f} MiB before, {peak[0]:.1f} MiB peak, growth {growth:.1f} MiB")
    verdict = "met" if ended == streams and growth < GOAL_MIB else "NOT met"
    print(f"goal (all streams end, RSS growth < {GOAL_MIB:g} MiB): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    os.environ["EOPROC_EVENTS_HEARTBEAT"] = str(HEARTBEAT)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "jobs.db"
        with running_server(store, "--workers", str(options.workers)) as server:
            asyncio.run(run(server, options.streams, options.jobs, options.duration))


if __name__ == "__main__":
    main()
