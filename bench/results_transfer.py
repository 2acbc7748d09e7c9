"""Outputs by reference: download throughput, server memory, and lazy Zarr reads.

Starts a real ``eoproc-server`` (SQLite store, results in a temporary directory)
publishing ``_data_procs``, runs a job writing a 1 GiB file and one returning a
1 GiB xarray dataset (Zarr, 256 chunks of 4 MiB), then measures:

1. the throughput of downloading the 1 GiB file through the server
   (``GET /jobs/{id}/results/{output}``), against the same file served by a
   minimal static-file server (``python -m http.server``) on the same machine,
   in the same run (``--rounds`` each, alternating; medians compared; downloaded
   with ``curl`` if installed, else httpx);
2. the server's resident memory (RSS) during the download, above its RSS before;
3. the bytes transferred when ``client.open_job_result`` opens the Zarr result
   lazily and reads one chunk, against the size of the store.

    python bench/results_transfer.py            # 1 GiB, 5 rounds
    python bench/results_transfer.py --mib 256 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import free_port, running_server

HERE = Path(__file__).resolve().parent
CHUNK = 1024 * 1024


def download(url: str) -> tuple[float, int]:
    """Seconds and bytes of one streamed download (the body is discarded).

    With ``curl`` when it is installed (a client in C: the servers are measured,
    not the client), else with httpx.
    """
    curl = shutil.which("curl")
    if curl is not None:
        done = subprocess.run(
            [curl, "-sS", "--fail", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", url],
            capture_output=True,
            text=True,
            check=True,
        )
        size_text, seconds_text = done.stdout.split()
        return float(seconds_text), int(float(size_text))
    size = 0
    began = time.perf_counter()
    with httpx.stream("GET", url, timeout=300) as answer:
        answer.raise_for_status()
        for chunk in answer.iter_raw(CHUNK):
            size += len(chunk)
    return time.perf_counter() - began, size


class RssSampler(threading.Thread):
    """The highest RSS of a process while it runs (sampled every 20 ms), MiB."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.done = threading.Event()

    def rss(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)


def static_server(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/", timeout=2)
            return process, url
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)


def run_job(client: object, process: str, inputs: dict[str, int]) -> str:
    job = client.execute_process(process, inputs, mode="async")  # type: ignore[attr-defined]
    client.wait_for_job(job.jobID, timeout=3600)  # type: ignore[attr-defined]
    return str(job.jobID)


def lazy_read(client: object, job_id: str) -> tuple[int, int]:
    """Bytes received while opening the Zarr result and reading one chunk; requests."""
    import aiohttp

    received = [0, 0]

    async def on_chunk(session: object, context: object, params: object) -> None:
        received[0] += len(params.chunk)  # type: ignore[attr-defined]

    async def on_end(session: object, context: object, params: object) -> None:
        received[1] += 1

    trace = aiohttp.TraceConfig()
    trace.on_response_chunk_received.append(on_chunk)
    trace.on_request_end.append(on_end)
    options = {"client_kwargs": {"trace_configs": [trace]}}
    dataset = client.open_job_result(job_id, storage_options=options)  # type: ignore[attr-defined]
    values = dataset["v"].isel(time=dataset.sizes["time"] // 2).values
    assert values.shape == dataset["v"].shape[1:]
    return received[0], received[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the outputs (MiB)")
    parser.add_argument("--rounds", type=int, default=5, help="downloads through each server")
    args = parser.parse_args()
    from eoproc.client import Client

    with tempfile.TemporaryDirectory(prefix="eoproc-bench-") as tmp:
        root = Path(tmp)
        env = {"PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        with (
            running_server(
                root / "jobs.db",
                "--workers",
                "1",
                "--results-dir",
                str(root / "results"),
                "--",
                "_data_procs:registry",
                env=env,
                log=root / "server.log",
            ) as server,
            Client(api_url=server.url) as client,
        ):
            print(f"writing a {args.mib} MiB file output and a {args.mib} MiB Zarr output ...")
            file_job = run_job(client, "big_file", {"mib": args.mib})
            steps = max(4, args.mib // 4)
            zarr_job = run_job(client, "big_zarr", {"steps": steps})
            ours = f"{server.url}/jobs/{file_job}/results/return_value"
            static, static_url = static_server(root / "results" / file_job)
            try:
                ours_mib_s: list[float] = []
                static_mib_s: list[float] = []
                peaks: list[float] = []
                for _ in range(args.rounds):
                    sampler = RssSampler(server.process.pid)
                    before = sampler.rss()
                    sampler.start()
                    seconds, size = download(ours)
                    sampler.done.set()
                    sampler.join()
                    peaks.append(sampler.peak - before)
                    ours_mib_s.append(size / CHUNK / seconds)
                    seconds, size = download(f"{static_url}/big.bin")
                    static_mib_s.append(size / CHUNK / seconds)
            finally:
                static.terminate()
                static.wait(30)
            store = root / "results" / zarr_job / "big_zarr.zarr"
            store_bytes = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
            lazy_bytes, lazy_requests = lazy_read(client, zarr_job)

    ours_median, static_median = statistics.median(ours_mib_s), statistics.median(static_mib_s)
    print(f"\n1. download of a {args.mib} MiB file output ({args.rounds} rounds, alternating):")
    print(f"   through eoproc-server: median {ours_median:6.0f} MiB/s  (all: {_list(ours_mib_s)})")
    print(
        f"   python -m http.server: median {static_median:6.0f} MiB/s  (all: {_list(static_mib_s)})"
    )
    print(
        f"   ratio of the medians: {100 * ours_median / static_median:.0f} %, of the bests: "
        f"{100 * max(ours_mib_s) / max(static_mib_s):.0f} %  (goal >= 80 %)"
    )
    print("2. server RSS during the download, above before:")
    print(f"   max {max(peaks):.1f} MiB, median {statistics.median(peaks):.1f} MiB (goal < 100)")
    print(f"3. lazy read of one chunk of a {store_bytes / CHUNK:.0f} MiB Zarr output:")
    print(
        f"   {lazy_bytes / 1024:.0f} KiB in {lazy_requests} requests = "
        f"{100 * lazy_bytes / store_bytes:.2f} % of the store (goal < 1 %)"
    )


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    main()
