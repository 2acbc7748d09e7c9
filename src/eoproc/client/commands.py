"""The sans-IO layer: commands an operation yields, and retries written once.

Every client operation is a generator that yields :class:`Call`, :class:`Sleep`,
:class:`Notify` (and the other) commands and receives their outcomes; the sync and async
clients only perform commands (see ``drivers``). A :class:`Call` is answered
with the ``httpx.Response`` (body read; for downloads: closed, body in the file)
or with the ``httpx.TransportError`` that prevented one, as a value.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
IDEMPOTENCY_KEY = "Idempotency-Key"
"""A request carrying this header is safe to resend whatever its method (a server that
honours it answers the first request's job); :meth:`Client.execute_process` sends one."""
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Call:
    """Send one HTTP request; ``url`` is relative to the API URL or absolute.

    With ``save_as`` the answer is streamed: a successful body goes to the file
    ``save_as(response)`` returns (written as ``.part`` first, then renamed).
    With ``resume`` (the file ``save_as`` will return) a ``.part`` left by an
    interrupted download is continued with ``Range`` (and ``If-Range: if_range``);
    ``on_progress(done, total)`` follows the bytes written.
    """

    method: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None
    save_as: Callable[[httpx.Response], Path] | None = None
    resume: Path | None = None
    if_range: str | None = None
    on_progress: Callable[[int, int | None], Any] | None = None
    content: bytes | None = None
    """A raw body (instead of ``json``), with its ``Content-Type`` in ``headers``."""


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Notify:
    """Call ``callback(value)``; an async client awaits it if it returns an awaitable."""

    callback: Callable[[Any], Any]
    value: Any


@dataclass(frozen=True)
class OpenStream:
    """Send ``call`` and answer with the response before its body is read (an event
    stream): a streaming ``httpx.Response`` (an error answer comes read and closed) or
    the ``httpx.TransportError``. ``read_timeout`` limits each read of the body."""

    call: Call
    read_timeout: float | None = None


@dataclass(frozen=True)
class ReadStream:
    """The next bytes of a response opened by :class:`OpenStream` (``b""`` at its end),
    or the ``httpx.TransportError`` (a read time-out included)."""

    response: Any


@dataclass(frozen=True)
class CloseStream:
    """Close a response opened by :class:`OpenStream`."""

    response: Any


@dataclass(frozen=True)
class Emit:
    """Hand ``value`` to the caller iterating over the operation (an event)."""

    value: Any


@dataclass(frozen=True)
class Prepare:
    """Answer with the URL and the headers (credentials included, where they may go) a
    request to ``url`` would carry, for a library that makes its own requests."""

    url: str


@dataclass(frozen=True)
class Blocking:
    """Call ``function()`` and answer with its result; an async client runs it in a
    worker thread (e.g. reading a file format)."""

    function: Callable[[], Any]


Command: TypeAlias = (
    Call | Sleep | Notify | OpenStream | ReadStream | CloseStream | Emit | Prepare | Blocking
)
Operation: TypeAlias = Generator[Command, Any, T]


@dataclass(frozen=True)
class RetryPolicy:
    """When to resend a request: idempotent methods only, on network errors and
    on 429/502/503/504, up to ``retries`` times, waiting ``Retry-After`` or an
    exponential backoff (``backoff_factor * 2**attempt``), at most ``backoff_max``."""

    retries: int = 3
    backoff_factor: float = 0.25
    backoff_max: float = 30.0

    def delay(self, method: str, attempt: int, outcome: Any) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None not to retry."""
        import httpx

        if attempt >= self.retries or method.upper() not in IDEMPOTENT_METHODS:
            return None
        if isinstance(outcome, httpx.TransportError):
            return self._backoff(attempt)
        if isinstance(outcome, httpx.Response) and outcome.status_code in RETRY_STATUSES:
            after = retry_after(outcome.headers.get("retry-after"))
            return min(after, self.backoff_max) if after is not None else self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff_factor * (2**attempt), self.backoff_max))


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(call: Call, policy: RetryPolicy) -> Operation[httpx.Response]:
    """Perform ``call`` with retries; the final answer, or raise ``TransportError``."""
    import httpx

    from .responses import transport_error

    attempt = 0
    while True:
        outcome = yield call
        keyed = bool(call.headers) and IDEMPOTENCY_KEY in (call.headers or {})
        delay = policy.delay("PUT" if keyed else call.method, attempt, outcome)
        if delay is None:
            break
        attempt += 1
        yield Sleep(delay)
    if isinstance(outcome, httpx.TransportError):
        url = str(outcome.request.url) if _has_request(outcome) else call.url
        raise transport_error(outcome, call.method, url) from outcome
    if isinstance(outcome, BaseException):
        raise outcome
    response: httpx.Response = outcome
    return response


def _has_request(error: Any) -> bool:
    try:
        error.request  # noqa: B018 - raises RuntimeError when unset
    except RuntimeError:
        return False
    return True
