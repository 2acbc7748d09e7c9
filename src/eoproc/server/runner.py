"""Run an application with uvicorn (uvloop, httptools), with a graceful SIGTERM."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence

import uvicorn

from .app import DEFAULT_MAX_BODY_SIZE, create_app
from .service import Service

#: Seconds open connections get to finish after SIGTERM before they are closed.
GRACEFUL_TIMEOUT = 30


def _prefer(module: str) -> str:
    """``module`` if it is installed (uvicorn[standard]), else uvicorn's own choice."""
    return module if importlib.util.find_spec(module) is not None else "auto"


def serve(
    service: Service,
    *,
    host: str = "127.0.0.1",
    port: int = 8008,
    debug: bool = False,
    cors_origins: Sequence[str] = (),
    access_log: bool = False,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> int:
    """Serve ``service`` until SIGTERM or SIGINT; the exit code (0, or 1 if it could not start).

    uvicorn handles SIGTERM/SIGINT: it stops accepting connections, lets the
    open ones finish, then runs the lifespan shutdown, which calls
    ``service.stop()`` (the service lets running jobs finish for its grace period).
    """
    app = create_app(service, debug=debug, cors_origins=cors_origins, max_body_size=max_body_size)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop=_prefer("uvloop"),
        http=_prefer("httptools"),
        lifespan="on",
        access_log=access_log,
        log_level="debug" if debug else "info",
        timeout_graceful_shutdown=GRACEFUL_TIMEOUT,
        server_header=False,
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        logging.getLogger("eoproc.server").error("the server could not start (see above)")
        return 1
    return 0
