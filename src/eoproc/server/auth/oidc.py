"""OIDC bearer tokens: JWTs checked against the issuer's JWKS with PyJWT.

Signature (keys from the issuer's JWKS, cached and re-fetched when a token
names an unknown ``kid``, at most once per cool-down), ``alg`` from a
whitelist of asymmetric algorithms (never ``none``, never HMAC: a public key
must not be usable as an HMAC secret), issuer, audience, expiry and
not-before are all checked. The user is the ``sub`` claim; roles come from a
configurable claim (a dotted path such as ``realm_access.roles``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from .users import User

log = logging.getLogger("eoproc.server.auth")

#: Asymmetric algorithms only: HMAC (HS*) would let a public key act as a secret.
DEFAULT_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
_FORBIDDEN = frozenset({"none", "HS256", "HS384", "HS512"})
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    """A bearer token that must be refused; the message is safe to show the caller."""


@dataclass(frozen=True)
class OidcSettings:
    """Where tokens come from and what they must say.

    ``jwks_url`` defaults to the ``jwks_uri`` of the issuer's
    ``/.well-known/openid-configuration``.
    """

    issuer: str
    audience: str
    jwks_url: str | None = None
    roles_claim: str = "roles"
    algorithms: Sequence[str] = DEFAULT_ALGORITHMS
    jwks_cache_seconds: float = 300.0
    jwks_refresh_cooldown: float = 30.0
    """Seconds after a JWKS fetch before a token with an unknown ``kid`` fetches it again."""
    http_timeout: float = 10.0

    def __post_init__(self) -> None:
        bad = sorted(set(self.algorithms) & _FORBIDDEN)
        if bad:
            raise ValueError(f"token algorithms not allowed: {', '.join(bad)}")
        unknown = sorted(set(self.algorithms) - set(DEFAULT_ALGORITHMS))
        if unknown:
            raise ValueError(f"unknown token algorithms: {', '.join(unknown)}")
        if not self.audience:
            raise ValueError("an OIDC audience is required")


class OidcVerifier:
    """Verifies bearer JWTs; blocking key fetches run in a thread."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()
        self._discovery_failed = -math.inf

    def _jwks_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._client is None:
                url = self.settings.jwks_url or self._discover()
                self._client = jwt.PyJWKClient(
                    url,
                    cache_jwk_set=True,
                    lifespan=self.settings.jwks_cache_seconds,
                    timeout=self.settings.http_timeout,
                    cooldown_duration=self.settings.jwks_refresh_cooldown,
                )
            return self._client

    def _discover(self) -> str:
        """The issuer's ``jwks_uri`` (after a failure, not asked again for a cool-down)."""
        if time.monotonic() - self._discovery_failed < self.settings.jwks_refresh_cooldown:
            raise InvalidToken("The token issuer cannot be reached now.")
        url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            response = httpx.get(url, timeout=self.settings.http_timeout)
            response.raise_for_status()
            jwks_uri = response.json()["jwks_uri"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            self._discovery_failed = time.monotonic()
            log.error("OIDC discovery at %s failed: %s", url, exc)
            raise InvalidToken("The token issuer cannot be reached now.") from None
        if not isinstance(jwks_uri, str):
            raise InvalidToken("The token issuer cannot be reached now.")
        return jwks_uri

    async def verify(self, token: str) -> User:
        """The user of ``token``; raises :class:`InvalidToken`."""
        return await asyncio.to_thread(self.verify_sync, token)

    def verify_sync(self, token: str) -> User:
        """:meth:`verify`, blocking (fetches the JWKS when needed)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("The bearer token is not a well-formed JWT.") from None
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.settings.algorithms:
            raise InvalidToken(f"Tokens signed with {alg!r} are not accepted.")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("The token's key id is invalid.")
        try:
            key = self._jwks_client().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            log.error("cannot fetch the issuer's keys: %s", exc)
            raise InvalidToken("The token issuer's keys cannot be fetched now.") from None
        except jwt.PyJWKClientError:
            raise InvalidToken(
                "The token is signed with a key the issuer does not publish."
            ) from None
        if key.algorithm_name and key.algorithm_name != alg:
            raise InvalidToken("The token's algorithm does not match its key.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The token has expired.") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("The token is not meant for this service (audience).") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("The token comes from another issuer.") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("The token's signature is invalid.") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"The token is invalid: {_safe(exc)}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("The token names no subject.")
        return User(subject, _roles(claims, self.settings.roles_claim))


def _roles(claims: dict[str, Any], path: str) -> frozenset[str]:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return frozenset()
        value = value.get(part)
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


def _safe(exc: Exception) -> str:
    """PyJWT's message, bounded (it never contains key material)."""
    return str(exc)[:200]
