"""eoproc: client, CLI, server and process framework for OGC API - Processes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eoproc")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
