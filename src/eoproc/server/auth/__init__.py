"""Authentication of the server: API keys and OIDC bearer tokens.

:class:`Authenticate` (ASGI middleware) finds the :class:`User` of each
request and puts it in the ASGI scope (``scope["user"]``); the ``current_user``
dependency of :mod:`eoproc.server.deps` reads it, and :mod:`eoproc.server.security`
keeps each user's jobs apart.
"""

from __future__ import annotations

from .apikeys import ApiKey, ApiKeyVerifier, hash_key, new_key, parse_api_key, parse_api_keys
from .middleware import PUBLIC_PATHS, Authenticate
from .oidc import DEFAULT_ALGORITHMS, InvalidToken, OidcSettings, OidcVerifier
from .users import ADMIN_ROLE, User

__all__ = [
    "ADMIN_ROLE",
    "DEFAULT_ALGORITHMS",
    "PUBLIC_PATHS",
    "ApiKey",
    "ApiKeyVerifier",
    "Authenticate",
    "InvalidToken",
    "OidcSettings",
    "OidcVerifier",
    "User",
    "hash_key",
    "new_key",
    "parse_api_key",
    "parse_api_keys",
]
