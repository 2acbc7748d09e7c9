"""The only I/O of the client: perform the commands of an operation, sync or async."""

from __future__ import annotations

import inspect
import os
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .commands import (
    Blocking,
    Call,
    CloseStream,
    Command,
    Emit,
    Notify,
    OpenStream,
    Operation,
    Prepare,
    ReadStream,
    Sleep,
)
from .config import ClientConfig
from .errors import ConfigError
from .results import part_path
from .streaming import AsyncStreams, SyncStreams

T = TypeVar("T")

_TRANSPORT_HEADERS = frozenset(
    {"accept", "accept-encoding", "connection", "content-length", "host", "content-type"}
)


def http_options(
    config: ClientConfig, auth: httpx.Auth | None, user_agent: str, *, is_async: bool = False
) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client``/``httpx.AsyncClient`` from ``config``.

    Credentials (auth headers and the configured extra headers) are removed from
    every request to another origin than the API's, redirects included.
    """
    from .origins import credential_headers, origin_guard

    guard = origin_guard(config.api_url, {*config.headers, *credential_headers(auth)})

    async def async_guard(request: httpx.Request) -> None:
        guard(request)

    return {
        "event_hooks": {"request": [async_guard if is_async else guard]},
        "base_url": config.api_url,
        "timeout": httpx.Timeout(
            config.read_timeout,
            connect=config.connect_timeout,
            pool=config.connect_timeout,
        ),
        "headers": {"Accept": "application/json", "User-Agent": user_agent, **config.headers},
        "auth": auth,
        "follow_redirects": True,
    }


def _needs_eager_tls() -> bool:
    """Proxies from the environment need httpx's own transport set-up."""
    return any(name.lower().endswith("_proxy") and value for name, value in os.environ.items())


class _LazySyncTransport(httpx.BaseTransport):
    """Creates the TLS transport (loading CA certificates is slow) on first use."""

    def __init__(self, factory: Callable[[], httpx.BaseTransport]) -> None:
        self._factory = factory
        self._inner: httpx.BaseTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if self._inner is None:
                self._inner = self._factory()
        return self._inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


class _LazyAsyncTransport(httpx.AsyncBaseTransport):
    """Creates the TLS transport on first use (async)."""

    def __init__(self, factory: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._factory = factory
        self._inner: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._inner = self._factory()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def tls_verify(config: ClientConfig) -> ssl.SSLContext | bool:
    """``verify`` for httpx: True, False, or a context trusting a CA bundle file or directory."""
    value = config.verify_tls
    if isinstance(value, bool):
        return value
    path = Path(value).expanduser()
    try:
        if path.is_dir():
            return ssl.create_default_context(capath=str(path))
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(f"Cannot load the CA certificates in {path}: {error}.") from error


def _plain_context() -> ssl.SSLContext:
    """A context for the plain-HTTP transport, which never speaks TLS itself."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def sync_http(
    config: ClientConfig, options: dict[str, Any], transport: httpx.BaseTransport | None
) -> httpx.Client:
    """An ``httpx.Client`` that loads TLS certificates only when it first needs them."""
    if transport is not None or _needs_eager_tls():
        return httpx.Client(transport=transport, verify=tls_verify(config), **options)
    return httpx.Client(
        transport=httpx.HTTPTransport(verify=_plain_context()),
        mounts={
            "https://": _LazySyncTransport(lambda: httpx.HTTPTransport(verify=tls_verify(config)))
        },
        **options,
    )


def async_http(
    config: ClientConfig, options: dict[str, Any], transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that loads TLS certificates only when it first needs them."""
    if transport is not None or _needs_eager_tls():
        return httpx.AsyncClient(transport=transport, verify=tls_verify(config), **options)
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(verify=_plain_context()),
        mounts={
            "https://": _LazyAsyncTransport(
                lambda: httpx.AsyncHTTPTransport(verify=tls_verify(config))
            )
        },
        **options,
    )


def _request(http: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
    headers = dict(call.headers or {})
    if call.resume is not None:
        done = _part(call.resume).stat().st_size if _part(call.resume).is_file() else 0
        if done and call.if_range:
            headers["Range"] = f"bytes={done}-"
            headers["If-Range"] = call.if_range
    return http.build_request(
        call.method,
        call.url,
        params=call.params,
        json=call.json,
        content=call.content,
        headers=headers or None,
    )


_part = part_path


class _Sink:
    """Writes a streamed answer to ``path``'s ``.part`` (appending on 206), then renames it."""

    def __init__(self, call: Call, response: httpx.Response) -> None:
        assert call.save_as is not None
        self.call = call
        self.path = call.save_as(response)
        part = _part(self.path)
        self.append = response.status_code == 206 and part.is_file()
        self.done = part.stat().st_size if self.append else 0
        length = response.headers.get("content-length")
        self.total = self.done + int(length) if length and length.isdigit() else None
        self.file = part.open("ab" if self.append else "wb")

    def write(self, chunk: bytes) -> None:
        self.file.write(chunk)
        self.done += len(chunk)
        if self.call.on_progress is not None:
            self.call.on_progress(self.done, self.total)

    def finish(self) -> None:
        self.file.close()
        _part(self.path).replace(self.path)

    def close(self) -> None:
        """Close; a ``.part`` left behind is resumed by the next attempt."""
        self.file.close()


def _prepared(request: httpx.Request) -> tuple[str, dict[str, str]]:
    """The URL and headers of a request, without those of the transport."""
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in _TRANSPORT_HEADERS
    }
    return str(request.url), headers


