"""The S2GOS test service, as the upstream S2GOS test server publishes it.

``s2gos-server run -- s2gos_server.services.testing:service``: the scene generation
process of the S2GOS walkthrough (``mtr_demo_generation``) and the demo processes,
executed asynchronously only (a request without ``Prefer`` gets a job, 201), with
readable job ids ``job_0``, ``job_1``, ... Without ``--store`` the jobs are kept in a
temporary store that is removed when the server stops (a test server starts afresh,
as the upstream one does); ``--store``, ``--job-control`` and ``--job-ids`` change
that. Importing this module does no I/O.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

from eoproc.jobs.service import LocalJobService
from eoproc.processes.demo import demo
from eoproc.processes.registry import ProcessRegistry
from s2gos_server.scenes import DESCRIPTION as MTR_DESCRIPTION
from s2gos_server.scenes import mtr_demo_generation

TITLE = "S2GOS Test-Server"
DESCRIPTION = "Local DTE-S2GOS process server for testing"

registry = ProcessRegistry()
registry.process(id="mtr_demo_generation", description=MTR_DESCRIPTION)(mtr_demo_generation)
for _process in demo:
    registry.add(_process)


class TestingJobService(LocalJobService):
    """A local job service whose store, unless one is configured, is temporary."""

    def __init__(self, registry: Any, **options: Any) -> None:
        super().__init__(registry, **options)
        self._temporary: str | None = None

    async def start(self) -> None:
        if self.store_url is None and self._temporary is None:
            self._temporary = tempfile.mkdtemp(prefix="eoproc-testing-")
            self.store_url = f"sqlite:///{self._temporary}/jobs.db"
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


service = TestingJobService(
    registry, title=TITLE, description=DESCRIPTION, job_control="async", job_ids="counter"
)

__all__ = ["DESCRIPTION", "TITLE", "TestingJobService", "registry", "service"]
