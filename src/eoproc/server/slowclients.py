"""Slow clients: a connection that sends its request headers or body too slowly is closed.

Without this, a client that opens connections and trickles bytes (slowloris)
holds them for ever. The guard is a subclass of uvicorn's httptools protocol
(handed to ``uvicorn.Config(http=...)``) driven by the parser's callbacks:

- a new connection, or a new request on a kept-alive one, must deliver its
  complete headers within :data:`HEADER_TIMEOUT` seconds of its first byte;
- a request body must arrive within :data:`BODY_TIMEOUT` seconds of its headers.

Otherwise the connection is closed (logged). Other connections are not affected:
each has its own timers on the event loop. Idle kept-alive connections are
closed by uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from typing import Any

logger = logging.getLogger("eoproc.server")

HEADER_TIMEOUT = 10.0
"""Seconds a client has to send a request's headers (from connecting, or from its first byte)."""
BODY_TIMEOUT = 60.0
"""Seconds a client has to send a request's body once its headers arrived."""


def guarded_http_protocol(
    header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT
) -> type[Any] | str:
    """The ``http`` protocol class for uvicorn with the slow-client guard (httptools),
    or ``"auto"`` when httptools is not installed (uvicorn's h11 then has no guard)."""
    if importlib.util.find_spec("httptools") is None:
        logger.warning("httptools is not installed: slow clients are not timed out")
        return "auto"
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, closing connections whose client is too slow."""

        eoproc_timer: asyncio.TimerHandle | None = None

        def eoproc_arm(self, seconds: float, what: str) -> None:
            self.eoproc_disarm()
            loop = asyncio.get_running_loop()
            self.eoproc_timer = loop.call_later(seconds, self.eoproc_expire, what, seconds)

        def eoproc_disarm(self) -> None:
            if self.eoproc_timer is not None:
                self.eoproc_timer.cancel()
                self.eoproc_timer = None

        def eoproc_expire(self, what: str, seconds: float) -> None:
            self.eoproc_timer = None
            if not self.transport.is_closing():
                peer = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
                logger.warning(
                    "closing the connection of %s: its request %s took over %g s",
                    peer,
                    what,
                    seconds,
                )
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.eoproc_arm(header_timeout, "headers")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self.eoproc_timer is None:  # kept alive: a new request starts now
                self.eoproc_arm(header_timeout, "headers")

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self.eoproc_arm(body_timeout, "body")

        def on_message_complete(self) -> None:
            self.eoproc_disarm()
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self.eoproc_disarm()
            super().connection_lost(exc)

    return GuardedHttpToolsProtocol
