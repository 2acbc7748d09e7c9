"""A small real HTTP server for what the eoproc server does not do (yet).

Auth schemes that a server may require, flaky and throttling endpoints, and a
"peer" server that behaves like other real OGC API - Processes servers (ids
``job_0``, no ``type`` in status info, 403 for cancelled jobs, paging links in
``Link`` headers). Served by uvicorn on a free loopback port in a thread.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.live_server import free_port

USER, PASSWORD = "ana", "s3cret-ñ"
CLIENT_ID, CLIENT_SECRET = "eoproc-cli", "client-secret"
API_KEY = "key-123"
STATIC_TOKEN = "static-bearer-token"
CONFORMANCE = {"conformsTo": ["http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core"]}


def problem(status: int, title: str, detail: str, **headers: str) -> JSONResponse:
    """A problem+json answer."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


@dataclass
class State:
    """What the test server saw and what it is told to do."""

    hits: Counter[str] = field(default_factory=Counter)
    tokens: dict[str, float] = field(default_factory=dict)
    token_lifetime: int = 3600
    fail_first: int = 2
    keys: list[str | None] = field(default_factory=list)
    """The ``Idempotency-Key`` of every request to the flaky endpoints."""
    retry_after: str = "0"
    dismissed: set[str] = field(default_factory=set)
    polls: Counter[str] = field(default_factory=Counter)
    headers: dict[str, str | None] = field(default_factory=dict)

    def issue(self) -> str:
        token = secrets.token_urlsafe(16)
        self.tokens[token] = time.time() + self.token_lifetime
        return token

    def valid(self, token: str | None) -> bool:
        return token is not None and self.tokens.get(token, 0) > time.time()


