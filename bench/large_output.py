"""The large-output path: a job returning 64 MiB completes and its result is served.

Starts a real server (2 workers, fresh SQLite store) with a process returning a
string of N MiB, submits one job at a time, and prints per job: seconds from
submission to ``successful`` (wall clock), seconds to download the output, its
size, and the server's resident memory (peak while the job ran and was served,
sampled every 10 ms). The output travels from the worker to the server as a file
in the job's results location (never through the worker's pipe) and is streamed
to the client.

    python bench/large_output.py                  # 64 MiB, 3 jobs
    python bench/large_output.py --mib 16 64 256 --jobs 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _server import running_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, nargs="+", default=[64])
    parser.add_argument("--jobs", type=int, default=3)
    options = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HERE), os.environ.get("PYTHONPATH")) if p
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "jobs.db"
        args = ("--workers", "2", "--", "_large_procs:registry")
        with running_server(store, *args) as server, httpx.Client(timeout=600) as client:
            idle = server.rss_mib()
            print(f"server RSS idle: {idle:.0f} MiB")
            print(f"{'MiB':>5} {'job s':>7} {'download s':>11} {'bytes':>11} {'peak RSS MiB':>13}")
            for mib in options.mib:
                for _ in range(options.jobs):
                    peak = [server.rss_mib()]
                    stop = threading.Event()

                    def sample(peak: list[float] = peak, stop: threading.Event = stop) -> None:
                        while not stop.is_set():
                            peak[0] = max(peak[0], server.rss_mib())
                            time.sleep(0.01)

                    sampler = threading.Thread(target=sample, daemon=True)
                    sampler.start()
                    start = time.perf_counter()
                    answer = client.post(
                        f"{server.url}/processes/blob/execution",
                        json={"inputs": {"mib": mib}},
                        headers={"Prefer": "respond-async"},
                    )
                    job = answer.json()["jobID"]
                    while True:
                        status = client.get(f"{server.url}/jobs/{job}").json()["status"]
                        if status not in ("accepted", "running"):
                            break
                        time.sleep(0.02)
                    ran = time.perf_counter() - start
                    if status != "successful":
                        raise SystemExit(f"job {job} ended {status}")
                    start = time.perf_counter()
                    size = 0
                    url = f"{server.url}/jobs/{job}/results/return_value"
                    with client.stream("GET", url) as response:
                        response.raise_for_status()
                        for chunk in response.iter_bytes():
                            size += len(chunk)
                    served = time.perf_counter() - start
                    stop.set()
                    sampler.join()
                    print(f"{mib:>5} {ran:>7.2f} {served:>11.2f} {size:>11} {peak[0]:>13.0f}")
                    expected = mib * 1024 * 1024 + 2  # a JSON string: quoted
                    if size != expected:
                        raise SystemExit(f"served {size} bytes, expected {expected}")


if __name__ == "__main__":
    main()
