"""A live server over loopback (uvicorn in a thread, SQLite file, real worker processes)
publishing :mod:`.procs`, with API keys for two users, and a record of every exchange.

The recorder is a plain ASGI wrapper around the real application: it only looks
at what goes over the wire (paths, request headers, status, body bytes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from eoproc.client import AuthConfig, Client, ClientConfig
from eoproc.jobs import LocalJobService
from eoproc.server.app import create_app
from eoproc.server.auth import hash_key, parse_api_keys
from eoproc.server.security import SecurityConfig

from ..live_server import free_port
from .procs import registry

KEYS = {"alice": "alice-key-0123456789abcdef", "bob": "bob-key-0123456789abcdef0"}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    body: bytearray = field(default_factory=bytearray)


class Recorder:
    """Records each request (method, path, headers) and its answer (status, body)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self.lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        exchange = Exchange(scope["method"], scope["path"], headers)
        with self.lock:
            self.exchanges.append(exchange)

        async def recording_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")
            await send(message)

        await self.app(scope, receive, recording_send)

    def since(self, mark: int) -> list[Exchange]:
        with self.lock:
            return list(self.exchanges[mark:])

    def mark(self) -> int:
        with self.lock:
            return len(self.exchanges)


@contextmanager
def serve(app: Any) -> Iterator[str]:
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
class DataServer:
    url: str
    results_root: Path
    recorder: Recorder

    def client(self, user: str = "alice", **options: Any) -> Client:
        auth = AuthConfig(type="api-key", api_key=KEYS[user])
        return Client(ClientConfig(api_url=self.url, auth=auth, retries=0, **options))


@pytest.fixture(scope="package")
def data_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataServer]:
    home = tmp_path_factory.mktemp("data-server")
    results = home / "results-dir"
    service = LocalJobService(
        registry, store_url=f"sqlite:///{home / 'jobs.db'}", workers=2, results_dir=str(results)
    )
    keys = parse_api_keys([f"{hash_key(key)}:{user}" for user, key in KEYS.items()])
    app = create_app(service, security=SecurityConfig(api_keys=keys, public_network=False))
    recorder = Recorder(app)
    with serve(recorder) as url:
        yield DataServer(url, results, recorder)


@pytest.fixture
def client(data_server: DataServer) -> Iterator[Client]:
    with data_server.client() as alice:
        yield alice
