"""Lists that come in pages (processes, jobs): one page, or all of them by ``next`` links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from .commands import Call, Operation, RetryPolicy, send
from .errors import ClientError
from .payloads import DateTimeFilter, datetime_param
from .responses import json_of, next_link, validated

M = TypeVar("M", bound=BaseModel)


def list_pages(
    url: str,
    params: Mapping[str, Any] | None,
    member: str,
    all_pages: bool,
    retry: RetryPolicy,
    model: type[M],
) -> Operation[M]:
    """The list document at ``url`` as ``model``; with ``all_pages``, the items of every
    page in ``member``.

    Pages are followed by their ``next`` links (a link seen before ends the walk); the
    merged document has no ``next``/``prev`` links.
    """
    answer = yield from send(Call("GET", url, params=params), retry)
    body = json_of(answer)
    if not isinstance(body, dict):
        raise ClientError(answer.status_code, message=f"The answer of {url} is not an object.")
    items = list(body.get(member) or [])
    seen = {str(answer.request.url)}
    following = next_link(body, answer) if all_pages else None
    while following and following not in seen:
        seen.add(following)
        page = yield from send(Call("GET", following), retry)
        page_body = json_of(page)
        items.extend(page_body.get(member) or [] if isinstance(page_body, dict) else [])
        following = next_link(page_body, page)
    if all_pages:
        body["links"] = [
            link
            for link in body.get("links") or []
            if not (isinstance(link, dict) and link.get("rel") in ("next", "prev"))
        ]
    body[member] = items
    body.setdefault("links", [])
    return validated(body, model, answer)


def job_list_params(
    limit: int | None,
    status: str | Iterable[str] | None,
    process_id: str | Iterable[str] | None,
    datetime: DateTimeFilter | None,
    min_duration: int | None,
    max_duration: int | None,
) -> dict[str, Any] | None:
    """The query of ``GET /jobs`` (the standard's job-list parameters) for these filters."""
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if status is not None:
        params["status"] = [status] if isinstance(status, str) else [str(s) for s in status]
    if process_id is not None:
        params["processID"] = [process_id] if isinstance(process_id, str) else list(process_id)
    if datetime is not None:
        params["datetime"] = datetime_param(datetime)
    if min_duration is not None:
        params["minDuration"] = min_duration
    if max_duration is not None:
        params["maxDuration"] = max_duration
    return params or None
