"""The local job service: a durable job store, worker processes, and the ``Service`` over them.

``LocalJobService(registry, store_url=..., workers=...)`` is what the server runs
for a process registry. The store protocol (:class:`JobStore`) lets other
stores (PostgreSQL) plug in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import LocalJobService, default_store_url
    from .sqlite import SqliteJobStore
    from .store import JobRecord, JobStore, WriteBatch

__all__ = [
    "JobRecord",
    "JobStore",
    "LocalJobService",
    "SqliteJobStore",
    "WriteBatch",
    "default_store_url",
]

_HOMES = {
    "LocalJobService": "service",
    "default_store_url": "service",
    "SqliteJobStore": "sqlite",
    "JobRecord": "store",
    "JobStore": "store",
    "WriteBatch": "store",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that worker processes (which import eoproc.jobs.worker) stay light.
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
