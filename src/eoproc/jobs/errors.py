"""Domain errors of the job layer for a store that cannot answer now (no HTTP here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eoproc.server.service import ServiceUnavailable

from .store import StoreUnavailable

RETRY_AFTER = 5
"""Seconds a client is asked to wait when the service cannot take a request now."""


@contextmanager
def store_errors() -> Iterator[None]:
    """Raise :class:`ServiceUnavailable` (retry later) while the store is unreachable or busy."""
    try:
        yield
    except StoreUnavailable as exc:
        raise ServiceUnavailable(
            f"The job store is unavailable: {exc}", retry_after=RETRY_AFTER
        ) from None
