"""Start a real eoproc server as a subprocess on a free loopback port, for tests.

    with run_server(tmp_path / "jobs.db") as server:
        httpx.get(f"{server.url}/processes")

``run_server(store_path, *args, service=None, env=None, port=None)`` runs
``python -m eoproc.server.cli run --port P --store sqlite:///STORE *args [-- SERVICE]``,
waits until ``GET /`` answers, and on exit stops it (SIGTERM, then SIGKILL) and
kills whatever is left in its process group. The server's output goes to
``server.log_path``, shown in the error when it does not start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """Whether a server could bind ``port`` on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class LiveServer:
    """A running server: its base URL (no trailing slash), process, port and store file."""

    url: str
    process: subprocess.Popen[bytes]
    port: int
    store_path: Path
    log_path: Path

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client on this server."""
        return httpx.Client(base_url=self.url, **kwargs)  # type: ignore[arg-type]

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """``kill -9`` the server process (only it, not its job workers)."""
        with suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return int(self.process.returncode)


def server_command(
    store_path: Path,
    port: int,
    args: tuple[str, ...],
    service: str | None,
    cli_module: str = "eoproc.server.cli",
    service_args: Sequence[str] = (),
    store_url: str | None = None,
    script: str | None = None,
) -> list[str]:
    """The command line that starts the server (on ``store_url`` if given, else the file);
    ``script`` runs an installed console script instead of ``python -m cli_module``."""
    head = [script] if script else [sys.executable, "-m", cli_module]
    command = [*head, "run", "--port", str(port)]
    command += ["--store", store_url or f"sqlite:///{store_path}", *args]
    if service:
        command += ["--", service, *service_args]
    return command


def wait_ready(server: LiveServer, timeout: float = READY_TIMEOUT) -> None:
    """Poll ``GET /`` until it answers 200; raise with the server's log if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"the server exited with code {server.process.returncode}:\n{server.log()}"
            )
        with suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/", timeout=2.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout} s:\n{server.log()}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def run_server(
    store_path: Path,
    *args: str,
    service: str | None = None,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    ready_timeout: float = READY_TIMEOUT,
    cli_module: str = "eoproc.server.cli",
    service_args: Sequence[str] = (),
    store_url: str | None = None,
    script: str | None = None,
    cwd: Path | None = None,
) -> Iterator[LiveServer]:
    """Run a server on ``store_path`` (a SQLite file) for the ``with`` block.

    ``service`` is a SERVICE spec (``module:attr``; modules of ``tests`` work, the
    repository root is on the server's ``PYTHONPATH``); ``port`` reuses a port
    (e.g. to restart on it); ``cli_module`` runs another branded CLI
    (``s2gos_server.cli``); ``service_args`` follow SERVICE (for a factory);
    ``store_url`` (e.g. ``postgresql://...``) replaces the SQLite file as the store
    (``store_path`` then only says where the server's log goes); ``script`` is the path
    of a console script to run (``eoproc-server``) and ``cwd`` its working directory.
    """
    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = store_path.with_name(f"{store_path.stem}-server-{port}-{time.time_ns()}.log")
    python_path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": python_path, **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(
                store_path, port, args, service, cli_module, service_args, store_url, script
            ),
            stdout=log,
            cwd=cwd,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=True,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, port, store_path, log_path)
    try:
        wait_ready(server, ready_timeout)
        yield server
    finally:
        server.stop()
        _kill_group(process)
