"""Reading server answers: models, problem details, errors, links, file names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ValidationError

from .errors import ClientError, TransportError

if TYPE_CHECKING:
    import httpx

    from eoproc.models import ApiError

M = TypeVar("M", bound=BaseModel)


def problem_of(response: httpx.Response) -> ApiError | None:
    """The problem details in an error answer, or None if it has none."""
    from eoproc.models import ApiError

    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        if not text or text.lstrip().startswith("<"):
            return None
        return ApiError(type="about:blank", status=response.status_code, detail=text[:500])
    if not isinstance(body, dict):
        return None
    if "type" not in body:
        body = {"type": "about:blank", **body}
    if "detail" not in body and isinstance(body.get("description"), str):
        body = {**body, "detail": body["description"]}  # pygeoapi's OGC exception bodies
    detail = body.get("detail")
    if detail is not None and not isinstance(detail, str):  # e.g. FastAPI validation lists
        body = {**body, "detail": _flatten_detail(detail)}
    try:
        return ApiError.model_validate(body)
    except ValidationError:
        return None


def _flatten_detail(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = ".".join(str(p) for p in item.get("loc", ()))
                parts.append(f"{loc}: {item['msg']}" if loc else str(item["msg"]))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail)


def error_of(response: httpx.Response) -> ClientError:
    """The :class:`ClientError` for an error answer."""
    request = response.request
    return ClientError(
        response.status_code,
        problem_of(response),
        method=request.method,
        url=str(request.url),
    )


def check(response: httpx.Response) -> httpx.Response:
    """``response`` if it is a success, else raise its :class:`ClientError`."""
    if response.is_error:
        raise error_of(response)
    return response


def json_of(response: httpx.Response) -> Any:
    """The JSON body of a successful answer."""
    check(response)
    try:
        return response.json()
    except ValueError:
        raise ClientError(
            response.status_code,
            message=(
                f"The server's answer to {response.request.method} {response.request.url} "
                f"is not JSON (content type {response.headers.get('content-type', 'unknown')})."
            ),
            method=response.request.method,
            url=str(response.request.url),
        ) from None


def model_of(response: httpx.Response, model: type[M]) -> M:
    """The body of a successful answer as ``model``."""
    return validated(json_of(response), model, response)


def validated(body: Any, model: type[M], response: httpx.Response) -> M:
    """``body`` (read from ``response``) as ``model``; a :class:`ClientError` if it is not one."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        raise ClientError(
            response.status_code,
            message=(
                f"The server's answer to {response.request.method} {response.request.url} "
                f"is not a valid {model.__name__}: {where}: {first['msg']}."
            ),
            method=response.request.method,
            url=str(response.request.url),
        ) from error


def transport_error(error: Exception, method: str, url: str) -> TransportError:
    """The :class:`TransportError` for an httpx network failure."""
    import httpx

    host = urlsplit(url).netloc or url
    if isinstance(error, httpx.TimeoutException):
        kind = "timed out"
    elif isinstance(error, httpx.ConnectError):
        kind = "could not connect"
    else:
        kind = "failed"
    reason = str(error).strip() or type(error).__name__
    return TransportError(f"{method} {url} {kind} ({host}): {reason}.", method=method, url=url)


def next_link(body: Any, response: httpx.Response) -> str | None:
    """The ``next`` page's URL: from the body's links, else from the ``Link`` header.

    A relative link is resolved against the page's own URL (RFC 3986).
    """
    href: str | None = None
    links = body.get("links") if isinstance(body, dict) else None
    for link in links or ():
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            href = str(link["href"])
            break
    else:
        header = response.links.get("next")
        href = header.get("url") if header else None
    return str(response.request.url.join(href)) if href else None


_DISPOSITION = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


def file_name(response: httpx.Response, fallback: str) -> str:
    """A safe file name for a downloaded answer (Content-Disposition, URL, fallback)."""
    disposition = response.headers.get("content-disposition", "")
    matches = _DISPOSITION.findall(disposition)
    name = unquote(matches[-1]) if matches else ""
    if not name:
        name = unquote(urlsplit(str(response.request.url)).path.rstrip("/").rsplit("/", 1)[-1])
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", "..") or name.startswith("."):
        name = fallback
    return name
