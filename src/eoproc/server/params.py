"""Parsing and checking of the query parameters of ``GET /processes`` and ``GET /jobs``.

Each parameter is declared once (:class:`QueryParameter`): the declarations give
both the parameters of the OpenAPI document and the names the parsers know.
FastAPI cannot declare an ``explode: false`` array nor report problems the
standard's way, so the routes parse the query string with :func:`parse_job_query`
and :func:`parse_process_list` (an :class:`InvalidParameter` becomes problem
details in the exception handler), not through FastAPI's own parameters.

Array parameters are accepted both repeated (``status=a&status=b``) and
comma-separated (``status=a,b``, the standard's ``explode: false``). Every bad
value is reported (all at once) as :class:`InvalidParameter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import QueryParams

from eoproc.models import JobStatus

from .problems import InvalidParameter
from .service import JobQuery

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class QueryParameter:
    """One query parameter: its name, description and JSON schema (of one value, or of
    the items of an ``explode: false`` array)."""

    name: str
    description: str
    schema: dict[str, Any]
    array: bool = False

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.0 parameter object."""
        declared: dict[str, Any] = {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
        }
        if self.array:
            declared |= {"style": "form", "explode": False}
            declared["schema"] = {"type": "array", "items": self.schema}
        else:
            declared["schema"] = self.schema
        return declared


LIMIT = QueryParameter(
    "limit",
    "The maximum number of items in one page.",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
)
PROCESS_LIST = (
    LIMIT,
    QueryParameter(
        "offset",
        "How many processes to skip (see the next/prev links).",
        {"type": "integer", "minimum": 0, "default": 0},
    ),
)
JOB_LIST = (
    QueryParameter("type", "Only jobs of these types (e.g. process).", {"type": "string"}, True),
    QueryParameter("processID", "Only jobs of these processes.", {"type": "string"}, True),
    QueryParameter(
        "status",
        "Only jobs in these states.",
        {"type": "string", "enum": [status.value for status in JobStatus]},
        True,
    ),
    QueryParameter(
        "datetime",
        "Only jobs created at this instant or in this interval "
        "(RFC 3339; `start/end`, `../end`, `start/..`).",
        {"type": "string"},
    ),
    QueryParameter(
        "minDuration", "Only jobs that ran at least this many seconds.", {"type": "integer"}, True
    ),
    QueryParameter(
        "maxDuration", "Only jobs that ran at most this many seconds.", {"type": "integer"}, True
    ),
    LIMIT,
    QueryParameter(
        "cursor", "Opaque position of the next page (from a `next` link).", {"type": "string"}
    ),
)
FORMAT = "f"
"""Accepted (``f=json``) but not declared: JSON is the only format of these documents."""
PROCESS_LIST_PARAMS = frozenset({p.name for p in PROCESS_LIST} | {FORMAT})
JOB_LIST_PARAMS = frozenset({p.name for p in JOB_LIST} | {FORMAT})


def openapi_parameters(declared: tuple[QueryParameter, ...]) -> list[dict[str, Any]]:
    """The OpenAPI parameter objects of ``declared``."""
    return [parameter.openapi() for parameter in declared]


_FINISHED_OR_RUNNING = (
    JobStatus.running,
    JobStatus.successful,
    JobStatus.failed,
    JobStatus.dismissed,
)


