"""Operations on a job's outputs: download them all, or open one as a Python object.

:class:`OutputOperations` holds the client's operations (sans-IO generators, which
:class:`~eoproc.client.core.ApiCore` inherits); the functions below do the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .commands import Blocking, Call, Operation, Prepare, RetryPolicy, send
from .payloads import unique_name
from .responses import check, file_name
from .results import (
    PROGRESS_MIN_BYTES,
    is_link,
    is_zipped_directory,
    output_refs,
    part_path,
    pick_output,
    qualified_bytes,
    unzip_directory,
)

if TYPE_CHECKING:
    import httpx

    from eoproc.models import JobResults
    from eoproc.openers import Opener, ResultSource

    from .progress import ProgressBar

_ANY = {"Accept": "*/*"}


class OutputOperations:
    """The operations on a job's outputs, as sans-IO generators."""

    retry: RetryPolicy

    if TYPE_CHECKING:

        def get_job_results(self, job_id: str) -> Operation[JobResults]: ...

    def download_results(
        self, job_id: str, directory: str | Path, *, progress: bool | None = None
    ) -> Operation[list[Path]]:
        """Download a job's outputs given by reference into ``directory``; their paths.

        Each output gets its own file name; a Zarr output becomes a directory that
        ``xarray.open_zarr(path)`` opens. An interrupted download resumes where it
        stopped. ``progress``: bars for large files (default: in Jupyter or on a
        terminal).
        """
        from .progress import download_bars

        results = yield from self.get_job_results(job_id)
        bars = download_bars(progress)
        return (yield from download_results(results, directory, self.retry, bars))

    def result_source(
        self, job_id: str, output: str | None = None
    ) -> Operation[tuple[ResultSource, Opener]]:
        """Where an output is and the opener of its media type."""
        results = yield from self.get_job_results(job_id)
        return (yield from result_source(results, job_id, output, self.retry))

    def open_job_result(
        self, job_id: str, output: str | None = None, **kwargs: Any
    ) -> Operation[Any]:
        """An output of a job as a Python object, chosen by its media type.

        ``xarray.Dataset`` for Zarr (opened lazily over HTTP: only the chunks you
        use are read) and NetCDF, ``pandas.DataFrame`` for Parquet and CSV,
        ``geopandas.GeoDataFrame`` for GeoParquet and GeoJSON, ``PIL.Image`` for
        images, a numpy array for ``.npy``, the value for JSON, bytes otherwise
        (see :mod:`eoproc.openers`). ``output`` may be left out when the job has
        one output; ``kwargs`` go to the reader (e.g. ``chunks=`` for Zarr).
        Raises :class:`~eoproc.openers.NoOpenerError` naming the media type and
        the extra to install when nothing can open it. (The async client reads
        in a worker thread.)
        """
        source, opener = yield from self.result_source(job_id, output)
        if opener.streams and source.url is not None:
            url, headers = yield Prepare(source.url)  # the opener reads with our credentials
            source = replace(source, url=url, headers=headers)
        return (yield Blocking(partial(opener.open, source, **kwargs)))


def _length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _fixed(path: Path) -> Callable[[httpx.Response], Path]:
    def save_as(response: httpx.Response) -> Path:
        return path

    return save_as


def download_results(
    results: JobResults,
    directory: str | Path,
    retry: RetryPolicy,
    bars: Callable[[str], ProgressBar] | None = None,
) -> Operation[list[Path]]:
    """Download the outputs given by reference into ``directory``; their paths.

    Each output goes under its own file name; a directory output (Zarr)
    arrives as a zip and is unpacked into a directory of its name. A
    ``.part`` left by an interrupted download is resumed with ``Range``.
    ``bars(file name)`` makes a progress bar for each large download.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths: list[Path] = []
    for ref in output_refs(results.root):
        head = check((yield from send(Call("HEAD", ref.href, headers=_ANY), retry)))
        path = target / unique_name(file_name(head, ref.output_id), taken)
        size = _length(head)
        part = part_path(path)
        if part.is_file() and (size is None or part.stat().st_size >= size):
            part.unlink()  # not a prefix of this file: start again
        bar = bars(path.name) if bars is not None and (size or 0) >= PROGRESS_MIN_BYTES else None
        call = Call(
            "GET",
            ref.href,
            headers=_ANY,
            save_as=_fixed(path),
            resume=path,
            if_range=head.headers.get("etag") or head.headers.get("last-modified"),
            on_progress=bar.update if bar is not None else None,
        )
        try:
            answer = check((yield from send(call, retry)))
        finally:
            if bar is not None:
                bar.close()
        if is_zipped_directory(ref, answer.headers.get("content-type")):
            path = unzip_directory(path)
        paths.append(path)
    return paths


def result_source(
    results: JobResults, job_id: str, output: str | None, retry: RetryPolicy
) -> Operation[tuple[ResultSource, Opener]]:
    """Where an output is and the opener of its media type; the content is
    downloaded unless the opener streams it (e.g. Zarr, read lazily)."""
    from eoproc.openers import ResultSource, get_opener

    name, value = pick_output(job_id, results.root, output)
    if is_link(value):
        href = value["href"]
        media_type = value.get("type")
        if not media_type:
            head = check((yield from send(Call("HEAD", href, headers=_ANY), retry)))
            media_type = head.headers.get("content-type") or "application/octet-stream"
        opener = get_opener(media_type)
        if opener.streams:
            return ResultSource(media_type, url=href, name=name), opener
        answer = check((yield from send(Call("GET", href, headers=_ANY), retry)))
        source = ResultSource(media_type, url=str(answer.url), content=answer.content)
        return replace(source, name=name), opener
    qualified = qualified_bytes(value)
    if qualified is not None:
        content, media_type = qualified
        return ResultSource(media_type, content=content, name=name), get_opener(media_type)
    json_type = "application/json"
    return ResultSource(json_type, value=value, name=name), get_opener(json_type)
