"""An OGC API - Processes 2.0 server made of the standard's published examples, for tests.

No 2.0 server can run here (none is pip-installable yet), so this small
Starlette app answers as Part 1: Core 2.0 says, with the documents vendored in
``ogc2/`` (see its README): conformance classes ``…/2.0/conf/…``, the example
process ``EchoProcess``, status info with ``id`` and ``processingEntityType``
and ``processID`` as a URI, ``/jobs`` at core, results as the ``ogc-results``
profile only when asked for it (else one output's raw content), ``Prefer``
(``respond-async``, ``wait``) with ``Preference-Applied``, and dismiss.
Every status document it sends is checked against the vendored ``statusInfo.yaml``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.live_server import free_port

HERE = Path(__file__).parent / "ogc2"
PROFILE = "https://www.opengis.net/def/profile/OGC/0/ogc-results"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/ogc-process-description",
    "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/job-list",
    "http://www.opengis.net/spec/ogcapi-processes-1/2.0/conf/dismiss",
]


def example(name: str) -> Any:
    """A vendored example document."""
    return json.loads((HERE / "examples" / f"{name}.json").read_text(encoding="utf-8"))


def schema_validator(name: str) -> Draft202012Validator:
    """A validator of a vendored 2.0 schema, its relative ``$ref`` resolved."""
    resources = []
    for path in (HERE / "schemas").rglob("*.yaml"):
        uri = path.relative_to(HERE / "schemas").as_posix()
        contents = yaml.safe_load(path.read_text(encoding="utf-8"))
        resources.append(
            (
                f"https://ogc2.invalid/{uri}",
                Resource.from_contents(contents, default_specification=DRAFT202012),
            )
        )
    registry = Registry().with_resources(resources)
    root = registry.contents(f"https://ogc2.invalid/processes-core/{name}.yaml")
    return Draft202012Validator(
        {"$id": f"https://ogc2.invalid/processes-core/{name}.yaml", **root}, registry=registry
    )


STATUS_SCHEMA = schema_validator("statusInfo")


@dataclass
class Job:
    id: str
    inputs: dict[str, Any]
    outputs: list[str]
    status: str = "accepted"
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished: str | None = None


@dataclass
class State:
    """What the server saw and keeps."""

    jobs: dict[str, Job] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    delay: float = 0.3
    """Seconds an asynchronous job runs."""


def create_app(state: State) -> Starlette:
    description = example("ProcessDescription")
    process_id = description["id"]
    outputs = sorted(description["outputs"])

    def status(job: Job) -> dict[str, Any]:
        if job.status in ("accepted", "running") and time.time() - _ts(job.created) > state.delay:
            job.status, job.finished = "successful", datetime.now(UTC).isoformat()
        document: dict[str, Any] = {
            "id": job.id,
            "processID": f"{state.url}/processes/{process_id}",
            "processingEntityType": "ogc-api-processes",
            "status": job.status,
            "created": job.created,
            "links": [{"href": f"{state.url}/jobs/{job.id}", "rel": "self"}],
        }
        if job.finished:
            document["finished"] = job.finished
        if job.status == "successful":
            document["links"].append(
                {
                    "href": f"{state.url}/jobs/{job.id}/results",
                    "rel": "http://www.opengis.net/def/rel/ogc/1.0/results",
                }
            )
        errors = list(STATUS_SCHEMA.iter_errors(document))
        assert not errors, errors  # the test server itself speaks 2.0
        return document

    def results(job: Job, request: Request) -> Response:
        names = job.outputs or outputs
        values = {name: job.inputs.get(name.replace("Output", "Input"), name) for name in names}
        if PROFILE in request.headers.get("accept-profile", "") or "profile=ogc-results" in str(
            request.url.query
        ):
            return JSONResponse(values, headers={"Link": f'<{PROFILE}>; rel="profile"'})
        first = values[names[0]]  # no profile asked: one output's raw content
        return Response(json.dumps(first), media_type="application/json")

    async def landing(request: Request) -> Response:
        return JSONResponse({"title": "OGC API - Processes 2.0 examples", "links": []})

    async def conformance(request: Request) -> Response:
        return JSONResponse({"conformsTo": CONFORMANCE})

    async def processes(request: Request) -> Response:
        return JSONResponse(example("ProcessList"))

    async def process(request: Request) -> Response:
        if request.path_params["pid"] != process_id:
            return _problem(404, "no-such-process")
        return JSONResponse(description)

    async def execute(request: Request) -> Response:
        if request.path_params["pid"] != process_id:
            return _problem(404, "no-such-process")
        body = await request.json()
        state.requests.append({"body": body, "headers": dict(request.headers)})
        if "response" in body:  # not a member of execute.yaml in 2.0
            return _problem(400, "invalid-parameter-value", "unknown member 'response'")
        job = Job(uuid.uuid4().hex, dict(body.get("inputs") or {}), list(body.get("outputs") or []))
        state.jobs[job.id] = job
        prefer = request.headers.get("prefer", "")
        if "respond-async" in prefer:
            headers = {"Location": f"{state.url}/jobs/{job.id}", "Preference-Applied": prefer}
            return JSONResponse(status(job), status_code=201, headers=headers)
        job.status, job.finished = "successful", datetime.now(UTC).isoformat()
        answer = results(job, request)
        answer.headers["Link"] = f'<{state.url}/jobs/{job.id}>; rel="monitor"'
        return answer

    async def jobs(request: Request) -> Response:
        listed = [status(job) for job in state.jobs.values()]
        return JSONResponse({"jobs": listed, "links": []})

    async def job(request: Request) -> Response:
        found = state.jobs.get(request.path_params["jid"])
        if found is None:
            return _problem(404, "no-such-job")
        if request.method == "DELETE":
            found.status = "dismissed"
            document = status(found)
            del state.jobs[found.id]
            return JSONResponse(document)
        return JSONResponse(status(found))

    async def job_results(request: Request) -> Response:
        found = state.jobs.get(request.path_params["jid"])
        if found is None:
            return _problem(404, "no-such-job")
        if status(found)["status"] != "successful":
            return _problem(404, "result-not-ready")
        state.requests.append({"results": True, "headers": dict(request.headers)})
        return results(found, request)

    return Starlette(
        routes=[
            Route("/", landing),
            Route("/conformance", conformance),
            Route("/processes", processes),
            Route("/processes/{pid}", process),
            Route("/processes/{pid}/execution", execute, methods=["POST"]),
            Route("/jobs", jobs),
            Route("/jobs/{jid}", job, methods=["GET", "DELETE"]),
            Route("/jobs/{jid}/results", job_results),
        ]
    )


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def _problem(status: int, kind: str, detail: str = "") -> Response:
    body = {
        "type": f"http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/{kind}",
        "title": kind,
        "status": status,
        "detail": detail or kind,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


@contextmanager
def serve() -> Iterator[tuple[str, State]]:
    """The 2.0 example server on a free loopback port: (base URL with ``/``, state)."""
    state = State()
    port = free_port()
    state.url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        create_app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="ogc2-example-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the 2.0 example server did not start")
        time.sleep(0.01)
    try:
        yield f"{state.url}/", state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
