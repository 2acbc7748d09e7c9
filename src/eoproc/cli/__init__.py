"""Command-line clients for OGC API - Processes services.

``new_cli(name, summary, version, profile)`` builds one; ``eoproc``,
``sen4cap-client`` and ``s2gos-client`` are three calls of it.
"""

from .app import new_cli, run

__all__ = ["new_cli", "run"]
