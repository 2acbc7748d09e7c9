"""The eoproc client: a Python API (sync and async) for OGC API - Processes servers.

>>> from eoproc.client import Client
>>> with Client(api_url="http://127.0.0.1:8008/") as client:
...     job = client.execute_process("primes_between", {"min_val": 10, "max_val": 80})
...     client.wait_for_job(job.jobID)
...     client.get_job_results(job.jobID)

Names are imported lazily, so that ``import eoproc.client`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .async_client import AsyncClient
    from .base import BaseClient
    from .client import Client
    from .commands import RetryPolicy
    from .config import AuthConfig, ClientConfig
    from .errors import (
        AuthenticationError,
        ClientError,
        ConfigError,
        EoprocClientError,
        InvalidRequestError,
        JobFailedError,
        JobTimeoutError,
        TransportError,
    )
    from .events import EventsNotOffered, JobEvent
    from .profile import EOPROC_PROFILE, ClientProfile
    from .secret_store import KeyringStore, SecretStore
    from .validation import RequestProblem, create_request, validate_request

_EXPORTS = {
    "AsyncClient": "async_client",
    "AuthConfig": "config",
    "AuthenticationError": "errors",
    "BaseClient": "base",
    "Client": "client",
    "ClientConfig": "config",
    "ClientError": "errors",
    "ClientProfile": "profile",
    "ConfigError": "errors",
    "EOPROC_PROFILE": "profile",
    "EoprocClientError": "errors",
    "InvalidRequestError": "errors",
    "EventsNotOffered": "events",
    "JobFailedError": "errors",
    "JobEvent": "events",
    "JobTimeoutError": "errors",
    "KeyringStore": "secret_store",
    "RequestProblem": "validation",
    "RetryPolicy": "commands",
    "SecretStore": "secret_store",
    "TransportError": "errors",
    "create_request": "validation",
    "validate_request": "validation",
}

__all__ = [
    "EOPROC_PROFILE",
    "AsyncClient",
    "AuthConfig",
    "AuthenticationError",
    "BaseClient",
    "Client",
    "ClientConfig",
    "ClientError",
    "ClientProfile",
    "ConfigError",
    "EoprocClientError",
    "EventsNotOffered",
    "InvalidRequestError",
    "JobEvent",
    "JobFailedError",
    "JobTimeoutError",
    "KeyringStore",
    "RequestProblem",
    "RetryPolicy",
    "SecretStore",
    "TransportError",
    "create_request",
    "validate_request",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'eoproc.client' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
