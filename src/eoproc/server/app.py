"""``create_app(service)``: the FastAPI application of an OGC API - Processes service."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from eoproc import __version__
from eoproc.ui import HtmlPages, add_html

from .auth.middleware import DOCS_ASSETS, REDOC_ASSETS
from .callbacks import DeliversCallbacks
from .events import DEFAULT_HEARTBEAT, build_events_router
from .fastpath import FastPath
from .links import OPENAPI_JSON
from .openapi_doc import build_openapi
from .problems import BodySizeLimit, install_problem_handlers
from .process_cache import ProcessCache
from .process_openapi import add_process_operations, processes_revision
from .routes import build_router
from .security.config import Authentication, SecurityConfig
from .security.openapi import add_security
from .security.requestid import RequestId
from .service import AddsRoutes, Service
from .settings import DEFAULT_MAX_BODY_SIZE, ServerSettings

EXPOSED_HEADERS = (
    "Location",
    "Preference-Applied",
    "Link",
    "Retry-After",
    "WWW-Authenticate",
    "X-Request-ID",
)


def create_app(
    service: Service,
    *,
    debug: bool = False,
    cors_origins: Sequence[str] = (),
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    security: SecurityConfig | None = None,
    events_heartbeat: float = DEFAULT_HEARTBEAT,
) -> FastAPI:
    """The OGC API - Processes application over ``service``.

    The lifespan starts and stops the service. Every error is answered as
    ``application/problem+json``; tracebacks appear in bodies only with
    ``debug``. ``cors_origins`` (e.g. ``["*"]``) enables CORS; request bodies
    over ``max_body_size`` bytes are refused with 413. ``security`` configures
    authentication, per-user jobs, limits and input references (default:
    :class:`SecurityConfig`, no authentication); every response carries an
    ``X-Request-ID``, which problem details repeat as ``instance``. An idle event
    stream sends a comment every ``events_heartbeat`` seconds.
    """
    security = security or SecurityConfig()
    guard = security.guard(service)
    if isinstance(service, DeliversCallbacks) and service.callback_policy is None:
        service.callback_policy = security.policy()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title=service.title or "OGC API - Processes",
        description=service.description or "",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    processes = ProcessCache()
    app.state.service = service  # the dependencies of .deps read these three
    app.state.guard = guard
    app.state.processes = processes
    install_problem_handlers(app, debug=debug)
    app.include_router(build_router())
    closing = threading.Event()
    app.state.stop_streams = closing.set  # the runner calls it on SIGTERM/SIGINT
    app.include_router(build_events_router(closing, events_heartbeat))
    if isinstance(service, AddsRoutes):  # e.g. Part 2 (deploy, replace, undeploy)
        for router in service.routers(security):
            app.include_router(router)
    _add_api_documents(app, security, service)
    # innermost first: the fast path sits inside the body limit, authentication,
    # request ids and CORS
    app.add_middleware(FastPath, guard=guard, processes=processes, debug=debug)
    app.add_middleware(BodySizeLimit, max_body_size=max_body_size)
    app.add_middleware(Authentication, config=security)
    _add_html_pages(app, service, security)
    app.add_middleware(RequestId, debug=debug)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["*"],
            expose_headers=list(EXPOSED_HEADERS),
        )
    return app


def app_from_settings(service: Service, settings: ServerSettings) -> FastAPI:
    """The application over ``service`` as ``settings`` configure it (``ValueError`` if
    its security settings are wrong)."""
    return create_app(
        service,
        debug=settings.debug,
        cors_origins=settings.cors_origins,
        max_body_size=settings.max_body_size,
        security=settings.security(),
        events_heartbeat=settings.events_heartbeat,
    )


_REDOC_FILES = Path(__file__).parent / "redoc"
"""ReDoc's standalone bundle (MIT, see its ``LICENSE``), served at ``REDOC_ASSETS``."""
_REDOC_POLICY = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:"
"""What the ReDoc page may load: this server's files only (ReDoc's inline styles,
compiled schemas and worker included)."""


def _swagger_ui_assets() -> str | None:
    """The folder of the Swagger UI files of the ``swagger-ui-bundle`` package, if installed
    (without it, ``/docs`` loads them from a CDN, as FastAPI does)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    return str(swagger_ui_path)


def _add_html_pages(app: FastAPI, service: Service, security: SecurityConfig) -> None:
    """The HTML pages (outside authentication: a page without credentials asks for them)."""
    schemes: tuple[str, ...] = ("apikey",) if security.api_keys else ()
    schemes += ("bearer",) if security.oidc is not None else ()
    app.add_middleware(
        HtmlPages,
        title=service.title or "OGC API - Processes",
        auth_schemes=schemes,
        api_key_header=security.api_key_header,
    )


def _add_api_documents(app: FastAPI, security: SecurityConfig, service: Service) -> None:
    """``/openapi.json`` (OpenAPI 3.0), ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc, from
    the bundle in ``redoc/``, refreshed by ``scripts/update-redoc.sh``).

    The document has one execute operation per process; it is rebuilt when the
    service's processes change (see :mod:`.process_openapi`).
    """
    cache: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        revision = processes_revision(service)
        if "document" not in cache or cache.get("revision") != revision:
            processes = [service.get_process(p.id) for p in service.list_processes()]
            document = add_process_operations(build_openapi(app), processes)
            cache["document"] = add_html(add_security(document, security))
            cache["revision"] = revision
        return dict(cache["document"])

    app.openapi = openapi  # type: ignore[method-assign]

    async def openapi_json(request: Request) -> Response:
        import json

        return Response(json.dumps(openapi()).encode(), media_type=OPENAPI_JSON)

    assets = _swagger_ui_assets()
    if assets is not None:
        app.mount(DOCS_ASSETS.rstrip("/"), StaticFiles(directory=assets), name="swagger-ui")

    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        files: dict[str, Any] = {}
        if assets is not None:  # served here, so that the page works offline
            files = {
                "swagger_js_url": f"{root}{DOCS_ASSETS}swagger-ui-bundle.js",
                "swagger_css_url": f"{root}{DOCS_ASSETS}swagger-ui.css",
                "swagger_favicon_url": f"{root}{DOCS_ASSETS}favicon-32x32.png",
            }
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json", title=f"{app.title} - API documentation", **files
        )

    app.mount(REDOC_ASSETS.rstrip("/"), StaticFiles(directory=_REDOC_FILES), name="redoc")

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(  # served here, without web fonts, so that it works offline
            openapi_url=f"{root}/openapi.json",
            title=f"{app.title} - API reference",
            redoc_js_url=f"{root}{REDOC_ASSETS}redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS}favicon-32x32.png" if assets else "data:,",
            with_google_fonts=False,
        )
        # ReDoc shows Redocly's logo from its CDN; the page may load nothing from elsewhere
        page.headers["Content-Security-Policy"] = _REDOC_POLICY
        return page

    app.add_api_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs", swagger, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