def prepare_sync(http: httpx.Client, url: str) -> tuple[str, dict[str, str]]:
    """The URL and headers of a GET of ``url`` as ``http`` would send it (auth, hooks)."""
    request = http.build_request("GET", url)
    if http.auth is not None:
        flow = http.auth.sync_auth_flow(request)
        request = next(flow)
        flow.close()
    for hook in http.event_hooks["request"]:  # the same-origin guard drops credentials
        hook(request)
    return _prepared(request)


async def prepare_async(http: httpx.AsyncClient, url: str) -> tuple[str, dict[str, str]]:
    """The URL and headers of a GET of ``url`` as ``http`` would send it (async)."""
    request = http.build_request("GET", url)
    if http.auth is not None:
        flow = http.auth.async_auth_flow(request)
        request = await flow.__anext__()
        await flow.aclose()
    for hook in http.event_hooks["request"]:
        await hook(request)
    return _prepared(request)


def run_sync(http: httpx.Client, operation: Operation[T]) -> T:
    """Run ``operation`` to its end with a sync client (events it emits are dropped)."""
    streams = SyncStreams()
    try:
        command: Command = next(operation)
        while True:
            command = operation.send(_perform_sync(http, command, streams))
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        operation.close()
        streams.close()


def iterate_sync(http: httpx.Client, operation: Operation[Any]) -> Iterator[Any]:
    """Run ``operation`` with a sync client, yielding the values it emits."""
    streams = SyncStreams()
    try:
        command: Command = next(operation)
        while True:
            if isinstance(command, Emit):
                yield command.value
                command = operation.send(None)
            else:
                command = operation.send(_perform_sync(http, command, streams))
    except StopIteration:
        return
    finally:
        operation.close()
        streams.close()


def _perform_sync(http: httpx.Client, command: Command, streams: SyncStreams) -> Any:
    if isinstance(command, OpenStream | ReadStream | CloseStream):
        return streams.perform(http, command)
    if isinstance(command, Emit):
        return None
    if isinstance(command, Sleep):
        time.sleep(command.seconds)
        return None
    if isinstance(command, Notify):
        return command.callback(command.value)
    if isinstance(command, Prepare):
        return prepare_sync(http, command.url)
    if isinstance(command, Blocking):
        return command.function()
    request = _request(http, command)
    try:
        if command.save_as is None:
            return http.send(request)
        response = http.send(request, stream=True)
        try:
            if not response.is_success:
                response.read()
                return response
            sink = _Sink(command, response)
            try:
                for chunk in response.iter_bytes():
                    sink.write(chunk)
                sink.finish()
            finally:
                sink.close()
            return response
        finally:
            response.close()
    except httpx.TransportError as error:
        return error


async def run_async(http: httpx.AsyncClient, operation: Operation[T]) -> T:
    """Run ``operation`` to its end with an async client (events it emits are dropped)."""
    streams = AsyncStreams()
    try:
        command: Command = next(operation)
        while True:
            command = operation.send(await _perform_async(http, command, streams))
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        operation.close()
        await streams.aclose()


async def iterate_async(http: httpx.AsyncClient, operation: Operation[Any]) -> AsyncIterator[Any]:
    """Run ``operation`` with an async client, yielding the values it emits."""
    streams = AsyncStreams()
    try:
        command: Command = next(operation)
        while True:
            if isinstance(command, Emit):
                yield command.value
                command = operation.send(None)
            else:
                command = operation.send(await _perform_async(http, command, streams))
    except StopIteration:
        return
    finally:
        operation.close()
        await streams.aclose()


async def _perform_async(http: httpx.AsyncClient, command: Command, streams: AsyncStreams) -> Any:
    if isinstance(command, OpenStream | ReadStream | CloseStream):
        return await streams.perform(http, command)
    if isinstance(command, Emit):
        return None
    if isinstance(command, Sleep):
        import anyio

        await anyio.sleep(command.seconds)
        return None
    if isinstance(command, Notify):
        result = command.callback(command.value)
        return (await result) if inspect.isawaitable(result) else result
    if isinstance(command, Prepare):
        return await prepare_async(http, command.url)
    if isinstance(command, Blocking):
        import anyio

        return await anyio.to_thread.run_sync(command.function)
    request = _request(http, command)
    try:
        if command.save_as is None:
            return await http.send(request)
        response = await http.send(request, stream=True)
        try:
            if not response.is_success:
                await response.aread()
                return response
            sink = _Sink(command, response)
            try:
                async for chunk in response.aiter_bytes():
                    sink.write(chunk)
                sink.finish()
            finally:
                sink.close()
            return response
        finally:
            await response.aclose()
    except httpx.TransportError as error:
        return error
