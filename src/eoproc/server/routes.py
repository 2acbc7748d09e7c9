"""The endpoints of OGC API - Processes - Part 1: Core, over a :class:`Service`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from eoproc.models import (
    ConformanceDeclaration,
    JobList,
    JobResults,
    LandingPage,
    ProcessDescription,
    ProcessList,
    ResponseType,
    StatusInfo,
)

from . import links as L
from .execution import parse_execute_body, prefers_async, raw_response, run_async
from .openapi_doc import EXECUTE_BODY, JOB_LIST_PARAMETERS, PROCESS_LIST_PARAMETERS, errors
from .params import parse_job_query, parse_process_list
from .problems import PROBLEM_JSON, InvalidParameter, NoSuchOutput
from .service import ResultFile, Service

CONFORMANCE = [
    f"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/{name}"
    for name in ("core", "ogc-process-description", "json", "oas30", "job-list", "dismiss")
]


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        media_type=L.JSON,
        headers=headers,
    )


def _base(request: Request) -> str:
    return str(request.base_url)


def build_router(service: Service) -> APIRouter:
    """The OGC API - Processes routes, bound to ``service``."""
    router = APIRouter()

    @router.get(
        "/",
        response_model=LandingPage,
        summary="Landing page",
        operation_id="getLandingPage",
        tags=["Capabilities"],
        responses=errors(),
    )
    async def landing_page(request: Request) -> Response:
        base = _base(request)
        return _json(
            {
                "title": service.title,
                "description": service.description,
                "links": [
                    L.link(base, "self", title="This document"),
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
    async def conformance() -> Response:
        return _json({"conformsTo": CONFORMANCE})

    @router.get(
        "/processes",
        response_model=ProcessList,
        summary="List the processes",
        operation_id="getProcesses",
        tags=["Processes"],
        responses=errors(400),
        openapi_extra={"parameters": PROCESS_LIST_PARAMETERS},
    )
    async def process_list(request: Request) -> Response:
        limit, offset = parse_process_list(request.query_params)
        base = _base(request)
        summaries = service.list_processes()
        page = summaries[offset : offset + limit]
        processes = []
        for summary in page:
            body = summary.to_dict()
            body["links"] = [
                L.link(f"{base}processes/{summary.id}", "self", title="Process description")
            ]
            processes.append(body)
        page_links = [L.link(L.page_url(base, "processes", _page(limit, offset)), "self")]
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
    async def process_description(processID: str, request: Request) -> Response:
        base = _base(request)
        body = service.get_process(processID).to_dict()
        url = f"{base}processes/{processID}"
        body["links"] = [
            L.link(url, "self", title="Process description"),
            L.link(f"{url}/execution", L.REL_EXECUTE, title="Execute the process"),
            L.link(f"{base}jobs?processID={processID}", L.REL_JOB_LIST, title="Its jobs"),
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
            **errors(400, 404, 413, 415, 503),
        },
        openapi_extra={"requestBody": EXECUTE_BODY},
    )
    async def execute(processID: str, request: Request) -> Response:
        process = service.get_process(processID)
        execute_request = parse_execute_body(
            request.headers.get("content-type"), await request.body()
        )
        prefer = prefers_async(request.headers.get("prefer"))
        base = _base(request)
        if run_async(process, prefer):
            job = await service.execute(processID, execute_request, wait=False)
            headers = {"Location": f"{base}jobs/{job.jobID}"}
            if prefer:
                headers["Preference-Applied"] = "respond-async"
            return _json(L.status_document(base, job), 201, headers)
        job = await service.execute(processID, execute_request, wait=True)
        headers = {"Link": f'<{base}jobs/{job.jobID}>; rel="monitor"'}
        results = L.absolute_hrefs(base, job.jobID, (await service.get_results(job.jobID)).root)
        if execute_request.response != ResponseType.raw:
            return _json(results, headers=headers)
        return raw_response(
            execute_request,
            process,
            results,
            headers,
            await _single_file(service, job.jobID, execute_request, results),
        )

    @router.get(
        "/jobs",
        response_model=JobList,
        summary="List the jobs",
        operation_id="getJobs",
        tags=["Jobs"],
        responses=errors(400),
        openapi_extra={"parameters": JOB_LIST_PARAMETERS},
    )
    async def job_list(request: Request) -> Response:
        query = parse_job_query(request.query_params)
        base = _base(request)
        try:
            page = await service.list_jobs(query)
        except ValueError as exc:
            if query.cursor is None:
                raise
            raise InvalidParameter(f"cursor: {exc}") from None
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        page_links = [
            L.link(L.page_url(base, "jobs", list(request.query_params.multi_items())), "self")
        ]
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
    async def job_status(jobID: str, request: Request) -> Response:
        return _json(L.status_document(_base(request), await service.get_job(jobID)))

    @router.delete(
        "/jobs/{jobID}",
        response_model=StatusInfo,
        summary="Dismiss a job (cancel it, or delete its results)",
        operation_id="dismiss",
        tags=["Jobs"],
        responses=errors(404),
    )
    async def dismiss(jobID: str, request: Request) -> Response:
        return _json(L.status_document(_base(request), await service.dismiss_job(jobID)))

    @router.get(
        "/jobs/{jobID}/results",
        response_model=JobResults,
        summary="The results of a job",
        operation_id="getResult",
        tags=["Jobs"],
        responses=errors(404, 500),
    )
    async def job_results(jobID: str, request: Request) -> Response:
        results = await service.get_results(jobID)
        return _json(L.absolute_hrefs(_base(request), jobID, results.root))

    @router.get(
        "/jobs/{jobID}/results/{outputID}",
        summary="A file output of a job",
        operation_id="getResultFile",
        tags=["Jobs"],
        response_class=FileResponse,
        responses={200: {"description": "The output's content"}, **errors(404)},
    )
    async def job_result_file(jobID: str, outputID: str) -> Response:
        return _file_response(await service.get_result_file(jobID, outputID))

    return router


def _page(limit: int, offset: int) -> list[tuple[str, str]]:
    params = [("limit", str(limit))]
    if offset:
        params.append(("offset", str(offset)))
    return params


def _file_response(result: ResultFile) -> Response:
    if not result.path.is_file():
        raise NoSuchOutput(f"The file of this output is not there ({result.path.name}).")
    return FileResponse(result.path, media_type=result.media_type, filename=result.path.name)


async def _single_file(
    service: Service, job_id: str, request: Any, results: dict[str, Any]
) -> ResultFile | None:
    """The file behind a single output requested raw by value, if it is a file."""
    names = list(request.outputs) if request.outputs else list(results)
    if len(names) != 1 or names[0] not in results:
        return None
    value = results[names[0]]
    wanted = request.outputs.get(names[0]) if request.outputs else None
    if (
        isinstance(value, dict)
        and "href" in value
        and not (wanted and wanted.transmissionMode == "reference")
    ):
        return await service.get_result_file(job_id, names[0])
    return None


__all__ = ["CONFORMANCE", "PROBLEM_JSON", "build_router"]
