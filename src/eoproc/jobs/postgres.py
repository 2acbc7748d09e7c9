"""The PostgreSQL job store (psycopg 3): one database shared by several server replicas.

Each call takes its own connection from a pool and runs in the store's own
threads (as many as the pool has connections, so a burst of requests queues for
a thread instead of timing out on the pool). Claims lock their candidates with
``FOR UPDATE SKIP LOCKED``: replicas claiming together never get the same job.
A database that is down or unreachable raises :class:`StoreUnavailable` at once
(the API answers 503); the pool checks connections before use, so the store
recovers by itself when the database is back.

Result files are not in the database: every replica must see the same
``results_root`` (a shared directory).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from . import migrations
from .sql import SqlJobStore
from .store import StoreUnavailable

T = TypeVar("T")

POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")
DEFAULT_POOL_SIZE = 8
"""Database connections (and threads) per server, unless the URL says ``?pool_size=N``."""
POOL_SIZE = "pool_size"
LOCK_TIMEOUT = 10
"""Seconds a statement waits for a lock (then: 503)."""
CONNECT_TIMEOUT = 5
"""Seconds to wait for a connection to the database (then: 503)."""


def is_postgres_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database."""
    return url.startswith(POSTGRES_SCHEMES)


def sqlalchemy_url(url: str) -> sa.URL:
    """The SQLAlchemy URL (driver psycopg 3) of a ``postgresql://`` URL, without eoproc's
    own parameters (``pool_size``); ``ValueError`` if it is not one."""
    if not is_postgres_url(url):
        raise ValueError(f"not a PostgreSQL URL: {migrations.redact(url)!r}")
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ValueError(f"Invalid PostgreSQL URL {migrations.redact(url)!r}: {exc}") from None
    url_pool_size(parsed)  # check it
    return parsed.difference_update_query([POOL_SIZE]).set(drivername="postgresql+psycopg")


def url_pool_size(url: sa.URL | str, default: int = DEFAULT_POOL_SIZE) -> int:
    """The ``pool_size`` parameter of a store URL (connections per server), or ``default``."""
    parsed = sa.engine.make_url(url) if isinstance(url, str) else url
    value = parsed.query.get(POOL_SIZE)
    if value is None:
        return default
    try:
        size = int(value if isinstance(value, str) else value[-1])
    except ValueError:
        size = 0
    if size < 1:
        raise ValueError(f"pool_size must be a positive integer, not {value!r}")
    return size


class PostgresJobStore(SqlJobStore):
    """A job store in a PostgreSQL database, shareable by several servers.

    ``pool_size`` connections (and threads) serve the store's calls (default: the
    URL's ``?pool_size=N``, else :data:`DEFAULT_POOL_SIZE`); requests beyond that
    wait for a thread.
    """

    shared = True
    lock_timeout: float = LOCK_TIMEOUT
    """Seconds a statement waits for a lock before the store is "unavailable"."""

    def __init__(
        self,
        url: str,
        results_root: Path,
        *,
        pool_size: int | None = None,
        auto_migrate: bool = True,
    ) -> None:
        self._sa_url = sqlalchemy_url(url)
        super().__init__(url, results_root, auto_migrate=auto_migrate)
        self.pool_size = max(2, pool_size or url_pool_size(url))
        self._executor: ThreadPoolExecutor | None = None

    def _create_engine(self) -> sa.Engine:
        engine = sa.create_engine(
            self._sa_url,
            pool_size=self.pool_size,
            max_overflow=2,
            pool_timeout=CONNECT_TIMEOUT,
            pool_pre_ping=True,
            connect_args={
                "connect_timeout": CONNECT_TIMEOUT,
                "application_name": "eoproc",
                # a database that vanished from the network (no reset) is noticed in ~10 s
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 3,
                "tcp_user_timeout": 10_000,
            },
        )
        sa.event.listen(engine, "connect", self._set_timeouts)
        return engine

    def _set_timeouts(self, dbapi_connection: Any, _record: Any) -> None:
        """A request waiting for a lock (e.g. a migration running) fails, not hangs."""
        dbapi_connection.execute(f"SET lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
        dbapi_connection.commit()

    def _engine_or_fail(self) -> sa.Engine:
        if self._engine is None:
            raise RuntimeError("the job store is not open (call open() first)")
        return self._engine

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._engine_or_fail().begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._engine_or_fail().connect() as conn:
            yield conn

    def _claim_candidates(self) -> sa.Select[Any]:
        return super()._claim_candidates().with_for_update(skip_locked=True)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.pool_size, thread_name_prefix="eoproc-pg")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await super()._call(fn, *args)
        except sa.exc.TimeoutError as exc:
            raise StoreUnavailable(f"no database connection free: {exc}") from exc
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable(str(exc.orig or exc)) from exc
            raise

    def _open_sync(self) -> None:
        self.results_root.mkdir(parents=True, exist_ok=True)
        self._engine = self._create_engine()
        try:
            with self._write() as conn:
                self.migrated = migrations.prepare(
                    conn, url=self.url, auto_migrate=self.auto_migrate
                )
        except BaseException:
            self._engine.dispose()
            self._engine = None
            raise

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None
