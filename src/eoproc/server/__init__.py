"""The OGC API - Processes server: ``create_app(service)`` and the ``Service`` protocol.

``create_app`` is imported lazily, so that importing :mod:`eoproc.server.service`
(as job workers do) does not import FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .service import (
    InvalidInput,
    JobDismissed,
    JobFailed,
    JobPage,
    JobQuery,
    NoSuchJob,
    NoSuchProcess,
    ResultFile,
    ResultNotReady,
    Service,
    ServiceError,
    ServiceUnavailable,
)

if TYPE_CHECKING:
    from .app import DEFAULT_MAX_BODY_SIZE, create_app


def __getattr__(name: str) -> Any:
    if name in ("create_app", "DEFAULT_MAX_BODY_SIZE"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "InvalidInput",
    "JobDismissed",
    "JobFailed",
    "JobPage",
    "JobQuery",
    "NoSuchJob",
    "NoSuchProcess",
    "ResultFile",
    "ResultNotReady",
    "Service",
    "ServiceError",
    "ServiceUnavailable",
    "create_app",
]
