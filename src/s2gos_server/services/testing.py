"""The S2GOS test service: the demo processes on the local job service.

``s2gos-server run -- s2gos_server.services.testing:service``. Importing this
module does no I/O: the job store is opened when the server starts the service.
"""

from __future__ import annotations

from eoproc.jobs import LocalJobService
from eoproc.processes.demo import demo

TITLE = "S2GOS Test-Server"
DESCRIPTION = "Local DTE-S2GOS process server for testing"

service = LocalJobService(demo, title=TITLE, description=DESCRIPTION)

__all__ = ["DESCRIPTION", "TITLE", "service"]
