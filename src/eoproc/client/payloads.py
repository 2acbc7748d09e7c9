"""Execute request bodies, execution answers, result links: pure helpers of ``core``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime as _datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from eoproc.models import ExecuteRequest

DateTimeFilter = str | _datetime | tuple[_datetime | str | None, _datetime | str | None]


def build_request(
    request: ExecuteRequest | Mapping[str, Any] | None = None,
    *,
    inputs: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Any] | None = None,
    response: str | None = None,
    subscriber: Mapping[str, Any] | None = None,
) -> ExecuteRequest:
    """An execute request from a request (model or mapping) and keyword members.

    A mapping whose keys are not execute-request members is taken as the inputs.
    """
    from eoproc.models import ExecuteRequest

    if request is None:
        base: dict[str, Any] = {}
    elif isinstance(request, ExecuteRequest):
        base = request.to_dict()
    elif isinstance(request, Mapping):
        base = ExecuteRequest.model_validate(dict(request)).to_dict()
    elif hasattr(request, "model_dump") and not isinstance(request, type):
        # a request model of another library, e.g. the real gavicore's ProcessRequest
        dumped = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        base = ExecuteRequest.model_validate(dumped).to_dict()
    else:
        from .errors import InvalidRequestError

        raise InvalidRequestError(
            "The execute request must be an ExecuteRequest (alias ProcessRequest), a "
            "mapping of request members (inputs, outputs, response, subscriber) or of "
            f"input values, or None; not {type(request).__name__} {_short(request)}"
        )
    if inputs:
        base["inputs"] = {**base.get("inputs", {}), **inputs}
    for name, value in (("outputs", outputs), ("response", response), ("subscriber", subscriber)):
        if value is not None:
            base[name] = value
    return ExecuteRequest.model_validate(base)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def datetime_param(value: DateTimeFilter) -> str:
    """The ``datetime`` query value: an instant, or an interval with ``..`` for open ends."""

    def one(item: _datetime | str | None) -> str:
        if item is None:
            return ".."
        return item.isoformat() if isinstance(item, _datetime) else item

    if isinstance(value, tuple):
        return f"{one(value[0])}/{one(value[1])}"
    return one(value)


def unique_name(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate in taken:
        candidate = f"{stem}-{n}{dot}{suffix}"
        n += 1
    taken.add(candidate)
    return candidate


def json_or_bytes(response: httpx.Response) -> Any:
    """The JSON value of an answer, or its bytes when it is not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.content


def execution_result(response: httpx.Response, request: ExecuteRequest) -> Any:
    """StatusInfo, JobResults or raw value of an execution answer; a URL if only Location."""
    from eoproc.models import JobResults, StatusInfo

    body = json_or_bytes(response)
    status_like = isinstance(body, dict) and "status" in body
    if status_like and ("jobID" in body or (response.status_code == 201 and "id" in body)):
        return StatusInfo.model_validate(body)
    if body is None and response.links:  # raw results by reference: one Link per output
        return JobResults({str(rel): {"href": link["url"]} for rel, link in response.links.items()})
    location = response.headers.get("location")
    if body is None and location:
        return location
    if response.status_code == 201 and location and not isinstance(body, dict):
        return location
    if isinstance(body, dict):
        return JobResults(body)
    outputs = list(request.outputs or {})
    return JobResults({outputs[0] if len(outputs) == 1 else "result": body})
