"""Client methods made from the core's operations: one signature, two drivers.

``get_job = sync_operation(ApiCore.get_job)`` in :class:`~eoproc.client.Client`
gives it a method with the parameters and docstring of ``ApiCore.get_job`` that
runs the operation with the client's sync driver; ``async_operation`` makes the
coroutine method of :class:`~eoproc.client.AsyncClient`. Type checkers see the
core's parameters and the operation's result (awaitable for the async client).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from .commands import Operation
from .drivers import iterate_async, iterate_sync

if TYPE_CHECKING:
    import httpx

    from .core import ApiCore

P = ParamSpec("P")
T = TypeVar("T")
E = TypeVar("E")


class SyncRunner(Protocol):
    """What a sync client gives its methods: the core and a driver."""

    _core: ApiCore

    @property
    def http(self) -> httpx.Client: ...

    def _run(self, operation: Operation[T]) -> T: ...


class AsyncRunner(Protocol):
    """What an async client gives its methods: the core and a driver."""

    _core: ApiCore

    @property
    def http(self) -> httpx.AsyncClient: ...

    async def _run(self, operation: Operation[T]) -> T: ...


def sync_operation(
    operation: Callable[Concatenate[ApiCore, P], Operation[T]],
) -> Callable[Concatenate[SyncRunner, P], T]:
    """A sync client method that runs ``operation`` of the client's core."""

    def method(self: SyncRunner, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._run(operation(self._core, *args, **kwargs))

    return _like(method, operation)


def async_operation(
    operation: Callable[Concatenate[ApiCore, P], Operation[T]],
) -> Callable[Concatenate[AsyncRunner, P], Coroutine[Any, Any, T]]:
    """An async client method (a coroutine) that runs ``operation`` of the client's core."""

    async def method(self: AsyncRunner, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._run(operation(self._core, *args, **kwargs))

    return _like(method, operation)


def sync_stream(
    operation: Callable[Concatenate[ApiCore, P], Operation[Any]], item: type[E]
) -> Callable[Concatenate[SyncRunner, P], Iterator[E]]:
    """A sync client method iterating over the ``item`` values ``operation`` emits."""

    def method(self: SyncRunner, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[E]:
        return iterate_sync(self.http, operation(self._core, *args, **kwargs))

    return _like(method, operation, f"Iterator[{item.__name__}]")


def async_stream(
    operation: Callable[Concatenate[ApiCore, P], Operation[Any]], item: type[E]
) -> Callable[Concatenate[AsyncRunner, P], AsyncIterator[E]]:
    """An async client method iterating over the ``item`` values ``operation`` emits."""

    def method(self: AsyncRunner, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[E]:
        return iterate_async(self.http, operation(self._core, *args, **kwargs))

    return _like(method, operation, f"AsyncIterator[{item.__name__}]")


F = TypeVar("F", bound=Callable[..., Any])


def _like(method: F, operation: Callable[..., Any], returns: str | None = None) -> F:
    """``method`` named, documented and signed as ``operation`` (returning its result)."""
    method.__name__ = method.__qualname__ = operation.__name__
    method.__doc__ = operation.__doc__
    signature = inspect.signature(operation)
    result = signature.return_annotation
    if returns is None and isinstance(result, str) and result.startswith("Operation["):
        returns = result.removeprefix("Operation[").removesuffix("]")
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=returns if returns is not None else result
    )
    return method
