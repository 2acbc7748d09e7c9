"""Job status, job lists and results."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, RootModel, field_validator, model_validator

from .base import OgcModel
from .common import Link


class JobStatus(StrEnum):
    """The status of a job (``statusCode.yaml``)."""

    accepted = "accepted"
    running = "running"
    successful = "successful"
    failed = "failed"
    dismissed = "dismissed"

    @property
    def is_final(self) -> bool:
        """Whether a job in this status will never change again."""
        return self in (JobStatus.successful, JobStatus.failed, JobStatus.dismissed)


_PROCESS_URI = re.compile(r"^https?://.*/processes/(?P<id>[^/?#]+)/?$")


def status_document(body: Any) -> Any:
    """A status info of OGC API - Processes 2.0 read as 1.0: ``id`` becomes ``jobID``;
    a ``processID`` that is a process URI becomes the process id (the URI stays as
    ``processURI``). Anything else is returned as it is."""
    if not isinstance(body, dict):
        return body
    if "jobID" not in body and isinstance(body.get("id"), str):
        body = {"jobID": body["id"], **{k: v for k, v in body.items() if k != "id"}}
    process = body.get("processID")
    match = _PROCESS_URI.match(process) if isinstance(process, str) else None
    if match is not None:
        from urllib.parse import unquote

        body = {**body, "processID": unquote(match["id"]), "processURI": process}
    return body


class StatusInfo(OgcModel):
    """The status of one job (``statusInfo.yaml``).

    ``type`` defaults to ``"process"`` and is always written, so that documents
    from servers that omit it are read and documents we write are valid. Status
    info of OGC API - Processes 2.0 (``id``, ``processID`` as a URI) is read too
    (see :func:`status_document`).
    """

    _always_dump: ClassVar[tuple[str, ...]] = ("type",)

    processID: str | None = None
    type: str = "process"
    jobID: str
    status: JobStatus
    message: str | None = None
    created: datetime | None = None
    started: datetime | None = None
    finished: datetime | None = None
    updated: datetime | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    links: list[Link] | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_2_0(cls, value: Any) -> Any:
        return status_document(value)

    @field_validator("progress", mode="before")
    @classmethod
    def _round_progress(cls, value: Any) -> Any:
        if isinstance(value, float):
            return max(0, min(100, round(value)))
        return value


class JobList(OgcModel):
    """A list of jobs (``jobList.yaml``)."""

    jobs: list[StatusInfo]
    links: list[Link]


class JobResults(RootModel[dict[str, Any]]):
    """The results of a job (``results.yaml``): output id to value or link."""

    def to_dict(self) -> dict[str, Any]:
        """The results as a JSON-compatible mapping."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def __getitem__(self, key: str) -> Any:
        return self.root[key]

    def __iter__(self) -> Any:
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __repr__(self) -> str:
        return f"JobResults({self.root!r})"

    def __str__(self) -> str:
        return str(self.root)


JobInfo = StatusInfo
Results = JobResults
