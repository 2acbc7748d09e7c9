"""Outputs given by reference: ``/jobs/{jobID}/results/{outputID}`` and the keys below it.

A file output is streamed from disk with its media type, ``Content-Length``,
``ETag``, ``Last-Modified``, ``Content-Disposition`` and ``Range`` support
(206), for ``GET`` and ``HEAD``. A directory output (a Zarr store) is a key
space: ``{output}/{key}`` is the file ``key`` inside it, ``{output}/`` lists it
as an HTML index, so that ``xarray.open_zarr(url)`` (fsspec over HTTP) reads
it lazily, one chunk per request. ``{output}`` itself downloads the whole
directory as a zip whose root *is* the directory: a zip has a central index,
so that Zarr (``ZipStore``) and fsspec (``zip://``) open it in place, and
unpacked it is the store itself (a tar cannot be read without unpacking).
Members are stored uncompressed: Zarr chunks are compressed already.

Every request goes through the service, hence through the per-user guard.
"""

from __future__ import annotations

import mimetypes
import os
import uuid
import zipfile
from html import escape
from pathlib import Path
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from .deps import UserService
from .openapi_doc import errors
from .problems import NoSuchOutput
from .service import ResultFile

CHUNK_SIZE = 1024 * 1024
"""Bytes read from disk per write to the socket."""
ZIP = "application/zip"

_RANGE_HEADERS = {
    "Range": {"description": "Byte ranges (``bytes=START-END``): answered 206"},
}


class OutputFileResponse(FileResponse):
    """A file streamed from disk in 1 MiB chunks (``Range`` and ``HEAD`` as Starlette does)."""

    chunk_size = CHUNK_SIZE


def zip_directory(directory: Path, archive: Path) -> Path:
    """The zip of ``directory`` with the directory's content at its root (made once)."""
    if archive.is_file():
        return archive
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f"{archive.name}.{uuid.uuid4().hex}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as target:
            for root, dirs, files in os.walk(directory):
                dirs.sort()
                for name in sorted(files):
                    path = Path(root) / name
                    target.write(path, path.relative_to(directory).as_posix())
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def _key_path(directory: Path, key: str) -> Path | None:
    """The path of ``key`` inside ``directory`` (``None``: outside or absent)."""
    root = directory.resolve()
    target = (root / key).resolve()
    if not target.is_relative_to(root) or not target.exists():
        return None
    return target


def _listing(directory: Path, url_path: str) -> str:
    entries = sorted(directory.iterdir(), key=lambda p: p.name)
    items = "".join(
        f'<li><a href="{quote(p.name)}{"/" if p.is_dir() else ""}">'
        f"{escape(p.name)}{'/' if p.is_dir() else ''}</a></li>"
        for p in entries
    )
    title = escape(url_path)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><ul>{items}</ul></body></html>"
    )


def _whole(result: ResultFile) -> ResultFile:
    """:func:`whole_file`'s disk work (in a worker thread)."""
    if not result.directory:
        return result
    if not result.path.is_dir():
        raise NoSuchOutput(f"The directory of this output is not there ({result.path.name}).")
    archive = result.archive or result.path.with_name(f".{result.path.name}.zip")
    made = zip_directory(result.path, archive)
    return ResultFile(made, ZIP, filename=f"{result.path.name}.zip")  # e.g. scene.zarr.zip


async def whole_file(result: ResultFile) -> ResultFile:
    """The file of an output as one download: itself, or the zip of a directory (made in
    a worker thread, as every look at the disk here: a slow disk never stalls the loop)."""
    if not result.directory:
        return result
    return await anyio.to_thread.run_sync(_whole, result)


def _existing(result: ResultFile) -> ResultFile:
    whole = _whole(result)
    if not whole.path.is_file():
        raise NoSuchOutput(f"The file of this output is not there ({whole.path.name}).")
    return whole


async def output_response(result: ResultFile) -> Response:
    """The whole output: the file, or the zip of a directory."""
    whole = await anyio.to_thread.run_sync(_existing, result)
    filename = whole.filename or whole.path.name
    return OutputFileResponse(whole.path, media_type=whole.media_type, filename=filename)


def _key(directory: Path, key: str, url_path: str) -> Path | str:
    """The file of ``key`` in ``directory``, or the HTML index of a sub-directory."""
    target = _key_path(directory, key)
    if target is None:
        raise NoSuchOutput(f"The output has no key {key!r}.")
    return _listing(target, url_path) if target.is_dir() else target


async def key_response(result: ResultFile, key: str, url_path: str) -> Response:
    """One key of a directory output: a file, or the index of a sub-directory."""
    if not result.directory:
        raise NoSuchOutput("This output is a file, not a directory: it has no keys.")
    found = await anyio.to_thread.run_sync(_key, result.path, key, url_path)
    if isinstance(found, str):
        return HTMLResponse(found)
    media_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    return OutputFileResponse(found, media_type=media_type)


def build_output_router() -> APIRouter:
    """The routes of outputs given by reference (through the user's service)."""
    router = APIRouter()
    common = {
        "tags": ["Jobs"],
        "responses": {
            200: {"description": "The output's content"},
            206: {"description": "The ranges asked for"},
            **errors(404),
        },
        "response_class": FileResponse,
    }

    async def job_output(jobID: str, outputID: str, service: UserService) -> Response:
        return await output_response(await service.get_result_file(jobID, outputID))

    async def job_output_key(
        jobID: str, outputID: str, key: str, request: Request, service: UserService
    ) -> Response:
        result = await service.get_result_file(jobID, outputID)
        return await key_response(result, key, request.url.path)

    routes = (
        (
            "/jobs/{jobID}/results/{outputID}",
            job_output,
            "getResultFile",
            "An output of a job given by reference (a directory comes as a zip)",
        ),
        (
            "/jobs/{jobID}/results/{outputID}/{key:path}",
            job_output_key,
            "getResultKey",
            "A key of a directory output (e.g. a Zarr store); a directory lists its keys",
        ),
    )
    for path, endpoint, operation_id, summary in routes:
        router.add_api_route(
            path,
            endpoint,
            methods=["GET"],
            summary=summary,
            operation_id=operation_id,
            **common,  # type: ignore[arg-type]
        )
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)
    return router


__all__ = ["build_output_router", "output_response", "whole_file", "zip_directory"]
