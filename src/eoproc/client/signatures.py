"""Types the client's operations share; a leaf module (it imports nothing of the client).

:class:`ExecuteProcess` is the one declaration of ``execute_process``'s overloads
(what it returns depends on ``mode``): ``Client`` and ``AsyncClient`` declare their
``execute_process`` with it, the implementation is the core's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, overload

if TYPE_CHECKING:
    from eoproc.models import ExecuteRequest, StatusInfo

ExecutionMode = Literal["async", "sync", "auto"]
ProgressCallback = Callable[["StatusInfo"], Any]

Status = TypeVar("Status", covariant=True)
Results = TypeVar("Results", covariant=True)
Either = TypeVar("Either", covariant=True)


class ExecuteProcess(Protocol[Status, Results, Either]):
    """``execute_process``: a job's ``Status`` (async), its ``Results`` (sync) or ``Either``."""

    @overload
    def __call__(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: Literal["async"] = "async",
    ) -> Status: ...

    @overload
    def __call__(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: Literal["sync"],
    ) -> Results: ...

    @overload
    def __call__(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: ExecutionMode,
    ) -> Either: ...
