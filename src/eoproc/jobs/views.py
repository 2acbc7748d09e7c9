"""What the job service answers about stored jobs: status, results, result files."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from eoproc.models import JobResults, JobStatus, StatusInfo
from eoproc.server.service import (
    JobDismissed,
    JobFailed,
    NoSuchJob,
    ResultFile,
    ResultNotReady,
)

from .results import MAX_INLINE_READ, StoredResults, read_file_output
from .store import JobRecord, to_datetime


def status_info(record: JobRecord) -> StatusInfo:
    """The ``StatusInfo`` of a stored job (links are the server's business)."""
    fields: dict[str, Any] = {
        "processID": record.process_id,
        "jobID": record.id,
        "status": record.status,
        "created": to_datetime(record.created),
        "updated": to_datetime(record.updated),
    }
    if record.message is not None:
        fields["message"] = record.message
    if record.started is not None:
        fields["started"] = to_datetime(record.started)
    if record.finished is not None:
        fields["finished"] = to_datetime(record.finished)
    if record.progress is not None:
        fields["progress"] = record.progress
    if record.retries > 0:  # a retry-safe process: which run this is, of how many allowed
        fields["attempt"] = record.attempts
        fields["maxAttempts"] = record.retries + 1
    return StatusInfo(**fields)


def check_successful(record: JobRecord) -> None:
    """Raise the error a request for the results of a job that did not succeed gets."""
    job_id = record.id
    if record.status == JobStatus.dismissed:
        raise JobDismissed(f"Job {job_id!r} was dismissed; it has no results.")
    if record.status == JobStatus.failed:
        error = json.loads(record.error_json) if record.error_json else {}
        extra: dict[str, Any] = {"jobID": job_id, "processID": record.process_id}
        if error.get("traceback"):  # the server shows it only in debug mode
            extra["traceback"] = error["traceback"].splitlines()
        raise JobFailed(error.get("message") or record.message or "The job failed.", extra=extra)
    if record.status != JobStatus.successful:
        raise ResultNotReady(
            f"Job {job_id!r} is {record.status.value}; its results are not ready yet."
        )


async def results_document(record: JobRecord, job_dir: Path) -> JobResults:
    """The results of a successful job, limited to the outputs it requested.

    Outputs kept as files are inlined unless asked by reference (or huge);
    files the process wrote and linked are links to ``results/{output}``.
    """
    stored = StoredResults.decode(record.results_json)
    requested: dict[str, Any] = json.loads(record.outputs_json) if record.outputs_json else {}
    results: dict[str, Any] = {}
    for output_id in requested or stored.output_ids():
        if output_id in stored.values:
            results[output_id] = stored.values[output_id]
        elif output_id in stored.files:
            info = stored.files[output_id]
            mode = requested.get(output_id, {}).get("transmissionMode")
            if "link" in info:
                results[output_id] = await _file_output(output_id, info, job_dir, mode)
                continue
            by_reference = mode == "reference"
            if by_reference or info["size"] > MAX_INLINE_READ:
                link = {"href": f"results/{output_id}", "type": info["type"]}
                results[output_id] = {**link, "length": info["size"]}
            else:
                path = job_dir / info["file"]
                results[output_id] = await asyncio.to_thread(read_file_output, path)
    return JobResults(results)


async def _file_output(
    output_id: str, info: dict[str, Any], job_dir: Path, mode: str | None
) -> Any:
    """A file the process wrote: a link to ``results/{output}``, or its value if asked so.

    By value (``transmissionMode: value``), a JSON file is its JSON value and any
    other file a qualified value (base64); a directory is always a link.
    """
    media_type = info.get("type") or "application/octet-stream"
    small = info["size"] <= MAX_INLINE_READ
    if mode == "value" and small and not info.get("directory"):
        data = await asyncio.to_thread((job_dir / info["file"]).read_bytes)
        if media_type.split(";")[0].strip() == "application/json":
            return json.loads(data)
        return {
            "value": base64.b64encode(data).decode("ascii"),
            "encoding": "base64",
            "mediaType": media_type,
        }
    return {**info["link"], "href": f"results/{output_id}", "length": info["size"]}


async def result_file(record: JobRecord, output_id: str, job_dir: Path) -> ResultFile:
    """The file or directory behind an output of a successful job.

    A directory comes with where its zip archive is cached (made by the server
    on the first download of the whole directory).
    """
    info = StoredResults.decode(record.results_json).files.get(output_id)
    if info is None:
        raise NoSuchJob(f"Job {record.id!r} has no output {output_id!r} kept as a file.")
    path = job_dir / info["file"]
    if info.get("directory"):
        digest = hashlib.sha1(output_id.encode()).hexdigest()[:16]
        return ResultFile(
            path=path,
            media_type=info["type"],
            directory=True,
            archive=job_dir / ".archives" / f"{digest}.zip",
        )
    return ResultFile(path=path, media_type=info["type"])
