"""Choosing an executor by name: the local worker pool or the Dask executor."""

from __future__ import annotations

from .executor import ExecutorFactory

EXECUTORS = ("local", "dask")
"""Names accepted by :func:`executor_factory` (``eoproc-server run --executor``)."""


def check_executor(name: str, scheduler: str | None = None) -> None:
    """Raise ``ValueError`` (one clear sentence) for an unknown executor or bad options."""
    if name not in EXECUTORS:
        raise ValueError(f"Unknown executor {name!r}: expected one of {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise ValueError("A Dask scheduler address is only used with the dask executor")
    if name == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ValueError(
                "The dask executor needs Dask distributed: pip install 'eoproc[dask]'"
            ) from None


def executor_factory(name: str = "local", *, scheduler: str | None = None) -> ExecutorFactory:
    """The factory of executor ``name`` (``local`` or ``dask``).

    ``scheduler``: address of the Dask scheduler (``tcp://host:8786``); without
    one the dask executor starts a ``distributed.LocalCluster`` of ``size``
    worker processes (for development).
    """
    check_executor(name, scheduler)
    if name == "dask":
        from functools import partial

        from .dask_executor import DaskExecutor

        return partial(DaskExecutor, scheduler=scheduler)
    from .pool import WorkerPool

    return WorkerPool
