"""Hardening of the server: per-user jobs, limits, safe input references, request ids.

:class:`SecurityConfig` holds every option; ``create_app(service, security=config)``
applies it. Authentication itself is in :mod:`eoproc.server.auth`.
"""

from __future__ import annotations

from .config import SecurityConfig
from .fetch import Fetched, FetchError, ReferenceFetcher
from .guard import Access, Guard, GuardedService, Limits, TooManyJobs, depth, guard
from .netpolicy import AddressPolicy, ForbiddenAddress, is_loopback_bind, is_public
from .requestid import HEADER as REQUEST_ID_HEADER
from .requestid import RequestId, RequestIdFilter, request_id

__all__ = [
    "REQUEST_ID_HEADER",
    "Access",
    "AddressPolicy",
    "FetchError",
    "Fetched",
    "ForbiddenAddress",
    "Guard",
    "GuardedService",
    "Limits",
    "ReferenceFetcher",
    "RequestId",
    "RequestIdFilter",
    "SecurityConfig",
    "TooManyJobs",
    "depth",
    "guard",
    "is_loopback_bind",
    "is_public",
    "request_id",
]
