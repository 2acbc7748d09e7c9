"""The I/O of event streams: perform :class:`OpenStream`, :class:`ReadStream` and
:class:`CloseStream` with a sync or async ``httpx`` client (see ``drivers``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from .commands import Call, CloseStream, OpenStream, ReadStream

StreamCommand = OpenStream | ReadStream | CloseStream


def _request(http: httpx.Client | httpx.AsyncClient, command: OpenStream) -> httpx.Request:
    call: Call = command.call
    request = http.build_request(
        call.method, call.url, params=call.params, json=call.json, headers=call.headers
    )
    if command.read_timeout is not None:
        limits = http.timeout
        request.extensions["timeout"] = httpx.Timeout(
            connect=limits.connect,
            read=max(command.read_timeout, 0.001),
            write=limits.write,
            pool=limits.pool,
        ).as_dict()
    return request


class SyncStreams:
    """The open streams of one sync run; :meth:`close` ends those left open."""

    def __init__(self) -> None:
        self._bodies: dict[int, tuple[httpx.Response, Iterator[bytes]]] = {}

    def perform(self, http: httpx.Client, command: StreamCommand) -> Any:
        """The outcome of ``command`` (see the commands)."""
        try:
            if isinstance(command, OpenStream):
                response = http.send(_request(http, command), stream=True)
                if not response.is_success:
                    response.read()
                    response.close()
                    return response
                self._bodies[id(response)] = (response, response.iter_bytes())
                return response
            if isinstance(command, ReadStream):
                entry = self._bodies.get(id(command.response))
                return b"" if entry is None else next(entry[1], b"")
            self._close(command.response)
            return None
        except httpx.TransportError as error:
            return error

    def _close(self, response: Any) -> None:
        entry = self._bodies.pop(id(response), None)
        if entry is not None:
            entry[0].close()

    def close(self) -> None:
        """Close every stream still open."""
        for response, _ in list(self._bodies.values()):
            self._close(response)


class AsyncStreams:
    """The open streams of one async run; :meth:`aclose` ends those left open."""

    def __init__(self) -> None:
        self._bodies: dict[int, tuple[httpx.Response, AsyncIterator[bytes]]] = {}

    async def perform(self, http: httpx.AsyncClient, command: StreamCommand) -> Any:
        """The outcome of ``command`` (see the commands)."""
        try:
            if isinstance(command, OpenStream):
                response = await http.send(_request(http, command), stream=True)
                if not response.is_success:
                    await response.aread()
                    await response.aclose()
                    return response
                self._bodies[id(response)] = (response, response.aiter_bytes())
                return response
            if isinstance(command, ReadStream):
                entry = self._bodies.get(id(command.response))
                if entry is None:
                    return b""
                try:
                    return await anext(entry[1])
                except StopAsyncIteration:
                    return b""
            await self._close(command.response)
            return None
        except httpx.TransportError as error:
            return error

    async def _close(self, response: Any) -> None:
        entry = self._bodies.pop(id(response), None)
        if entry is not None:
            await entry[0].aclose()

    async def aclose(self) -> None:
        """Close every stream still open."""
        for response, _ in list(self._bodies.values()):
            await self._close(response)
