"""The standard's ``callback`` class on the HTTP side: subscriber checks and documentation.

An execute request may name a ``subscriber`` (``successUri``, ``inProgressUri``,
``failedUri``). Each URI must be an absolute ``http``/``https`` URL whose host
the server may connect to: the same :class:`~.security.netpolicy.AddressPolicy`
as input references (a server on a public interface refuses private, loopback
and link-local hosts unless allowed with ``--allow-input-host``); else 400.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol, runtime_checkable

from .security.netpolicy import AddressPolicy
from .security.subscriber import URI_NAMES, check_subscriber

__all__ = [
    "CALLBACK_CONFORMANCE",
    "OPENAPI_CALLBACKS",
    "URI_NAMES",
    "DeliversCallbacks",
    "check_subscriber",
    "request_base",
]

CALLBACK_CONFORMANCE = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback"

request_base: ContextVar[str | None] = ContextVar("eoproc_request_base", default=None)
"""The base URL of the request being served (callbacks carry absolute links)."""


@runtime_checkable
class DeliversCallbacks(Protocol):
    """Optional capability of a :class:`~.service.Service`: it calls subscribers back."""

    callback_policy: AddressPolicy | None
    """The addresses callbacks may go to (set by ``create_app`` from the security config)."""

    async def job_callbacks(self, job_id: str) -> list[dict[str, Any]]:
        """The callbacks of a job and the outcome of their delivery."""
        ...


def _callback(schema: str, description: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": description,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": schema}}},
            },
            "responses": {"200": {"description": "Received (any 2xx answer will do)"}},
        }
    }


OPENAPI_CALLBACKS: dict[str, Any] = {
    "jobInProgress": {
        "{$request.body#/subscriber/inProgressUri}": _callback(
            "#/components/schemas/StatusInfo", "The job's status: running, and each progress"
        )
    },
    "jobCompleted": {
        "{$request.body#/subscriber/successUri}": _callback(
            "#/components/schemas/JobResults", "The results document of the successful job"
        )
    },
    "jobFailed": {
        "{$request.body#/subscriber/failedUri}": _callback(
            "#/components/schemas/StatusInfo", "The job's status: failed or dismissed"
        )
    },
}
"""The ``callbacks`` of the execute operation (the standard's ``callbacks.yaml`` example)."""