async def _form(request: Request) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body."""
    return {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}


def _basic_ok(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    if not header.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    return (user, password) == (USER, PASSWORD)


def create_app(state: State) -> Starlette:
    """The test application over ``state``."""

    async def protected(request: Request) -> Response:
        scheme = request.path_params["scheme"]
        state.hits[f"{scheme} {request.method}"] += 1
        header = request.headers.get
        ok = {
            "basic": lambda: _basic_ok(request),
            "bearer": lambda: header("authorization") == f"Bearer {STATIC_TOKEN}",
            "apikey": lambda: header("x-api-key") == API_KEY,
            "custom-key": lambda: header("x-my-key") == API_KEY,
            "login": lambda: state.valid(header("x-auth-token")),
            "oauth": lambda: state.valid(header("authorization", "").removeprefix("Bearer ")),
        }.get(scheme)
        if ok is None:
            return problem(404, "Not Found", f"no scheme {scheme}")
        if not ok():
            return problem(
                401,
                "Unauthorized",
                "Credentials are missing or invalid.",
                **{"WWW-Authenticate": "Bearer"},
            )
        return JSONResponse(CONFORMANCE)

    async def login(request: Request) -> Response:
        state.hits["login"] += 1
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = await _form(request)
        if (body.get("username"), body.get("password")) != (USER, PASSWORD):
            return problem(401, "Unauthorized", "Wrong user name or password.")
        token = state.issue()
        if request.query_params.get("nested"):
            return JSONResponse({"status": "SUCCESS", "data": {"authToken": token}})
        return JSONResponse({"token": token})

    async def oauth_token(request: Request) -> Response:
        state.hits["token"] += 1
        form = await _form(request)
        grant = form.get("grant_type")
        if grant == "client_credentials":
            ok = (form.get("client_id"), form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)
        elif grant == "password":
            ok = (form.get("username"), form.get("password")) == (USER, PASSWORD)
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        if not ok:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Bad credentials."}, 401
            )
        return JSONResponse(
            {
                "access_token": state.issue(),
                "token_type": "Bearer",
                "expires_in": state.token_lifetime,
            }
        )

    async def discovery(request: Request) -> Response:
        state.hits["discovery"] += 1
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"issuer": f"{base}/issuer", "token_endpoint": f"{base}/oauth/token"})

    async def revoke(request: Request) -> Response:
        state.tokens.clear()
        return Response(status_code=204)

    async def flaky(request: Request) -> Response:
        kind = request.path_params["kind"]
        key = f"{kind} {request.method} {request.url.path}"
        state.hits[key] += 1
        state.keys.append(request.headers.get("idempotency-key"))
        status = {"flaky": 503, "throttled": 429, "gateway": 502, "down": 503}[kind]
        if kind == "down" or state.hits[key] <= state.fail_first:
            return problem(
                status, "Try later", "The service is busy.", **{"Retry-After": state.retry_after}
            )
        if request.method == "POST":
            return JSONResponse({"jobID": "j1", "status": "accepted"}, 201)
        return JSONResponse(CONFORMANCE)

    return Starlette(
        routes=[
            *peer_routes(state),
            Route("/auth/{scheme}/conformance", protected),
            Route("/login", login, methods=["POST"]),
            Route("/oauth/token", oauth_token, methods=["POST"]),
            Route("/revoke", revoke, methods=["POST"]),
            Route("/issuer/.well-known/openid-configuration", discovery),
            Route("/{kind:str}/conformance", flaky),
            Route("/{kind:str}/processes/p/execution", flaky, methods=["POST"]),
        ]
    )


# -- a peer server with the habits of other real servers ---------------------------------

_PEER_JOBS = {
    "job_0": {
        "jobID": "job_0",
        "processID": "sleep_a_while",
        "status": "dismissed",
        "created": "2025-11-12T10:14:54.537952Z",
        "progress": 1,
    },
    "job_1": {
        "jobID": "job_1",
        "processID": "primes_between",
        "status": "successful",
        "created": "2025-11-12T10:14:55.000000Z",
        "message": "Done",
        "progress": 100,
    },
    "job_2": {
        "jobID": "job_2",
        "processID": "sleep_a_while",
        "status": "running",
        "created": "2025-11-12T10:14:56.000000Z",
        "progress": 10,
    },
}


def peer_routes(state: State) -> list[Route]:
    """Routes of the peer server under ``/peer``."""

    async def jobs(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        ids = sorted(_PEER_JOBS)
        page = int(request.query_params.get("page", "0"))
        chunk = ids[page * 2 : page * 2 + 2]
        headers = {}
        if page * 2 + 2 < len(ids):
            headers["Link"] = f'<{base}/peer/jobs?page={page + 1}>; rel="next"'
        return JSONResponse({"jobs": [_PEER_JOBS[i] for i in chunk]}, headers=headers)

    async def job(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        if job_id in state.dismissed:
            return problem(403, "Forbidden", "The job was cancelled.")
        if job_id not in _PEER_JOBS:
            return problem(404, "Not Found", f"No job {job_id}.")
        if job_id == "job_2":
            state.polls[job_id] += 1
            if state.polls[job_id] >= 3:
                state.dismissed.add(job_id)  # cancelled by someone else meanwhile
        if request.method == "DELETE":
            state.dismissed.add(job_id)
            return JSONResponse({**_PEER_JOBS[job_id], "status": "dismissed"})
        return JSONResponse(_PEER_JOBS[job_id])

    async def results(request: Request) -> Response:
        job_id = request.path_params["job_id"]
        if job_id == "job_links":  # one link on this origin, one on another (localhost)
            port = request.url.port
            return JSONResponse(
                {
                    "here": {"href": f"http://127.0.0.1:{port}/peer/seen/here.txt"},
                    "there": {"href": f"http://localhost:{port}/peer/seen/there.txt"},
                    "moved": {"href": f"http://127.0.0.1:{port}/peer/moved"},
                }
            )
        if job_id != "job_1":
            return problem(403, "Forbidden", "The job was cancelled.")
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "primes": [2, 3, 5],
                "table": {"href": f"{base}/peer/files/table.csv", "type": "text/csv"},
                "report": {"href": f"{base}/peer/download?id=7"},
                "tiles": [{"href": f"{base}/peer/files/table.csv"}],
            }
        )

    async def seen(request: Request) -> Response:
        name = request.path_params["name"]
        state.headers[name] = request.headers.get("x-api-key")
        return Response(name, media_type="text/plain")

    async def moved(request: Request) -> Response:  # a redirect to another origin
        target = f"http://localhost:{request.url.port}/peer/seen/moved.txt"
        return Response(status_code=302, headers={"Location": target})

    async def files(request: Request) -> Response:
        return Response("a,b\n1,2\n", media_type="text/csv")

    async def download(request: Request) -> Response:
        return Response(
            "ünïcode report\n".encode(),
            media_type="text/plain",
            headers={"Content-Disposition": 'attachment; filename="report.txt"'},
        )

    async def execute(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return Response(status_code=201, headers={"Location": f"{base}/peer/jobs/job_1"})

    async def processes(request: Request) -> Response:
        return JSONResponse({"processes": [{"id": "p", "version": "1"}]})

    return [
        Route("/peer/processes", processes),
        Route("/peer/processes/p/execution", execute, methods=["POST"]),
        Route("/peer/jobs", jobs),
        Route("/peer/jobs/{job_id}", job, methods=["GET", "DELETE"]),
        Route("/peer/jobs/{job_id}/results", results),
        Route("/peer/files/table.csv", files),
        Route("/peer/seen/{name}", seen),
        Route("/peer/moved", moved),
        Route("/peer/download", download),
    ]


@contextmanager
def serve(state: State | None = None, **options: str) -> Iterator[tuple[str, State]]:
    """Serve the test app on a free loopback port: (base URL, state).

    ``options`` go to ``uvicorn.Config`` (``ssl_certfile``, ``ssl_keyfile`` for HTTPS).
    """
    state = state or State()
    port = free_port()
    config = uvicorn.Config(
        create_app(state),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        **options,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="client-test-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test app did not start")
        time.sleep(0.01)
    try:
        scheme = "https" if "ssl_certfile" in options else "http"
        yield f"{scheme}://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
