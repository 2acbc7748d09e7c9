"""One thread running blocking calls in order, off the event loop (the SQLite store's).

Like ``loop.run_in_executor`` on a one-thread executor, but the thread hands the
results of the calls that queued up while it worked back to the event loop in one
go (one wake-up of the loop per burst instead of one per call): under many
concurrent requests the hand-over costs less than the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_BURST = 64
"""Results handed back at the latest after this many calls, even if more are queued."""

_Call = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[..., Any], tuple[Any, ...]]
_Done = tuple["asyncio.Future[Any]", Any, BaseException | None]


class CallThread:
    """Runs ``fn(*args)`` calls one after the other in a thread of its own (started on
    the first call, ended by :meth:`stop`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._queue: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pending = 0

    @property
    def busy(self) -> bool:
        """Whether a call is queued or running, or its result not yet handed back."""
        return self._pending > 0

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Queue ``fn(*args)`` at once (after the calls queued before it); its future."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
            self._thread.start()
        self._queue.put((loop, future, fn, args))
        self._pending += 1
        return future

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the thread, after the calls queued before it."""
        return await self.submit(fn, *args)

    def stop(self) -> None:
        """End the thread once the calls queued so far ran (it is not waited for)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread = None

    def _main(self) -> None:
        done: dict[asyncio.AbstractEventLoop, list[_Done]] = {}
        pending = 0
        while True:
            if pending and (pending >= _BURST or self._queue.empty()):
                self._hand_back(done)
                done, pending = {}, 0
            call = self._queue.get()
            if call is None:
                self._hand_back(done)
                return
            loop, future, fn, args = call
            try:
                result: _Done = (future, fn(*args), None)
            except BaseException as exc:  # handed to the caller, like an executor does
                result = (future, None, exc)
            done.setdefault(loop, []).append(result)
            pending += 1

    def _hand_back(self, done: dict[asyncio.AbstractEventLoop, list[_Done]]) -> None:
        for loop, results in done.items():
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(self._resolve, results)

    def _resolve(self, results: list[_Done]) -> None:
        self._pending -= len(results)
        for future, value, exc in results:
            if future.done():  # the caller was cancelled
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(value)
