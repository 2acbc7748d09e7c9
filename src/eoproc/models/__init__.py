"""Pydantic models of every schema of OGC API - Processes - Part 1: Core, 1.0.

Names are imported on first use (``from eoproc.models import ProcessList`` loads
the process models only), and each model builds its validator when it is first
used, so that a short-lived program pays only for what it needs.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import OgcModel
    from .common import (
        ApiError,
        Capabilities,
        ConformanceDeclaration,
        LandingPage,
        Link,
        ProblemDetails,
    )
    from .execute import (
        CRS84,
        CRS84H,
        Bbox,
        ExecuteRequest,
        Format,
        Output,
        ProcessRequest,
        QualifiedInputValue,
        Reference,
        ResponseType,
        Subscriber,
    )
    from .job import JobInfo, JobList, JobResults, JobStatus, Results, StatusInfo
    from .process import (
        AdditionalParameter,
        AdditionalParameters,
        DescriptionType,
        InputDescription,
        JobControlOptions,
        Metadata,
        OutputDescription,
        ProcessDescription,
        ProcessList,
        ProcessSummary,
        TransmissionMode,
    )
    from .schema import DataType, Schema

_MODULES = {
    "AdditionalParameter": "process",
    "AdditionalParameters": "process",
    "ApiError": "common",
    "Bbox": "execute",
    "CRS84": "execute",
    "CRS84H": "execute",
    "Capabilities": "common",
    "ConformanceDeclaration": "common",
    "DataType": "schema",
    "DescriptionType": "process",
    "ExecuteRequest": "execute",
    "Format": "execute",
    "InputDescription": "process",
    "JobControlOptions": "process",
    "JobInfo": "job",
    "JobList": "job",
    "JobResults": "job",
    "JobStatus": "job",
    "LandingPage": "common",
    "Link": "common",
    "Metadata": "process",
    "OgcModel": "base",
    "Output": "execute",
    "OutputDescription": "process",
    "ProblemDetails": "common",
    "ProcessDescription": "process",
    "ProcessList": "process",
    "ProcessRequest": "execute",
    "ProcessSummary": "process",
    "QualifiedInputValue": "execute",
    "Reference": "execute",
    "ResponseType": "execute",
    "Results": "job",
    "Schema": "schema",
    "StatusInfo": "job",
    "Subscriber": "execute",
    "TransmissionMode": "process",
}

__all__ = [
    "CRS84",
    "CRS84H",
    "AdditionalParameter",
    "AdditionalParameters",
    "ApiError",
    "Bbox",
    "Capabilities",
    "ConformanceDeclaration",
    "DataType",
    "DescriptionType",
    "ExecuteRequest",
    "Format",
    "InputDescription",
    "JobControlOptions",
    "JobInfo",
    "JobList",
    "JobResults",
    "JobStatus",
    "LandingPage",
    "Link",
    "Metadata",
    "OgcModel",
    "Output",
    "OutputDescription",
    "ProblemDetails",
    "ProcessDescription",
    "ProcessList",
    "ProcessRequest",
    "ProcessSummary",
    "QualifiedInputValue",
    "Reference",
    "ResponseType",
    "Results",
    "Schema",
    "StatusInfo",
    "Subscriber",
    "TransmissionMode",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
