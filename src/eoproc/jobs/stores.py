"""Job stores by URL: ``sqlite:///path/to/jobs.db`` (or a plain file path) or
``postgresql://user@host/db``; and the ``migrate`` command on a store URL.

This module depends on the concrete stores, never the other way round."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from .migrations import SCHEMA_VERSION, Step, redact
from .postgres import PostgresJobStore, is_postgres_url, sqlalchemy_url
from .sql import SqlJobStore
from .sqlite import SqliteJobStore

SQLITE_PREFIX = "sqlite:///"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: "C:" is a drive


def sqlite_path(url: str) -> Path:
    """The database path of a ``sqlite:///path.db`` URL (``sqlite:////abs/path.db``), or
    of a plain file path (``jobs.db``, ``~/eoproc/jobs.db``: anything without a URL scheme)."""
    if url.strip() and not _SCHEME.match(url):
        return Path(url).expanduser()
    path = url[len(SQLITE_PREFIX) :].split("?", 1)[0]
    if not url.startswith(SQLITE_PREFIX) or not path:
        raise ValueError(
            f"Unsupported job store URL {url!r}: expected a file path (jobs.db), "
            "sqlite:///path/to/jobs.db or postgresql://user@host:port/database"
        )
    return Path(path).expanduser()


def check_store_url(url: str) -> None:
    """Raise ``ValueError`` (a clear sentence) if no store can be made of ``url``."""
    if is_postgres_url(url):
        sqlalchemy_url(url)
    else:
        sqlite_path(url)


def default_results_dir() -> Path:
    """Where a PostgreSQL store keeps result files unless told: the user data directory."""
    import platformdirs

    return Path(platformdirs.user_data_dir("eoproc")) / "results"


def create_store(
    url: str,
    *,
    exclusive: bool = True,
    results_dir: Path | str | None = None,
    auto_migrate: bool = True,
    pool_size: int | None = None,
) -> SqlJobStore:
    """The (not yet opened) store ``url`` names; raises ``ValueError`` for an unknown URL.

    ``exclusive``: the store is this server's alone (SQLite: a lock file refuses a
    second server on the same database; PostgreSQL stores are always shared).
    ``results_dir``: where result files go (SQLite default: ``results/`` beside the
    database; PostgreSQL default: the user data directory; replicas must share it).
    ``auto_migrate``: upgrade an older schema on open, else refuse.
    ``pool_size``: database connections (PostgreSQL).
    """
    root = Path(results_dir).expanduser() if results_dir is not None else None
    if is_postgres_url(url):
        return PostgresJobStore(
            url,
            root or default_results_dir(),
            pool_size=pool_size,
            auto_migrate=auto_migrate,
        )
    store = SqliteJobStore(sqlite_path(url), root, exclusive=exclusive)
    store.auto_migrate = auto_migrate
    return store


def migrate_store(url: str, *, results_dir: str | None = None) -> str:
    """Upgrade the store at ``url`` to :data:`~.migrations.SCHEMA_VERSION` (the server
    CLI's ``migrate``); a sentence saying what was done. Raises ``ValueError`` for a bad
    URL, :class:`~.migrations.SchemaError` for a store of a newer eoproc, and
    ``StoreUnavailable`` when the database cannot be reached (or a server holds the
    SQLite store)."""
    store = create_store(url, exclusive=True, results_dir=results_dir, auto_migrate=True)

    async def run() -> list[Step]:
        await store.open()
        try:
            return list(store.migrated)
        finally:
            await store.close()

    steps = asyncio.run(run())
    where = redact(url)
    if not steps:
        return f"The job store {where} is at schema version {SCHEMA_VERSION}; nothing to do."
    done = "; ".join(f"{step.version}: {step.description}" for step in steps)
    start = steps[0].version - 1
    if start == 0:
        return f"Created the job store {where} at schema version {SCHEMA_VERSION} ({done})."
    return f"Upgraded the job store {where} from version {start} to {SCHEMA_VERSION} ({done})."
