"""Execute requests and the values they carry."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from .base import OgcModel
from .process import TransmissionMode

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/0/CRS84h"


class ResponseType(StrEnum):
    """The kind of answer a synchronous execution gives (``execute.yaml``)."""

    raw = "raw"
    document = "document"


class Format(OgcModel):
    """A media type, encoding and schema (``format.yaml``)."""

    mediaType: str | None = None
    encoding: str | None = None
    schema_: str | dict[str, Any] | None = Field(default=None, alias="schema")


class Output(OgcModel):
    """How one requested output is to be delivered (``output.yaml``)."""

    format: Format | None = None
    transmissionMode: TransmissionMode | None = None


class Subscriber(OgcModel):
    """Callback URIs for a job (``subscriber.yaml``)."""

    successUri: str | None = None
    inProgressUri: str | None = None
    failedUri: str | None = None


class Bbox(OgcModel):
    """A bounding box value (``bbox.yaml``)."""

    bbox: list[float] = Field(min_length=4, max_length=6)
    crs: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Bbox:
        if len(self.bbox) not in (4, 6):
            raise ValueError("a bbox has 4 or 6 numbers")
        if self.crs is not None and self.crs not in (CRS84, CRS84H):
            raise ValueError(f"crs must be {CRS84!r} or {CRS84H!r}")
        return self


class QualifiedInputValue(Format):
    """A value with its media type, encoding and schema (``qualifiedInputValue.yaml``)."""

    value: Any


class Reference(OgcModel):
    """A reference to a schema (``reference.yaml``)."""

    ref: str = Field(alias="$ref")


_EXECUTE_MEMBERS = frozenset({"inputs", "outputs", "response", "subscriber"})


class ExecuteRequest(OgcModel):
    """A process execution request (``execute.yaml``).

    Input values may be given directly as keywords:
    ``ExecuteRequest(duration=2)`` is ``ExecuteRequest(inputs={"duration": 2})``.
    Any member that is not one of ``inputs``, ``outputs``, ``response`` and
    ``subscriber`` is taken as an input.
    """

    inputs: dict[str, Any] | None = None
    outputs: dict[str, Output] | None = None
    response: ResponseType | None = None
    subscriber: Subscriber | None = None

    @model_validator(mode="before")
    @classmethod
    def _inputs_shortcut(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        shortcut = {k: v for k, v in data.items() if k not in _EXECUTE_MEMBERS}
        if not shortcut:
            return data
        members = {k: v for k, v in data.items() if k in _EXECUTE_MEMBERS}
        inputs = dict(members.get("inputs") or {})
        inputs.update(shortcut)
        members["inputs"] = inputs
        return members


ProcessRequest = ExecuteRequest
