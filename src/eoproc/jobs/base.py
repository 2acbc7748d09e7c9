"""What the query mixins of :class:`~eoproc.jobs.sql.SqlJobStore` need from it.

The store's queries are split by concern (reads, writes, leases, idempotency,
events, callbacks), each a mixin on :class:`StoreHooks`: a transaction
(:meth:`~StoreHooks._write`, :meth:`~StoreHooks._read`), a way to run a blocking
call off the event loop (:meth:`~StoreHooks._call`) and the recording of state
changes as events (:meth:`~StoreHooks._record`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """A state change to record: ``kind`` is ``status`` or ``progress``; ``expect``
    (status, finished) skips an outcome the store ignored (the job was not running)."""

    job_id: str
    kind: str = "status"
    expect: tuple[str, int] | None = None


class StoreHooks:
    """The hooks the query mixins use (implemented by ``SqlJobStore`` and ``EventQueries``)."""

    shared: bool = False
    """Whether other servers may use the store at the same time (PostgreSQL)."""
    lease: float = 30.0
    """Seconds a claim holds a running job before another server may fail it."""

    def _write(self) -> AbstractContextManager[sa.Connection]:
        """A write transaction."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[sa.Connection]:
        """A read."""
        raise NotImplementedError

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the store's thread; an unreachable or busy database raises
        ``StoreUnavailable``."""
        raise NotImplementedError

    async def _call_read(self, fn: Callable[..., T], *args: Any) -> T:
        """A read-only :meth:`_call`."""
        raise NotImplementedError

    async def _call_write(self, fn: Callable[..., T], *args: Any) -> T:
        """:meth:`_call` for a call of one write transaction (:meth:`_write`) and
        nothing else, which may be rerun if it fails to begin."""
        raise NotImplementedError

    def _record(
        self,
        conn: sa.Connection,
        changes: Sequence[Change],
        now: int,
        subscribed: Callable[[str], bool] | None = None,
    ) -> None:
        """Record ``changes`` as events in ``conn``'s transaction."""
        raise NotImplementedError
