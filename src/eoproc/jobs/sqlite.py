"""The SQLite job store: one database file in WAL mode, results beside it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from .sql import SqlJobStore
from .store import StoreUnavailable

T = TypeVar("T")


class SqliteJobStore(SqlJobStore):
    """A job store in one SQLite file (WAL), with result files in ``results/`` beside it.

    The store keeps a connection in autocommit mode used by one thread of its own
    for every write (the event loop never waits for a lock), and begins its write
    transactions with ``BEGIN IMMEDIATE``, so that a claim is atomic even when
    another process writes to the same file; a write waiting longer than
    ``busy_timeout`` seconds for a lock fails. ``synchronous=NORMAL``: a
    committed job survives a crash of the server (not necessarily a power loss
    of the machine).

    The hot reads (a job, a count, a page of jobs) run on the caller's thread on
    a second connection whose busy timeout is zero: a WAL reader does not wait
    for writers, so such a read never waits for a lock, and in the rare case
    SQLite answers "busy" it is retried in the store's thread. Two thread hops per
    status read cost a quarter of the server's read throughput on a 2-core machine
    (``bench/server_load.py``).

    With ``exclusive``, opening the store takes a lock (``<db>.lock``) that
    another exclusive opener cannot take while this one lives: two servers on one
    file would fail each other's running jobs at start-up.
    """

    def __init__(
        self,
        path: Path | str,
        results_root: Path | None = None,
        *,
        busy_timeout: float = 5.0,
        exclusive: bool = False,
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        self.busy_timeout = busy_timeout
        self.exclusive = exclusive
        self._lock: IO[str] | None = None
        self._reader: sa.Connection | None = None
        self._local = threading.local()
        """``inline``: this thread is running a read on the reader connection."""
        super().__init__(
            f"sqlite:///{self.path}",
            results_root if results_root is not None else self.path.parent / "results",
        )

    def _create_engine(self) -> sa.Engine:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(
            self.url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False, "timeout": self.busy_timeout},
            isolation_level="AUTOCOMMIT",
        )

    def _open_sync(self) -> None:
        if self.exclusive:
            self._take_lock()
        try:
            super()._open_sync()
            self._reader = self._create_engine().connect()
            self._reader.exec_driver_sql("PRAGMA busy_timeout=0")
            self._reader.exec_driver_sql("PRAGMA temp_store=MEMORY")
        except BaseException:
            self._release_lock()
            raise

    async def _call_read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` at once on the reader connection (see the class doc); in the
        store's thread if SQLite is busy."""
        if self._reader is None:
            return await self._call(fn, *args)
        self._local.inline = True
        try:
            return fn(*args)
        except sa.exc.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise StoreUnavailable(str(exc.orig or exc)) from exc
        finally:
            self._local.inline = False
        return await self._call(fn, *args)

    def _close_sync(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        super()._close_sync()
        self._release_lock()

    def _take_lock(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        handle = lock_path.open("a+")
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks here; one server per file, please
            self._lock = handle
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreUnavailable(
                f"The job store {self.path} is in use by another eoproc server (pid {holder})."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def _prepare(self, conn: sa.Connection) -> None:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        conn.exec_driver_sql(f"PRAGMA busy_timeout={round(self.busy_timeout * 1000)}")
        conn.exec_driver_sql("PRAGMA temp_store=MEMORY")

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        conn = self._connection()
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        inline = getattr(self._local, "inline", False)
        yield self._reader if inline and self._reader is not None else self._connection()
