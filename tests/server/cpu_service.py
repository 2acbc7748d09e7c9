"""A registry with a CPU-bound process that never checks for cancellation (dismiss test).

Served by the tests as ``tests.server.cpu_service:registry``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from eoproc.processes import ProcessRegistry

registry = ProcessRegistry()


@registry.process(title="Spin")
def spin(pid_file: str, seconds: float = 120.0) -> int:
    """Write this worker's pid to ``pid_file``, then burn CPU for ``seconds``.

    It never looks at its job context, so only terminating the worker stops it.
    """
    Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
    end = time.monotonic() + seconds
    count = 0
    while time.monotonic() < end:
        count += 1
    return count


def not_a_service() -> int:
    """A factory that returns something that is not a service (CLI test)."""
    return 42


def titled(title: str, description: str = "Built by a factory") -> object:
    """A factory (SERVICE-ARGS are its arguments) of a local job service over ``registry``."""
    from eoproc.jobs import LocalJobService

    return LocalJobService(registry, title=title, description=description)
