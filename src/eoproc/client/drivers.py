"""The only I/O of the client: perform the commands of an operation, sync or async."""

from __future__ import annotations

import inspect
import os
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .commands import Call, Command, Notify, Operation, Sleep
from .config import ClientConfig
from .errors import ConfigError

T = TypeVar("T")


def http_options(
    config: ClientConfig, auth: httpx.Auth | None, user_agent: str, *, is_async: bool = False
) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client``/``httpx.AsyncClient`` from ``config``.

    Credentials (auth headers and the configured extra headers) are removed from
    every request to another origin than the API's, redirects included.
    """
    from .auth import credential_headers, origin_guard

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
    return http.build_request(
        call.method, call.url, params=call.params, json=call.json, headers=call.headers
    )


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def run_sync(http: httpx.Client, operation: Operation[T]) -> T:
    """Run ``operation`` to its end with a sync client."""
    try:
        command: Command = next(operation)
        while True:
            command = operation.send(_perform_sync(http, command))
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        operation.close()


def _perform_sync(http: httpx.Client, command: Command) -> Any:
    if isinstance(command, Sleep):
        time.sleep(command.seconds)
        return None
    if isinstance(command, Notify):
        return command.callback(command.value)
    request = _request(http, command)
    try:
        if command.save_as is None:
            return http.send(request)
        response = http.send(request, stream=True)
        try:
            if not response.is_success:
                response.read()
                return response
            path = command.save_as(response)
            try:
                with _part(path).open("wb") as file:
                    for chunk in response.iter_bytes():
                        file.write(chunk)
                _part(path).replace(path)
            finally:
                _part(path).unlink(missing_ok=True)
            return response
        finally:
            response.close()
    except httpx.TransportError as error:
        return error


async def run_async(http: httpx.AsyncClient, operation: Operation[T]) -> T:
    """Run ``operation`` to its end with an async client."""
    try:
        command: Command = next(operation)
        while True:
            command = operation.send(await _perform_async(http, command))
    except StopIteration as stop:
        result: T = stop.value
        return result
    finally:
        operation.close()


async def _perform_async(http: httpx.AsyncClient, command: Command) -> Any:
    if isinstance(command, Sleep):
        import anyio

        await anyio.sleep(command.seconds)
        return None
    if isinstance(command, Notify):
        result = command.callback(command.value)
        return (await result) if inspect.isawaitable(result) else result
    request = _request(http, command)
    try:
        if command.save_as is None:
            return await http.send(request)
        response = await http.send(request, stream=True)
        try:
            if not response.is_success:
                await response.aread()
                return response
            path = command.save_as(response)
            try:
                with _part(path).open("wb") as file:
                    async for chunk in response.aiter_bytes():
                        file.write(chunk)
                _part(path).replace(path)
            finally:
                _part(path).unlink(missing_ok=True)
            return response
        finally:
            await response.aclose()
    except httpx.TransportError as error:
        return error