class _Problems:
    """Collects every problem of one request before raising once."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append({"path": path, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            detail = "; ".join(f"{p['path']}: {p['message']}" for p in self.items)
            raise InvalidParameter(detail, extra={"problems": self.items})


def _values(params: QueryParams, name: str) -> list[str] | None:
    raw = params.getlist(name)
    if not raw:
        return None
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def _single(params: QueryParams, name: str, problems: _Problems) -> str | None:
    raw = params.getlist(name)
    if not raw:
        return None
    if len(raw) > 1:
        problems.add(name, "must be given once")
    return raw[0].strip()


def parse_limit(params: QueryParams, problems: _Problems) -> int:
    value = _single(params, "limit", problems)
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        problems.add("limit", f"must be an integer from 1 to {MAX_LIMIT}, not {value!r}")
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        problems.add("limit", f"must be from 1 to {MAX_LIMIT}, not {limit}")
    return limit


def _check_unknown(params: QueryParams, known: frozenset[str], problems: _Problems) -> None:
    for name in params:
        if name not in known:
            problems.add(name, f"unknown parameter (known: {', '.join(sorted(known))})")


def _check_format(params: QueryParams, problems: _Problems) -> None:
    value = _single(params, "f", problems)
    if value is not None and value != "json":
        problems.add("f", f"only 'json' is offered, not {value!r}")


def parse_process_list(params: QueryParams) -> tuple[int, int]:
    """``limit`` and ``offset`` of ``GET /processes``."""
    problems = _Problems()
    _check_unknown(params, PROCESS_LIST_PARAMS, problems)
    limit = parse_limit(params, problems)
    offset = 0
    value = _single(params, "offset", problems)
    if value is not None:
        try:
            offset = int(value)
            if offset < 0:
                problems.add("offset", f"must be 0 or more, not {offset}")
        except ValueError:
            problems.add("offset", f"must be an integer, not {value!r}")
    _check_format(params, problems)
    problems.raise_if_any()
    return limit, offset


def parse_datetime(value: str) -> datetime:
    """An RFC 3339 date-time (``Z`` or offset; a naive value is taken as UTC)."""
    text = value.strip()
    if "T" not in text and "t" not in text and " " not in text:
        raise ValueError("not an RFC 3339 date-time (e.g. 2025-01-31T12:00:00Z)")
    parsed = datetime.fromisoformat(text.replace("z", "Z"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_interval(value: str) -> tuple[datetime | None, datetime | None]:
    """The inclusive bounds of a ``datetime`` parameter (instant or interval)."""
    if "/" not in value:
        instant = parse_datetime(value)
        return instant, instant
    start_text, _, end_text = value.partition("/")
    start = None if start_text.strip() in ("", "..") else parse_datetime(start_text)
    end = None if end_text.strip() in ("", "..") else parse_datetime(end_text)
    if start is None and end is None:
        raise ValueError("an interval needs at least one bound")
    if start and end and start > end:
        raise ValueError("the interval's start is after its end")
    return start, end


def _duration(params: QueryParams, name: str, problems: _Problems) -> float | None:
    values = _values(params, name)
    if not values:
        return None
    if len(values) > 1:
        problems.add(name, "must be one number of seconds")
    try:
        seconds = float(values[0])
    except ValueError:
        problems.add(name, f"must be a number of seconds, not {values[0]!r}")
        return None
    if seconds < 0 or seconds != seconds:
        problems.add(name, f"must be 0 or more, not {values[0]}")
        return None
    return seconds


def parse_job_query(params: QueryParams) -> JobQuery:
    """The :class:`JobQuery` of ``GET /jobs``; raises :class:`InvalidParameter`."""
    problems = _Problems()
    _check_unknown(params, JOB_LIST_PARAMS, problems)
    limit = parse_limit(params, problems)

    statuses: list[JobStatus] | None = None
    status_values = _values(params, "status")
    if status_values is not None:
        statuses = []
        if not status_values:
            problems.add("status", "must name at least one status")
        for value in status_values:
            try:
                statuses.append(JobStatus(value))
            except ValueError:
                allowed = ", ".join(s.value for s in JobStatus)
                problems.add("status", f"unknown status {value!r} (allowed: {allowed})")

    created_after = created_before = None
    interval = _single(params, "datetime", problems)
    if interval:
        try:
            created_after, created_before = parse_interval(interval)
        except ValueError as exc:
            problems.add("datetime", f"{exc} ({interval!r})")

    min_duration = _duration(params, "minDuration", problems)
    max_duration = _duration(params, "maxDuration", problems)
    if min_duration is not None and max_duration is not None and min_duration > max_duration:
        problems.add("minDuration", "must not be greater than maxDuration")
    cursor = _single(params, "cursor", problems) or None
    _check_format(params, problems)
    problems.raise_if_any()

    if statuses is None and (min_duration is not None or max_duration is not None):
        # /req/job-list/duration-response: without a status, only running or ended jobs.
        statuses = list(_FINISHED_OR_RUNNING)
    return JobQuery(
        process_ids=_values(params, "processID"),
        statuses=statuses,
        types=_values(params, "type"),
        created_after=created_after,
        created_before=created_before,
        min_duration=min_duration,
        max_duration=max_duration,
        limit=limit,
        cursor=cursor,
    )
