"""Fixtures of the security tests: an OIDC provider, a file server, a live secured server.

The secured server is the real application (``create_app`` over a
``LocalJobService`` on a SQLite file, real worker processes) served by uvicorn
on a loopback port in a thread, configured as if it were public (input
references to private and loopback addresses refused, ``localhost`` allowed
explicitly).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn

from eoproc.jobs import LocalJobService
from eoproc.server.app import create_app
from eoproc.server.auth import OidcSettings, hash_key, parse_api_keys
from eoproc.server.security import Access, Limits, SecurityConfig

from ..live_server import free_port
from .oidc_provider import AUDIENCE, Provider, run_provider
from .procs import registry

KEYS = {
    "alice": "alice-key-0123456789abcdef",
    "bob": "bob-key-0123456789abcdef0",
    "root": "root-key-0123456789abcdef",
    "ops": "ops-key-0123456789abcdef00",
}
ROLES = {"alice": "", "bob": "", "root": "admin", "ops": "launcher"}
MAX_ACTIVE = 2
JOB_TIMEOUT = 5.0  # long enough that the cap test finishes before its naps time out
FETCH_MAX_BYTES = 2000


def api_key_specs() -> list[str]:
    """``HASH:USER[:ROLES]`` of every test key."""
    return [
        f"{hash_key(key)}:{user}" + (f":{ROLES[user]}" if ROLES[user] else "")
        for user, key in KEYS.items()
    ]


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port (in a thread); its URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


@dataclass
class Secured:
    """The secured live server: its URL, the OIDC provider, the file server."""

    url: str
    provider: Provider
    files: str

    def client(self, user: str | None = None, **kwargs: Any) -> httpx.Client:
        """A client authenticated with ``user``'s API key (``None``: none)."""
        headers = {"X-API-Key": KEYS[user]} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)


class _Files(BaseHTTPRequestHandler):
    """Serves test content: ``/text``, ``/json``, ``/big``, ``/slow``, ``/redirect?to=URL``."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query.removeprefix("to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/slow":
            time.sleep(5)
        body, media = {
            "/text": (b"hello from a reference", "text/plain; charset=utf-8"),
            "/json": (b'{"answer": 42}', "application/json"),
            "/big": (b"x" * (FETCH_MAX_BYTES * 3), "text/plain"),
            "/slow": (b"late", "text/plain"),
        }.get(path, (b"", ""))
        if not media:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that stop reading (size and time limits) are expected here."""


@contextmanager
def file_server() -> Iterator[str]:
    """A loopback HTTP server of test content; its URL (``http://127.0.0.1:PORT``)."""
    server = _QuietServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def provider() -> Iterator[Provider]:
    """The OIDC provider (one per test session)."""
    with run_provider() as running:
        yield running


@pytest.fixture(scope="session")
def files() -> Iterator[str]:
    """The URL of the test file server."""
    with file_server() as url:
        yield url


def secured_config(provider: Provider, **changes: Any) -> SecurityConfig:
    """The security configuration of the secured server."""
    options: dict[str, Any] = {
        "api_keys": parse_api_keys(api_key_specs()),
        "oidc": OidcSettings(
            issuer=provider.issuer, audience=AUDIENCE, roles_claim="realm_access.roles"
        ),
        "access": Access(process_roles={"launch": ["launcher"]}),
        "limits": Limits(max_active_jobs=MAX_ACTIVE, max_input_depth=8, retry_after=7),
        "public_network": True,
        "allow_input_hosts": ["localhost"],
        "fetch_max_bytes": FETCH_MAX_BYTES,
        "fetch_timeout": 2.0,
    }
    options.update(changes)
    return SecurityConfig(**options)


@pytest.fixture(scope="session")
def secured(
    tmp_path_factory: pytest.TempPathFactory, provider: Provider, files: str
) -> Iterator[Secured]:
    """The secured server (one per session: worker processes are slow to start)."""
    store = tmp_path_factory.mktemp("secured") / "jobs.db"
    service = LocalJobService(
        registry, store_url=f"sqlite:///{store}", workers=2, job_timeout=JOB_TIMEOUT
    )
    app = create_app(service, security=secured_config(provider), max_body_size=64 * 1024)
    with serve_app(app) as url:
        yield Secured(url, provider, files)


def wait_done(client: httpx.Client, job_id: str, timeout: float = 60) -> dict[str, Any]:
    """The status of a job once it ended (polling; ``timeout`` is a safety net)."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        if body["status"] in ("successful", "failed", "dismissed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} did not end: {body}")
        time.sleep(0.1)


def submit(client: httpx.Client, process: str, inputs: dict[str, Any]) -> httpx.Response:
    """POST an asynchronous execution."""
    return client.post(
        f"/processes/{process}/execution",
        json={"inputs": inputs},
        headers={"Prefer": "respond-async"},
    )
