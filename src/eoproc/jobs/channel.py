"""The message channel between the worker pool and a worker process, for messages of any size.

A message is a picklable object sent as one frame: an 8-byte big-endian length,
then the pickle. The two ends sit on a socket pair:

- the worker holds a :class:`BlockingChannel` (blocking reads and writes: it has
  nothing else to do while it waits);
- the pool holds a :class:`LoopChannel` on the asyncio event loop: non-blocking
  reads gather partial frames until a frame is whole, and writes that the socket
  cannot take at once wait in a buffer (the loop never blocks on a worker).

A frame that cannot be decoded breaks the channel: the pool logs it and fails the
job at once (it never stays ``running``).
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import select
import socket
import struct
from collections.abc import Callable
from typing import Any

HEADER = struct.Struct("!Q")
READ_SIZE = 1 << 20
"""Bytes read from the socket at once by the pool."""


def pack(message: Any) -> bytes:
    """One frame: length, then the pickle of ``message``."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def channel_pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair of stream sockets: (pool end, worker end)."""
    return socket.socketpair()


class ChannelBroken(OSError):
    """The other end is gone, or sent something that is not a frame of ours."""


class BlockingChannel:
    """The worker's end: blocking ``send`` / ``recv`` of whole messages."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(True)
        self.sock = sock

    def send(self, message: Any) -> None:
        """Send one message (blocks until the socket took all of it)."""
        self.sock.sendall(pack(message))

    def _exact(self, size: int) -> bytes:
        chunks: list[bytes] = []
        while size:
            chunk = self.sock.recv(min(size, READ_SIZE))
            if not chunk:
                raise EOFError("the channel was closed")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def recv(self) -> Any:
        """The next message (blocks until one is whole); ``EOFError`` when closed."""
        (size,) = HEADER.unpack(self._exact(HEADER.size))
        return pickle.loads(self._exact(size))

    def poll(self, timeout: float = 0.0) -> bool:
        """Whether something can be read (now, or within ``timeout`` seconds)."""
        readable, _, _ = select.select([self.sock], [], [], timeout)
        return bool(readable)

    def close(self) -> None:
        self.sock.close()


class LoopChannel:
    """The pool's end, driven by the event loop (see the module docstring).

    ``on_message(message)`` is called for each whole message, in order;
    ``on_broken(reason)`` once, when the channel ends (``None``: the other end
    closed it) or breaks (a sentence saying how).
    """

    def __init__(
        self,
        sock: socket.socket,
        loop: asyncio.AbstractEventLoop,
        on_message: Callable[[Any], None],
        on_broken: Callable[[str | None], None],
    ) -> None:
        sock.setblocking(False)
        self.sock = sock
        self._loop = loop
        self._on_message = on_message
        self._on_broken = on_broken
        self._in = bytearray()
        self._need = HEADER.size
        self._size: int | None = None
        self._out = bytearray()
        self._writing = False
        self.closed = False
        loop.add_reader(sock.fileno(), self.read)

    # -- reading -------------------------------------------------------------------

    def read(self) -> None:
        """Take what the socket holds now and hand on every whole message."""
        while not self.closed:
            try:
                data = self.sock.recv(READ_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._break(f"reading failed: {exc}")
                return
            if not data:
                self._break(None)
                return
            self._in += data
            self._decode()
            if len(data) < READ_SIZE:
                return

    def _decode(self) -> None:
        while not self.closed and len(self._in) >= self._need:
            if self._size is None:
                (self._size,) = HEADER.unpack_from(self._in)
                self._need = HEADER.size + self._size
                continue
            payload = bytes(self._in[HEADER.size : self._need])
            del self._in[: self._need]
            self._size, self._need = None, HEADER.size
            try:
                message = pickle.loads(payload)
            except Exception as exc:
                self._break(f"a message could not be decoded: {type(exc).__name__}: {exc}")
                return
            self._on_message(message)

    # -- writing -------------------------------------------------------------------

    def send(self, message: Any) -> None:
        """Queue one message; it is written as fast as the other end reads.

        Raises :class:`ChannelBroken` when the channel is closed.
        """
        if self.closed:
            raise ChannelBroken("the channel is closed")
        self._out += pack(message)
        self._flush()

    def _flush(self) -> None:
        while self._out and not self.closed:
            try:
                sent = self.sock.send(self._out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                self._break(f"writing failed: {exc}")
                return
            del self._out[:sent]
        if self.closed:
            return
        if self._out and not self._writing:
            self._loop.add_writer(self.sock.fileno(), self._flush)
            self._writing = True
        elif not self._out and self._writing:
            self._loop.remove_writer(self.sock.fileno())
            self._writing = False

    @property
    def pending(self) -> int:
        """Bytes queued but not written yet."""
        return len(self._out)

    # -- end -----------------------------------------------------------------------

    def _break(self, reason: str | None) -> None:
        self.close()
        self._on_broken(reason)

    def close(self) -> None:
        """Stop reading and writing and close the socket (idempotent)."""
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError, ValueError):
            self._loop.remove_reader(self.sock.fileno())
        if self._writing:
            with contextlib.suppress(OSError, ValueError):
                self._loop.remove_writer(self.sock.fileno())
            self._writing = False
        self.sock.close()
        self._in.clear()
        self._out.clear()
