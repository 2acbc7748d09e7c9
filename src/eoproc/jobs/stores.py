"""Job stores by URL: ``sqlite:///path/to/jobs.db`` (PostgreSQL joins later)."""

from __future__ import annotations

from pathlib import Path

from .store import JobStore

SQLITE_PREFIX = "sqlite:///"


def sqlite_path(url: str) -> Path:
    """The database path of a ``sqlite:///path.db`` URL (``sqlite:////abs/path.db``)."""
    path = url[len(SQLITE_PREFIX) :].split("?", 1)[0]
    if not url.startswith(SQLITE_PREFIX) or not path:
        raise ValueError(f"Unsupported job store URL {url!r}: expected sqlite:///path/to/jobs.db")
    return Path(path).expanduser()


def check_store_url(url: str) -> None:
    """Raise ``ValueError`` (a clear sentence) if no store can be made of ``url``."""
    sqlite_path(url)


def create_store(url: str, *, exclusive: bool = True) -> JobStore:
    """The (not yet opened) store ``url`` names; raises ``ValueError`` for an unknown URL.

    ``exclusive``: the store is this server's alone (SQLite: a lock file refuses a
    second server on the same database).
    """
    from .sqlite import SqliteJobStore

    return SqliteJobStore(sqlite_path(url), exclusive=exclusive)
