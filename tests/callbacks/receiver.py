"""A real callback receiver: an HTTP server on a loopback port that records every POST.

It can be started late and stopped and started again on the same port (a receiver
that is down for a while), and can answer with an error status for a while.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.live_server import free_port


@dataclass(frozen=True)
class Received:
    """One callback as it arrived."""

    path: str
    body: Any
    headers: dict[str, str]

    @property
    def kind(self) -> str:
        """The last path segment: ``success``, ``progress`` or ``failed``."""
        return self.path.rsplit("/", 1)[-1]


class CallbackReceiver:
    """Records the callbacks POSTed to ``url(name)``; ``start()``/``stop()`` at will."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.answer = 204
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, name: str) -> str:
        """A callback URI on this receiver."""
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    def subscriber(self, job_tag: str = "job") -> dict[str, str]:
        """A ``subscriber`` naming all three URIs (paths ``/hooks/TAG/KIND``)."""
        return {
            "successUri": self.url(f"{job_tag}/success"),
            "inProgressUri": self.url(f"{job_tag}/progress"),
            "failedUri": self.url(f"{job_tag}/failed"),
        }

    def start(self) -> CallbackReceiver:
        """Listen (again) on the port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                status = receiver.answer
                if status < 300:
                    with receiver._lock:
                        receiver.received.append(
                            Received(self.path, json.loads(raw), dict(self.headers.items()))
                        )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (connections are then refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def of(self, tag: str, kind: str | None = None) -> list[Received]:
        """The callbacks of job ``tag`` (of one kind), in arrival order."""
        with self._lock:
            items = list(self.received)
        prefix = f"/hooks/{tag}/"
        return [r for r in items if r.path.startswith(prefix) and kind in (None, r.kind)]

    def wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll until ``ready()`` (a safety-net timeout, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {timeout} s; got {self.received}")
            time.sleep(0.05)
