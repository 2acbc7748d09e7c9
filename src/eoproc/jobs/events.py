"""Live job events for streams: one task reads new events from the store for every watcher.

The store is the only source (:mod:`.eventlog`): a watcher of a job asks for
its events after an id, and the hub's task fetches the new events of every
watched job in one query, when this server wrote something (the writer wakes
it) and at least every ``interval`` seconds (the events other replicas of a
shared store wrote: polling, one query per interval for all watchers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from .eventlog import StoredEvent
from .store import StoreUnavailable

log = logging.getLogger(__name__)

SHARED_INTERVAL = 0.5
"""Seconds between two reads of a shared store (PostgreSQL: events of other replicas)."""
LOCAL_INTERVAL = 5.0
"""Seconds between two reads of a store only this server writes (a safety net)."""


class EventSource(Protocol):
    """What the hub needs of a store."""

    async def events_after(self, cursors: dict[str, int]) -> list[StoredEvent]: ...


class Watcher:
    """The events of one job after an id, as they come."""

    def __init__(self, job_id: str, after: int) -> None:
        self.job_id = job_id
        self.cursor = after
        self.queue: asyncio.Queue[StoredEvent] = asyncio.Queue()

    async def next(self, timeout: float) -> StoredEvent | None:
        """The next event, or ``None`` after ``timeout`` seconds without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class EventHub:
    """Fans the store's new events out to the watchers of their jobs."""

    def __init__(self, store: EventSource, interval: float) -> None:
        self.store = store
        self.interval = interval
        self._watchers: dict[str, set[Watcher]] = {}
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def watching(self) -> int:
        """How many watchers there are."""
        return sum(len(group) for group in self._watchers.values())

    def start(self) -> None:
        """Start the reading task."""
        self._task = asyncio.create_task(self._loop(), name="eoproc-event-hub")

    async def close(self) -> None:
        """Stop the reading task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Read soon: something was written."""
        self._woken.set()

    @contextlib.asynccontextmanager
    async def watch(self, job_id: str, after: int = 0) -> AsyncIterator[Watcher]:
        """A :class:`Watcher` of ``job_id`` for the ``async with`` block."""
        watcher = Watcher(job_id, after)
        self._watchers.setdefault(job_id, set()).add(watcher)
        self.wake()
        try:
            yield watcher
        finally:
            group = self._watchers.get(job_id)
            if group is not None:
                group.discard(watcher)
                if not group:
                    del self._watchers[job_id]

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.interval)
            self._woken.clear()
            if not self._watchers:
                continue
            try:
                await self._read()
            except StoreUnavailable as exc:
                log.warning("cannot read job events: %s", exc)
            except Exception:
                log.exception("reading job events failed")

    async def _read(self) -> None:
        cursors = {
            job_id: min(watcher.cursor for watcher in group)
            for job_id, group in self._watchers.items()
            if group
        }
        for event in await self.store.events_after(cursors):
            for watcher in list(self._watchers.get(event.job_id, ())):
                if event.id > watcher.cursor:
                    watcher.cursor = event.id
                    watcher.queue.put_nowait(event)
