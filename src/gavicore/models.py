"""eoproc's models under the names of upstream ``gavicore.models`` (a compatibility shim).

``from gavicore.models import ProcessRequest`` gives :class:`eoproc.models.ExecuteRequest`
(``ProcessRequest(duration=2)`` is a request with the input ``duration``);
``JobInfo`` is ``StatusInfo``, ``Capabilities`` the landing page, and so on. Every
name of :mod:`eoproc.models` is here; names are resolved on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import eoproc.models as _models

if TYPE_CHECKING:
    from eoproc.models import (
        CRS84,
        CRS84H,
        AdditionalParameter,
        AdditionalParameters,
        ApiError,
        Bbox,
        Capabilities,
        ConformanceDeclaration,
        DataType,
        DescriptionType,
        ExecuteRequest,
        Format,
        InputDescription,
        JobControlOptions,
        JobInfo,
        JobList,
        JobResults,
        JobStatus,
        LandingPage,
        Link,
        Metadata,
        OgcModel,
        Output,
        OutputDescription,
        ProblemDetails,
        ProcessDescription,
        ProcessList,
        ProcessRequest,
        ProcessSummary,
        QualifiedInputValue,
        Reference,
        ResponseType,
        Results,
        Schema,
        StatusInfo,
        Subscriber,
        TransmissionMode,
    )

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
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_models, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
