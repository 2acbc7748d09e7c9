"""The SQLite job store: one database file in WAL mode, results beside it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from .sql import SqlJobStore
from .store import StoreUnavailable


class SqliteJobStore(SqlJobStore):
    """A job store in one SQLite file (WAL), with result files in ``results/`` beside it.

    The store keeps a single connection in autocommit mode, used by one thread of its
    own (the event loop never waits for SQLite), and begins its write
    transactions with ``BEGIN IMMEDIATE``, so that a claim is atomic even when
    another process writes to the same file; a write waiting longer than
    ``busy_timeout`` seconds for a lock fails. ``synchronous=NORMAL``: a
    committed job survives a crash of the server (not necessarily a power loss
    of the machine).

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
        except BaseException:
            self._release_lock()
            raise

    def _close_sync(self) -> None:
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
        yield self._connection()
