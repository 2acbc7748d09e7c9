"""Job status, job lists and results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field, RootModel, field_validator

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


class StatusInfo(OgcModel):
    """The status of one job (``statusInfo.yaml``).

    ``type`` defaults to ``"process"`` and is always written, so that documents
    from servers that omit it are read and documents we write are valid.
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
