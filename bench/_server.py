"""Shared by the server benchmarks: start a real server, run wrk, read figures."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WRK_MISSING = (
    "wrk is not installed: the load generator must not be the bottleneck, and a Python "
    "client saturates near 200 requests/s here. Install it with\n"
    "    apt-get update && apt-get install -y wrk\n"
    "and run this script again."
)


def require_wrk() -> str:
    """The path of wrk, or exit with a clear message."""
    path = shutil.which("wrk")
    if path is None:
        print(WRK_MISSING, file=sys.stderr)
        raise SystemExit(2)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def rss_mib(self) -> float:
        """Resident memory of the server process (not its job workers), MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def running_server(
    store: Path,
    *args: str,
    log: Path | None = None,
    store_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """``eoproc-server run`` on ``store`` (SQLite) or ``store_url``, on a free port
    (``env``: variables added to the server's environment)."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "eoproc.server.cli",
        "run",
        "--port",
        str(port),
        "--store",
        store_url or f"sqlite:///{store}",
        *args,
    ]
    out = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, **env} if env else None,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with code {process.returncode}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{server.url}/", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if log:
            out.close()  # type: ignore[union-attr]


@dataclass
class WrkResult:
    requests_per_s: float
    requests: int
    errors: int
    median_ms: float | None
    text: str


def _ms(value: str) -> float | None:
    """Milliseconds of a wrk duration (``812.00us``, ``1.20ms``, ``2.00s``, ``1.5m``, ``1h``)."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if match is None:
        return None
    number, unit = match.groups()
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3_600_000.0}
    return float(number) * scale[unit]


def run_wrk(
    url: str,
    *,
    seconds: float,
    connections: int = 32,
    threads: int = 2,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> WrkResult:
    """Run wrk against ``url`` and parse its figures."""
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    text = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    median = re.search(r"50%\s+(\S+)", text)
    return WrkResult(rate, total, errors, _ms(median.group(1)) if median else None, text)
