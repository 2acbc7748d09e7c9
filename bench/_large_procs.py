"""A process with a large output for ``large_output.py`` (a module the server imports)."""

from __future__ import annotations

from eoproc.processes import ProcessRegistry

registry = ProcessRegistry()


@registry.process
def blob(mib: int = 64) -> str:
    """Returns a string of ``mib`` MiB (one output, written to the job's results location)."""
    return "x" * (mib * 1024 * 1024)
