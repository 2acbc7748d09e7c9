"""Idempotent job submission: the ``Idempotency-Key`` header of ``POST .../execution``.

A client that retries a submission (its connection dropped before the 201
arrived) sends the same key again: the server answers the job the first request
created instead of creating a second one. Keys are scoped per user (or global
without authentication) and remembered for :data:`KEY_LIFETIME` seconds. The same
key with a different request (process or body) is refused with 422.

The handler puts the key and the request's fingerprint in the context
(:data:`idempotent_request`); a service that honours keys (the local job
service) reads it in ``execute``. Services that do not simply ignore it.
"""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass

from eoproc.models import ExecuteRequest

from .service import ServiceError

HEADER = "Idempotency-Key"
KEY_LIFETIME = 24 * 3600.0
"""Seconds a key is remembered (then the same key creates a new job)."""
MAX_KEY_LENGTH = 255


class InvalidIdempotencyKey(ServiceError):
    status = 400
    type = "https://eoproc.dev/problems/invalid-idempotency-key"
    title = "Invalid Idempotency-Key"


class IdempotencyKeyReused(ServiceError):
    """The key was used before with another request."""

    status = 422
    type = "https://eoproc.dev/problems/idempotency-key-reused"
    title = "Idempotency-Key reused"


@dataclass(frozen=True)
class IdempotentRequest:
    """The key of a submission and the fingerprint of what it asks."""

    key: str
    fingerprint: str


idempotent_request: ContextVar[IdempotentRequest | None] = ContextVar(
    "eoproc_idempotent_request", default=None
)
"""The idempotency key of the execute request being served (``None``: none)."""


def check_key(value: str | None) -> str | None:
    """The header's key (``None`` if absent); raises 400 for an unusable one."""
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidIdempotencyKey(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
        )
    return key


def fingerprint(process_id: str, request: ExecuteRequest) -> str:
    """A digest of what a submission asks (process and request, key order ignored)."""
    document = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
    text = json.dumps([process_id, document], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def reused(key: str) -> IdempotencyKeyReused:
    """The 422 of a key used before with another request."""
    return IdempotencyKeyReused(
        f"The {HEADER} {key!r} was used with another request; use a new key for a new job.",
        extra={"idempotencyKey": key},
    )
