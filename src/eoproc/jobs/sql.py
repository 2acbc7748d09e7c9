"""A job store on SQLAlchemy Core, independent of the database dialect.

:class:`SqlJobStore` is the life cycle of a store (connect, migrate, close), its
transactions and the thread its blocking calls run in; the queries are mixins
by concern (:mod:`.reads`, :mod:`.writes`, :mod:`.leases`, :mod:`.idempotency`,
:mod:`.eventlog`), the tables are in :mod:`.tables`. A dialect subclass
(:mod:`.sqlite`, :mod:`.postgres`) says how to connect, how a write transaction
begins and how candidates for a claim are locked.

No call waits on the event loop: every call that may wait runs in the store's
own thread (:meth:`SqlJobStore._run`), so a slow lock delays only the requests
that need the store. A dialect may serve the hot calls at once when they cannot
wait (:meth:`SqlJobStore._call_read`, :meth:`SqlJobStore._call_write`: SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from . import migrations
from .calls import CallThread
from .eventlog import EventQueries
from .idempotency import IdempotencyQueries
from .leases import LeaseQueries
from .reads import JobReads
from .store import StoreUnavailable
from .writes import JobWrites

T = TypeVar("T")


class SqlJobStore(JobReads, JobWrites, LeaseQueries, IdempotencyQueries, EventQueries):
    """Every query of the job store, on one long-lived SQLAlchemy connection."""

    def __init__(self, url: str, results_root: Path, *, auto_migrate: bool = True) -> None:
        self.url = url
        self.results_root = results_root
        self.auto_migrate = auto_migrate
        """Upgrade an older schema on :meth:`open` (else refuse, naming the command)."""
        self.lease = 30.0
        """Seconds a claim holds a running job before another server may fail it."""
        self.migrated: list[migrations.Step] = []
        """The migration steps the last :meth:`open` applied."""
        self._engine: sa.Engine | None = None
        self._conn: sa.Connection | None = None
        self._claim: sa.Update | None = None
        self._subscribed: set[str] = set()
        self._thread: CallThread | None = None

    # -- dialect hooks -------------------------------------------------------------

    def _create_engine(self) -> sa.Engine:
        return sa.create_engine(self.url)

    def _prepare(self, conn: sa.Connection) -> None:
        """Dialect set-up after connecting, before the schema is created."""

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction on the store's connection."""
        conn = self._connection()
        with conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        """A read on the store's connection."""
        conn = self._connection()
        with conn.begin():
            yield conn

    # -- threads -------------------------------------------------------------------

    def _calls(self) -> CallThread:
        """The store's thread (started on first use)."""
        if self._thread is None:
            self._thread = CallThread("eoproc-store")
        return self._thread

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call in the store's thread (never on the event loop),
        after the calls before it (they share the one connection)."""
        return await self._calls().run(fn, *args)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """:meth:`_run`; an unreachable or busy database raises :class:`StoreUnavailable`."""
        try:
            return await self._run(fn, *args)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StoreUnavailable(str(exc.orig or exc)) from exc

    async def _call_read(self, fn: Callable[..., T], *args: Any) -> T:
        """A read-only :meth:`_call` (a dialect may serve it without a thread hop)."""
        return await self._call(fn, *args)

    async def _call_write(self, fn: Callable[..., T], *args: Any) -> T:
        """A :meth:`_call` of one write transaction (a dialect may serve it without a
        thread hop when it need not wait for a lock)."""
        return await self._call(fn, *args)

    async def run_read(self, fn: Callable[[sa.Connection], T]) -> T:
        """``fn(connection)`` in a read transaction (for the tables of extensions)."""

        def call() -> T:
            with self._read() as conn:
                return fn(conn)

        return await self._call(call)

    async def run_write(self, fn: Callable[[sa.Connection], T]) -> T:
        """``fn(connection)`` in a write transaction (for the tables of extensions)."""

        def call() -> T:
            with self._write() as conn:
                return fn(conn)

        return await self._call(call)

    # -- life cycle ----------------------------------------------------------------

    def _connection(self) -> sa.Connection:
        if self._conn is None:
            raise RuntimeError("the job store is not open (call open() first)")
        return self._conn

    def _open_sync(self) -> None:
        self.results_root.mkdir(parents=True, exist_ok=True)
        self._engine = self._create_engine()
        self._conn = self._engine.connect()
        self._prepare(self._conn)
        with self._write() as conn:
            self.migrated = migrations.prepare(conn, url=self.url, auto_migrate=self.auto_migrate)

    def _close_sync(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def open(self) -> None:
        """Create or upgrade the schema and connect."""
        await self._call(self._open_sync)

    async def close(self) -> None:
        """Release the connections and the store's threads."""
        try:
            await self._call(self._close_sync)
        finally:
            if self._thread is not None:
                self._thread.stop()
                self._thread = None
