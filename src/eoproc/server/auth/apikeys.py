"""API keys, configured as SHA-256 hashes: ``HASH:USER[:ROLE,ROLE]``.

Only hashes are configured, so a leaked configuration does not leak keys.
Keys are long random strings (``eoproc-server hash-key`` makes one), so a
plain SHA-256 is the right hash: it is what large API providers use for
high-entropy tokens, and it allows a constant-time lookup per request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from .users import User

MIN_KEY_LENGTH = 20
_HASH = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[^\x00-\x1f\x7f:,]{1,255}$")


def new_key() -> str:
    """A new random API key (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The hash to configure for ``key`` (64 hex digits); refuses short keys."""
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"an API key must have at least {MIN_KEY_LENGTH} characters")
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """One configured key: the hash of the key and the user it names."""

    hash: str
    user: User


def parse_api_key(spec: str) -> ApiKey:
    """``HASH:USER[:ROLE,ROLE]`` as an :class:`ApiKey`; ``ValueError`` says what is wrong."""
    parts = spec.strip().split(":", 2)
    if len(parts) < 2:
        raise ValueError("an API key is given as HASH:USER[:ROLE,ROLE]")
    digest, name = parts[0].strip().lower(), parts[1].strip()
    if not _HASH.match(digest):
        raise ValueError(
            "the HASH of an API key must be 64 hex digits (use 'eoproc-server hash-key')"
        )
    if not _NAME.match(name):
        raise ValueError(f"invalid user name in an API key: {name!r}")
    roles = frozenset(r.strip() for r in parts[2].split(",") if r.strip()) if len(parts) > 2 else ()
    return ApiKey(digest, User(name, frozenset(roles)))


def parse_api_keys(specs: Iterable[str]) -> list[ApiKey]:
    """Keys from ``--api-key`` values or ``EOPROC_API_KEYS``.

    A comma-separated list is accepted; since roles are comma-separated too,
    an item that does not start with a hash adds roles to the key before it
    (``H1:alice:admin,ops,H2:bob`` is two keys).
    """
    items: list[str] = []
    for spec in specs:
        for item in spec.split(","):
            item = item.strip()
            if not item:
                continue
            if _HASH.match(item.split(":", 1)[0].strip().lower()) or not items:
                items.append(item)
            else:
                items[-1] += "," + item
    keys = [parse_api_key(item) for item in items]
    seen: set[str] = set()
    for key in keys:
        if key.hash in seen:
            raise ValueError("the same API key hash is configured twice")
        seen.add(key.hash)
    return keys


class ApiKeyVerifier:
    """Finds the user of a presented key, in constant time over the configured keys."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._keys = list(keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def verify(self, presented: str) -> User | None:
        """The user of ``presented``, or ``None`` if it is no configured key."""
        digest = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).hexdigest()
        found: User | None = None
        for key in self._keys:  # no early exit: the time does not depend on which key matched
            if hmac.compare_digest(digest, key.hash):
                found = key.user
        return found
