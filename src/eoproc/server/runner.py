"""Run an application with uvicorn (uvloop, httptools), with a graceful SIGTERM."""

from __future__ import annotations

import importlib.util
import logging
import socket
import traceback
from collections.abc import Callable
from types import FrameType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from .app import app_from_settings
from .service import Service
from .settings import ServerSettings
from .slowclients import guarded_http_protocol

#: Seconds open connections get to finish after SIGTERM before they are closed.
GRACEFUL_TIMEOUT = 30

logger = logging.getLogger("eoproc.server")


def _prefer(module: str) -> str:
    """``module`` if it is installed (uvicorn[standard]), else uvicorn's own choice."""
    return module if importlib.util.find_spec(module) is not None else "auto"


def serve(service: Service, settings: ServerSettings) -> int:
    """Serve ``service`` as ``settings`` say until SIGTERM or SIGINT; the exit code (0, or 1
    if it could not start).

    The port is bound first; then uvicorn starts the application (lifespan:
    ``service.start()``) and serves.

    uvicorn handles SIGTERM/SIGINT: it stops accepting connections, lets the
    open ones finish, then runs the lifespan shutdown, which calls
    ``service.stop()`` (the service lets running jobs finish for its grace period).
    A client slower than ``header_timeout`` / ``body_timeout`` seconds to send a
    request's headers / body is disconnected (:mod:`.slowclients`).
    """
    app = app_from_settings(service, settings)
    host, port, debug = settings.host, settings.port, settings.debug
    config = uvicorn.Config(
        ServiceLifespan(app, service, debug=debug, url=served_url(host, port)),
        host=host,
        port=port,
        loop=_prefer("uvloop"),
        http=guarded_http_protocol(settings.header_timeout, settings.body_timeout),
        lifespan="on",
        access_log=settings.access_log,
        log_level="debug" if debug else "info",
        timeout_graceful_shutdown=GRACEFUL_TIMEOUT,
        server_header=False,
        proxy_headers=True,
    )
    try:
        sock = bind(host, port)
    except OSError as exc:
        logger.error("cannot listen on %s:%d: %s", host, port, exc.strerror or exc)
        return 1
    server = _Server(config, app.state.stop_streams)
    try:
        server.run(sockets=[sock])
    except SystemExit as exc:
        if exc.code not in (0, None):
            return 1
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        pass
    finally:
        sock.close()
    if not server.started:
        logger.error("the server could not start (see above)")
        return 1
    return 0


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the open event streams when asked to exit."""

    def __init__(self, config: uvicorn.Config, stop_streams: Callable[[], None]) -> None:
        super().__init__(config)
        self.stop_streams = stop_streams

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stop_streams()
        super().handle_exit(sig, frame)


class ServiceLifespan:
    """ASGI wrapper running the service's start/stop as the lifespan, quietly.

    It replaces the application's own lifespan (which does the same) so that a
    service that cannot start (a bad store URL, say) is reported in one line,
    not as a traceback (shown only with ``debug``).
    """

    def __init__(
        self, app: ASGIApp, service: Service, *, debug: bool = False, url: str | None = None
    ) -> None:
        self.app = app
        self.service = service
        self.debug = debug
        self.url = url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.service.start()
                except Exception as exc:
                    text = f"cannot start the service: {type(exc).__name__}: {exc}"
                    if self.debug:
                        text += "\n" + "".join(traceback.format_exception(exc))
                    await send({"type": "lifespan.startup.failed", "message": text})
                    return
                await send({"type": "lifespan.startup.complete"})
                if self.url:
                    # uvicorn's own logger, which its log configuration shows
                    logging.getLogger("uvicorn.error").info(
                        "Serving %s on %s (API documentation: %sdocs; press CTRL+C to quit)",
                        getattr(self.service, "title", None) or "the service",
                        self.url,
                        self.url,
                    )
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.service.stop()
                except Exception as exc:
                    logger.exception("the service did not stop cleanly")
                    await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def served_url(host: str, port: int) -> str:
    """The base URL a server listening on ``host``:``port`` serves (IPv6 in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the service starts.

    A port already in use thus fails before any job is touched. The socket is
    not inheritable, and job workers are spawned (fork + exec), so they never
    hold it: after a ``kill -9`` of the server the port is free at once.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=2048)
    sock.set_inheritable(False)
    return sock
