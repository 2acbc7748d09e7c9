"""Execution rules of the standard: request parsing, execution mode, sync responses."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from starlette.responses import FileResponse, Response

from eoproc.models import (
    ExecuteRequest,
    JobControlOptions,
    ProcessDescription,
    TransmissionMode,
)

from .links import JSON
from .problems import MalformedBody, UnsupportedMediaType
from .service import InvalidInput, ResultFile

_MAX_INT_DIGITS = 309
"""Integers with more digits than this are outside the range of a JSON number (float)."""
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def check_json_media_type(content_type: str | None) -> None:
    """Raise 415 unless ``content_type`` is JSON (``application/json`` or
    ``application/*+json``) in UTF-8 (no ``charset``, or ``charset=utf-8``)."""
    if not content_type:
        raise UnsupportedMediaType(
            "The execute request needs a Content-Type header: application/json."
        )
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise UnsupportedMediaType(
            f"The execute request must be JSON (Content-Type: application/json), "
            f"not {media_type!r}."
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(
                    f"The execute request must be encoded in UTF-8, not {charset!r}."
                )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is outside the range of a JSON number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"the number {text[:40]}... is outside the range of a JSON number")
    return int(text)


def _check_strings(value: Any) -> None:
    """Raise ``ValueError`` on a string holding a lone surrogate (not Unicode text)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff)") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json_body(body: bytes) -> Any:
    """Strict JSON of a UTF-8 body: no NaN/Infinity, numbers in range, no lone surrogates."""
    text = body.decode("utf-8")
    document = json.loads(
        text,
        parse_constant=_no_constant,
        parse_float=_finite_float,
        parse_int=_bounded_int,
    )
    if _SURROGATE_ESCAPE.search(body):
        _check_strings(document)
    return document


# A media type as RFC 6838 spells it, parameters included; anything else (a requested
# "null", a CR LF) never becomes a Content-Type header.
_MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=[^\r\n;]+)*$")


def parse_execute_body(content_type: str | None, body: bytes) -> ExecuteRequest:
    """The execute request of a POST body; raises a problem for any defect."""
    check_json_media_type(content_type)
    if not body.strip():
        raise MalformedBody("The request body is empty; send an execute request (a JSON object).")
    try:
        document = parse_json_body(body)
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"The request body is not valid UTF-8: {exc}.") from None
    except ValueError as exc:
        raise MalformedBody(f"The request body is not valid JSON: {exc}.") from None
    except RecursionError:
        raise MalformedBody("The request body is nested too deeply.") from None
    if not isinstance(document, dict):
        raise MalformedBody(
            f"The execute request must be a JSON object, not {type(document).__name__} "
            '(e.g. {"inputs": {...}}).'
        )
    try:
        return ExecuteRequest.model_validate(document)
    except ValidationError as exc:
        problems = [
            {
                "path": ".".join(str(part) for part in error["loc"]) or "(body)",
                "message": error["msg"],
            }
            for error in exc.errors()
        ]
        detail = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        raise InvalidInput(
            f"The execute request is invalid: {detail}", extra={"problems": problems}
        ) from None


def prefers_async(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    if not prefer:
        return False
    for preference in prefer.split(","):
        token = preference.split(";", 1)[0].split("=", 1)[0].strip().lower()
        if token == "respond-async":
            return True
    return False


def run_async(process: ProcessDescription, prefer_async: bool) -> bool:
    """The negotiated execution mode (``True`` = asynchronous) per the standard's table.

    Only-async processes run async, only-sync processes run sync; a process that
    offers both runs async when the client prefers it, else sync.
    """
    options = set(process.jobControlOptions or ())
    can_sync = JobControlOptions.sync_execute in options
    can_async = JobControlOptions.async_execute in options
    if can_sync == can_async:
        return prefer_async
    return can_async


def requested_outputs(request: ExecuteRequest, results: Mapping[str, Any]) -> list[str]:
    """The outputs the client asked for (all when it did not say)."""
    if request.outputs:
        return [name for name in request.outputs if name in results]
    return list(results)


def _media_type(
    name: str, value: Any, request: ExecuteRequest, process: ProcessDescription
) -> str | None:
    wanted = request.outputs.get(name) if request.outputs else None
    if wanted and wanted.format and _MEDIA_TYPE.match(wanted.format.mediaType or ""):
        return wanted.format.mediaType
    if isinstance(value, dict) and _MEDIA_TYPE.match(str(value.get("mediaType") or "")):
        return str(value["mediaType"])
    description = (process.outputs or {}).get(name)
    if description is not None:
        schema = description.schema_.model_dump(by_alias=True, exclude_none=True)
        media = schema.get("contentMediaType")
        if isinstance(media, str):
            return media
    return None


def raw_part(
    name: str, value: Any, request: ExecuteRequest, process: ProcessDescription
) -> tuple[bytes, str]:
    """One output as raw content and its media type."""
    media_type = _media_type(name, value, request, process)
    encoding = None
    if (
        isinstance(value, dict)
        and "value" in value
        and set(value)
        <= {
            "value",
            "mediaType",
            "encoding",
            "schema",
        }
    ):
        encoding = value.get("encoding")
        value = value["value"]
    if isinstance(value, str) and media_type and "json" not in media_type:
        if encoding == "base64" or media_type.startswith(("image/", "application/octet")):
            try:
                return base64.b64decode(value, validate=True), media_type
            except (binascii.Error, ValueError):
                pass
        return value.encode(), media_type
    return json.dumps(value).encode(), JSON


def _by_reference(request: ExecuteRequest, name: str) -> bool:
    wanted = request.outputs.get(name) if request.outputs else None
    return bool(wanted and wanted.transmissionMode == TransmissionMode.reference)


def raw_response(
    request: ExecuteRequest,
    process: ProcessDescription,
    results: dict[str, Any],
    headers: dict[str, str],
    result_file: ResultFile | None,
) -> Response:
    """The ``response=raw`` answer of a synchronous execution.

    One output by value: its content with its media type (a file output is
    streamed). All outputs by reference: 204 with one ``Link`` header each.
    Otherwise: ``multipart/related``, one part per output (``Content-ID`` = id).
    """
    names = requested_outputs(request, results)
    links = [
        f'<{value["href"]}>; rel="{name}"'
        for name in names
        if isinstance(value := results[name], dict) and "href" in value
    ]
    if names and all(_by_reference(request, name) for name in names) and len(links) == len(names):
        return Response(status_code=204, headers={**headers, "Link": ", ".join(links)})
    if len(names) == 1:
        if result_file is not None:
            return FileResponse(
                result_file.path, media_type=result_file.media_type, headers=headers
            )
        content, media_type = raw_part(names[0], results[names[0]], request, process)
        return Response(content, media_type=media_type, headers=headers)
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name in names:
        value = results[name]
        head = f"--{boundary}\r\nContent-ID: <{name}>\r\n"
        if isinstance(value, dict) and "href" in value:  # a file or link: by reference
            head += f"Content-Location: {value['href']}\r\n\r\n"
            parts.append(head.encode() + b"\r\n")
            continue
        content, media_type = raw_part(name, value, request, process)
        parts.append(f"{head}Content-Type: {media_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return Response(
        b"".join(parts),
        media_type=f'multipart/related; boundary="{boundary}"',
        headers=headers,
    )
