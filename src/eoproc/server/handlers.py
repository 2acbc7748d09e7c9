"""The work behind the busiest operations, shared by the routes and the fast path.

``execute_process`` and ``job_status`` take plain values (no FastAPI request),
so that :mod:`.fastpath` can serve them straight from ASGI.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from eoproc.models import ExecuteRequest, ProcessDescription, ResponseType

from . import links as L
from .callbacks import request_base
from .execution import parse_execute_body, prefers_async, raw_response, run_async
from .idempotency import IdempotentRequest, check_key, fingerprint, idempotent_request
from .outputs import whole_file
from .process_cache import ProcessCache
from .service import KeepsExecuteRequests, ResultFile, Service


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact ``application/json`` response."""
    return Response(
        json.dumps(body, separators=(",", ":")).encode(),
        status_code=status,
        media_type=L.JSON,
        headers=headers,
    )


async def execute_process(
    service: Service,
    processes: ProcessCache,
    process_id: str,
    base: str,
    content_type: str | None,
    prefer: str | None,
    body: bytes,
    idempotency_key: str | None = None,
) -> Response:
    """``POST /processes/{id}/execution`` per the standard's execution rules."""
    key = check_key(idempotency_key)
    process = processes.get(service, process_id)
    request = parse_execute_body(content_type, body)
    request_base.set(base)
    if key is None:
        return await _execute(service, process_id, process, base, prefer, request)
    token = idempotent_request.set(IdempotentRequest(key, fingerprint(process_id, request)))
    try:
        return await _execute(service, process_id, process, base, prefer, request)
    finally:
        idempotent_request.reset(token)


async def _execute(
    service: Service,
    process_id: str,
    process: ProcessDescription,
    base: str,
    prefer: str | None,
    request: ExecuteRequest,
) -> Response:
    wants_async = prefers_async(prefer)
    if run_async(process, wants_async):
        job = await service.execute(process_id, request, wait=False)
        headers = {"Location": f"{base}jobs/{job.jobID}"}
        if wants_async:
            headers["Preference-Applied"] = "respond-async"
        return json_response(L.status_document(base, job), 201, headers)
    job = await service.execute(process_id, request, wait=True)
    headers = {"Link": f'<{base}jobs/{job.jobID}>; rel="monitor"'}
    results = L.absolute_hrefs(base, job.jobID, (await service.get_results(job.jobID)).root)
    if request.response != ResponseType.raw:
        return json_response(results, headers=headers)
    result_file = await _single_file(service, job.jobID, request, results)
    return raw_response(request, process, results, headers, result_file)


async def job_status(service: Service, job_id: str, base: str) -> Response:
    """``GET /jobs/{id}``: the job's status info with its links."""
    return json_response(L.status_document(base, await service.get_job(job_id)))


async def job_results(
    service: Service, processes: ProcessCache, job_id: str, base: str
) -> Response:
    """``GET /jobs/{id}/results``: a document, or raw if the job was executed raw.

    Raw results need a service that recalls execute requests
    (:class:`KeepsExecuteRequests`); other services always answer a document.
    """
    results = L.absolute_hrefs(base, job_id, (await service.get_results(job_id)).root)
    if isinstance(service, KeepsExecuteRequests):
        request = await service.get_execute_request(job_id)
        if request.response == ResponseType.raw:
            job = await service.get_job(job_id)
            process = processes.get(service, job.processID or "")
            result_file = await _single_file(service, job_id, request, results)
            return raw_response(request, process, results, {}, result_file)
    return json_response(results)


async def _single_file(
    service: Service, job_id: str, request: ExecuteRequest, results: dict[str, Any]
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
        return await whole_file(await service.get_result_file(job_id, names[0]))
    return None
