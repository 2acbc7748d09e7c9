"""The SQLite job store: one database file in WAL mode, results beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from .sql import SqlJobStore


class SqliteJobStore(SqlJobStore):
    """A job store in one SQLite file (WAL), with result files in ``results/`` beside it.

    The store keeps a single connection in autocommit mode and begins its write
    transactions with ``BEGIN IMMEDIATE``, so that a claim is atomic even when
    another process writes to the same file; a write waiting longer than
    ``busy_timeout`` seconds for a lock fails. ``synchronous=NORMAL``: a
    committed job survives a crash of the server (not necessarily a power loss
    of the machine).
    """

    def __init__(
        self, path: Path | str, results_root: Path | None = None, *, busy_timeout: float = 5.0
    ) -> None:
        self.path = Path(path).expanduser().resolve()
        self.busy_timeout = busy_timeout
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
