"""The local job service: a durable job store, worker processes, and the ``Service`` over them.

::

    from eoproc.jobs import LocalJobService

    service = LocalJobService(registry, store_url="sqlite:///jobs.db", workers=4)
    await service.start()    # opens the store, recovers, spawns the workers
    ...                      # the eoproc.server.Service methods
    await service.stop()     # refuses new jobs, grace period, fails the rest

Parts, one module each:

- ``store``: the :class:`JobStore` protocol (what a store does: group-committed
  :class:`WriteBatch` es, atomic claims, keyset job lists, dismissal, recovery)
  and its records; ``sql``: every query, on SQLAlchemy Core, dialect-neutral;
  ``sqlite``: the SQLite dialect (WAL, ``BEGIN IMMEDIATE``); ``stores``: a store
  from its URL. A PostgreSQL store is another subclass of ``sql.SqlJobStore``.
- ``writer``: the single task that group-commits inserts, progress, outcomes and
  claims; ``messages``: the typed messages of the runtime (``Run``, ``Cancel``,
  ``Started``, ``Progress``, ``Done`` carrying one ``Outcome``); ``executor``: the
  :class:`Executor` interface and the ``ExecutorEvents`` it reports to;
  ``executors``: an executor by name; ``pool`` (with ``workerhandle``): the local
  executor, worker processes driven from the event loop; ``worker``: the worker
  process itself; ``dask_executor`` (with ``dask_tasks``, ``dask_child``): the
  executor on a Dask cluster
  (``LocalJobService(..., executor="dask", dask_scheduler="tcp://host:8786")``);
  ``results``: how outputs are kept (inline or files);
  ``manager``: the :class:`JobManager`, which performs every state change of a job;
  ``queries`` and ``views``: jobs, results and result files as the server answers
  them; ``submission``: checks of a submission; ``options``: the service's options;
  ``service``: :class:`LocalJobService`, the ``Service`` protocol over all of it.

As with any program using ``multiprocessing`` (``spawn``), a script that starts
the service must do so under ``if __name__ == "__main__":``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .manager import JobManager
    from .options import default_store_url
    from .service import LocalJobService
    from .sqlite import SqliteJobStore
    from .store import JobRecord, JobStore, StoreUnavailable, WriteBatch
    from .stores import create_store

__all__ = [
    "JobManager",
    "JobRecord",
    "JobStore",
    "LocalJobService",
    "SqliteJobStore",
    "StoreUnavailable",
    "WriteBatch",
    "create_store",
    "default_store_url",
]

_HOMES = {
    "JobManager": "manager",
    "LocalJobService": "service",
    "default_store_url": "options",
    "SqliteJobStore": "sqlite",
    "JobRecord": "store",
    "JobStore": "store",
    "StoreUnavailable": "store",
    "WriteBatch": "store",
    "create_store": "stores",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that worker processes (which import eoproc.jobs.worker) stay light.
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
