"""The endpoints of OGC API - Processes - Part 1: Core.

Each route declares what it needs as dependencies (:mod:`.deps`): the service as
the request's user sees it, the process cache; list queries are parsed by
:mod:`.params` (each parameter declared once, for the parser and the OpenAPI document).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from eoproc.models import (
    ConformanceDeclaration,
    JobList,
    JobResults,
    LandingPage,
    ProcessDescription,
    ProcessList,
    StatusInfo,
)

from . import links as L
from .callbacks import CALLBACK_CONFORMANCE, OPENAPI_CALLBACKS, DeliversCallbacks
from .deps import Backend, Processes, UserService
from .handlers import execute_process, json_response
from .handlers import job_results as job_results_response
from .handlers import job_status as job_status_response
from .openapi_doc import EXECUTE_BODY, errors
from .outputs import build_output_router
from .params import (
    JOB_LIST,
    PROCESS_LIST,
    openapi_parameters,
    parse_job_query,
    parse_process_list,
)
from .problems import InvalidParameter

CONFORMANCE = [
    f"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/{name}"
    for name in (
        "core",
        "ogc-process-description",
        "json",
        "html",
        "oas30",
        "job-list",
        "dismiss",
    )
]


_json = json_response


def _base(request: Request) -> str:
    return str(request.base_url)


def build_router() -> APIRouter:
    """The OGC API - Processes routes (the service comes from ``app.state``, see :mod:`.deps`)."""
    router = APIRouter()

    @router.get(
        "/",
        response_model=LandingPage,
        summary="Landing page",
        operation_id="getLandingPage",
        tags=["Capabilities"],
        responses=errors(),
    )
    async def landing_page(request: Request, service: Backend) -> Response:
        base = _base(request)
        return _json(
            {
                "title": service.title,
                "description": service.description,
                "links": [
                    L.link(base, "self", title="This document"),
                    L.html_alternate(base),
                    L.link(
                        f"{base}openapi.json",
                        "service-desc",
                        L.OPENAPI_JSON,
                        "The API definition (OpenAPI 3.0)",
                    ),
                    L.link(f"{base}docs", "service-doc", "text/html", "The API documentation"),
                    L.link(f"{base}conformance", L.REL_CONFORMANCE, title="Conformance classes"),
                    L.link(f"{base}processes", L.REL_PROCESSES, title="Processes"),
                    L.link(f"{base}jobs", L.REL_JOB_LIST, title="Jobs"),
                ],
            }
        )

    @router.get(
        "/conformance",
        response_model=ConformanceDeclaration,
        summary="Conformance classes",
        operation_id="getConformanceClasses",
        tags=["Capabilities"],
        responses=errors(),
    )
    async def conformance(request: Request, service: Backend) -> Response:
        url = f"{_base(request)}conformance"
        extra = [CALLBACK_CONFORMANCE] if isinstance(service, DeliversCallbacks) else []
        extra += list(getattr(service, "conformance_classes", None) or [])
        return _json({"conformsTo": [*CONFORMANCE, *extra], "links": [L.html_alternate(url)]})

    @router.get(
        "/processes",
        response_model=ProcessList,
        summary="List the processes",
        operation_id="getProcesses",
        tags=["Processes"],
        responses=errors(400),
        openapi_extra={"parameters": openapi_parameters(PROCESS_LIST)},
    )
    async def process_list(request: Request, service: UserService) -> Response:
        limit, offset = parse_process_list(request.query_params)
        base = _base(request)
        summaries = service.list_processes()
        page = summaries[offset : offset + limit]
        processes = []
        for summary in page:
            body = summary.to_dict()
            body["links"] = [
                L.link(f"{base}processes/{quote(summary.id)}", "self", title="Process description")
            ]
            processes.append(body)
        self_url = L.page_url(base, "processes", _page(limit, offset))
        page_links = [L.link(self_url, "self"), L.html_alternate(self_url)]
        if offset + limit < len(summaries):
            next_url = L.page_url(base, "processes", _page(limit, offset + limit))
            page_links.append(L.link(next_url, "next", title="Next page"))
        if offset > 0:
            prev_url = L.page_url(base, "processes", _page(limit, max(0, offset - limit)))
            page_links.append(L.link(prev_url, "prev", title="Previous page"))
        return _json({"processes": processes, "links": page_links})

    @router.get(
        "/processes/{processID}",
        response_model=ProcessDescription,
        summary="Describe a process",
        operation_id="getProcessDescription",
        tags=["Processes"],
        responses=errors(404),
    )
    async def process_description(
        processID: str, request: Request, service: UserService
    ) -> Response:
        base = _base(request)
        body = service.get_process(processID).to_dict()
        url = f"{base}processes/{quote(processID)}"
        body["links"] = [
            L.link(url, "self", title="Process description"),
            L.html_alternate(url),
            L.link(f"{url}/execution", L.REL_EXECUTE, title="Execute the process"),
            L.link(
                L.page_url(base, "jobs", [("processID", processID)]),
                L.REL_JOB_LIST,
                title="Its jobs",
            ),
        ]
        return _json(body)

    @router.post(
        "/processes/{processID}/execution",
        response_model=JobResults,
        summary="Execute a process",
        operation_id="execute",
        tags=["Processes"],
        status_code=200,
        responses={
            201: {"description": "Job created (asynchronous execution)", "model": StatusInfo},
            204: {"description": "Results by reference (raw), as Link headers"},
            **errors(400, 404, 413, 415, 422, 503),
        },
        openapi_extra={
            "requestBody": EXECUTE_BODY,
            "parameters": [IDEMPOTENCY_KEY_PARAMETER],
            "callbacks": OPENAPI_CALLBACKS,
        },
    )
    async def execute(
        processID: str, request: Request, service: UserService, processes: Processes
    ) -> Response:
        return await execute_process(
            service,
            processes,
            processID,
            _base(request),
            request.headers.get("content-type"),
            request.headers.get("prefer"),
            await request.body(),
            request.headers.get("idempotency-key"),
        )

    @router.get(
        "/jobs",
        response_model=JobList,
        summary="List the jobs",
        operation_id="getJobs",
        tags=["Jobs"],
        responses=errors(400),
        openapi_extra={"parameters": openapi_parameters(JOB_LIST)},
    )
    async def job_list(request: Request, service: UserService) -> Response:
        query = parse_job_query(request.query_params)
        base = _base(request)
        try:
            page = await service.list_jobs(query)
        except ValueError as exc:
            if query.cursor is None:
                raise
            raise InvalidParameter(f"cursor: {exc}") from None
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        self_url = L.page_url(base, "jobs", list(request.query_params.multi_items()))
        page_links = [L.link(self_url, "self"), L.html_alternate(self_url)]
        if page.next_cursor:
            next_url = L.page_url(base, "jobs", [*params, ("cursor", page.next_cursor)])
            page_links.append(L.link(next_url, "next", title="Next page"))
        return _json(
            {"jobs": [L.status_document(base, job) for job in page.jobs], "links": page_links}
        )

    @router.get(
        "/jobs/{jobID}",
        response_model=StatusInfo,
        summary="The status of a job",
        operation_id="getStatus",
        tags=["Jobs"],
        responses=errors(404),
    )
    async def job_status(jobID: str, request: Request, service: UserService) -> Response:
        return await job_status_response(service, jobID, _base(request))

    @router.delete(
        "/jobs/{jobID}",
        response_model=StatusInfo,
        summary="Dismiss a job (cancel it, or delete its results)",
        operation_id="dismiss",
        tags=["Jobs"],
        responses=errors(404, 410),
    )
    async def dismiss(jobID: str, request: Request, service: UserService) -> Response:
        return _json(L.status_document(_base(request), await service.dismiss_job(jobID)))

    @router.get(
        "/jobs/{jobID}/results",
        response_model=JobResults,
        summary="The results of a job",
        operation_id="getResult",
        tags=["Jobs"],
        responses={
            200: {
                "description": "The results document; for a job executed with "
                '`"response": "raw"`, the content of its output (any media type)',
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            **errors(404, 500),
        },
    )
    async def job_results(
        jobID: str, request: Request, service: UserService, processes: Processes
    ) -> Response:
        return await job_results_response(service, processes, jobID, _base(request))

    router.include_router(build_output_router())
    return router


IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes a retried submission answer the job the first one created (per user, "
        "remembered 24 hours); the same key with another request answers 422."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}


def _page(limit: int, offset: int) -> list[tuple[str, str]]:
    params = [("limit", str(limit))]
    if offset:
        params.append(("offset", str(offset)))
    return params


__all__ = ["CONFORMANCE", "build_router"]
