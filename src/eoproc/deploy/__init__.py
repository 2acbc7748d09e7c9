"""Processes deployed at run time: OGC API - Processes - Part 2 with CWL application packages.

:class:`DeployingJobService` is the local job service that also deploys,
replaces and undeploys processes given as CWL documents or OGC Application
Packages (``eoproc-server run --deploy``), keeps them in the job store and runs
them with cwltool (``pip install 'eoproc[cwl]'``) in its executors. See
``docs/deploy.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import DeployingJobService, DeployOptions

__all__ = ["DeployOptions", "DeployingJobService"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
