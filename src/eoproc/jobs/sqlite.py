"""The SQLite job store: one database file in WAL mode, results beside it."""

from __future__ import annotations

import asyncio
import logging
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
log = logging.getLogger(__name__)


class SqliteJobStore(SqlJobStore):
    """A job store in one SQLite file (WAL), with result files in ``results/`` beside it.

    Write transactions begin with ``BEGIN IMMEDIATE``, so that a claim is atomic
    even when another process writes to the same file; a write waiting longer
    than ``busy_timeout`` seconds for a lock fails. ``synchronous=NORMAL``: a
    committed job survives a crash of the server (not necessarily a power loss
    of the machine).

    No call waits on the event loop. The store's thread, on a connection of its
    own, runs every call that may wait: for a lock, for a checkpoint's ``fsync``.
    The hot calls (a job, a count, a page of jobs, and the job service's batched
    writes) run on the caller's thread on a second, *direct* connection whose
    busy timeout is zero and which never checkpoints: a WAL reader does not wait
    for writers, and a batch that finds the write lock taken (another process
    writes) or the store's thread busy goes to that thread instead, after the
    calls queued before it. The WAL is checkpointed in the store's thread once it
    passes :attr:`wal_limit` bytes. Handing every call to the thread cost about
    a fifth of the submissions and a quarter of the status reads per second on a
    2-core machine (``bench/server_load.py``): under load, a second thread waits
    for the GIL and for a CPU at every hand-over.

    With ``exclusive``, opening the store takes a lock (``<db>.lock``) that
    another exclusive opener cannot take while this one lives: two servers on one
    file would fail each other's running jobs at start-up.
    """

    wal_limit = 1000 * 4096
    """Bytes of WAL after which the store's thread checkpoints it (SQLite's default)."""

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
        self._direct: sa.Connection | None = None
        self._local = threading.local()
        """``direct``: this thread is running a call on the direct connection."""
        self._checkpoint: asyncio.Future[None] | None = None
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
            direct = self._direct = self._create_engine().connect()
            direct.exec_driver_sql("PRAGMA synchronous=NORMAL")
            direct.exec_driver_sql("PRAGMA busy_timeout=0")
            direct.exec_driver_sql("PRAGMA temp_store=MEMORY")
            direct.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        except BaseException:
            self._release_lock()
            raise

    async def _call_read(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` at once on the direct connection (see the class doc); in the
        store's thread if SQLite is busy."""
        if self._direct is None:
            return await self._call(fn, *args)
        self._local.direct = True
        try:
            return fn(*args)
        except sa.exc.OperationalError as exc:
            if not _busy(exc):
                raise StoreUnavailable(str(exc.orig or exc)) from exc
        finally:
            self._local.direct = False
        return await self._call(fn, *args)

    async def _call_write(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)``, one write transaction, at once on the direct connection if
        the store's thread is idle and the write lock free; else in the thread."""
        if self._direct is None or (self._thread is not None and self._thread.busy):
            return await self._call(fn, *args)
        self._local.direct = True
        try:
            result = fn(*args)
        except _LockTaken:
            pass  # nothing was written
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StoreUnavailable(str(exc.orig or exc)) from exc
        else:
            self._checkpoint_if_due()
            return result
        finally:
            self._local.direct = False
        return await self._call(fn, *args)

    def _checkpoint_if_due(self) -> None:
        """Checkpoint the WAL in the store's thread once it grew past :attr:`wal_limit`."""
        if self._checkpoint is not None and not self._checkpoint.done():
            return
        try:
            size = os.stat(f"{self.path}-wal").st_size
        except FileNotFoundError:
            return
        if size > self.wal_limit:  # queued at once: the next writes queue behind it
            self._checkpoint = self._calls().submit(self._checkpoint_sync)

    def _checkpoint_sync(self) -> None:
        try:
            # TRUNCATE empties the file, so that its size says what is left to copy
            self._connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except sa.exc.OperationalError as exc:  # tried again after the next writes
            log.warning("could not checkpoint the job store's WAL: %s", exc.orig or exc)

    async def close(self) -> None:
        if self._checkpoint is not None:
            await self._checkpoint
        await super().close()

    def _close_sync(self) -> None:
        if self._direct is not None:
            self._direct.close()
            self._direct = None
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
        direct = getattr(self._local, "direct", False) and self._direct is not None
        conn = self._direct if direct and self._direct is not None else self._connection()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except sa.exc.OperationalError as exc:
            if direct and _busy(exc):
                raise _LockTaken from exc
            raise
        try:
            yield conn
            conn.exec_driver_sql("COMMIT")
        except BaseException:
            if conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                conn.exec_driver_sql("ROLLBACK")
            raise

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        direct = getattr(self._local, "direct", False)
        yield self._direct if direct and self._direct is not None else self._connection()


class _LockTaken(Exception):
    """A write on the direct connection found the write lock taken (nothing was written)."""


def _busy(exc: sa.exc.OperationalError) -> bool:
    """Whether SQLite answered "database is locked" or "busy"."""
    return "locked" in str(exc) or "busy" in str(exc)
