"""``SecurityConfig``: every security option of the server, and how it is applied.

:func:`secure` wraps a service and an ASGI application as the configuration
says; ``create_app(service, security=...)`` calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

from ..auth import PUBLIC_PATHS, ApiKey, ApiKeyVerifier, Authenticate, OidcSettings, OidcVerifier
from ..service import Service
from .fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, ReferenceFetcher
from .guard import Access, Guard, Limits
from .netpolicy import AddressPolicy


@dataclass(frozen=True)
class SecurityConfig:
    """The security options of one server.

    ``public_network``: input references to private, loopback, link-local and
    unique-local addresses are refused (except ``allow_input_hosts``: host names
    or networks). On by default and in the CLI, whatever the bind address.
    """

    api_keys: Sequence[ApiKey] = ()
    api_key_header: str = "X-API-Key"
    oidc: OidcSettings | None = None
    public_docs: bool = True
    access: Access = field(default_factory=Access)
    limits: Limits = field(default_factory=Limits)
    public_network: bool = True
    allow_input_hosts: Sequence[str] = ()
    fetch_inputs: bool = True
    fetch_max_bytes: int = DEFAULT_MAX_BYTES
    fetch_timeout: float = DEFAULT_TIMEOUT

    @property
    def authenticated(self) -> bool:
        """Whether requests must authenticate (API keys or OIDC are configured)."""
        return bool(self.api_keys) or self.oidc is not None

    def fetcher(self) -> ReferenceFetcher | None:
        """The fetcher of input references (``None`` if references are not fetched)."""
        if not self.fetch_inputs:
            return None
        return ReferenceFetcher(self.policy(), self.fetch_max_bytes, self.fetch_timeout)

    def policy(self) -> AddressPolicy:
        """The addresses input references may be fetched from and callbacks sent to."""
        return AddressPolicy(self.public_network, frozenset(self.allow_input_hosts))

    def guard(self, service: Service) -> Guard:
        """The access policy over ``service`` (``Guard.for_user``: one user's view)."""
        return Guard(
            service,
            access=self.access,
            limits=self.limits,
            fetcher=self.fetcher(),
            authenticated=self.authenticated,
            policy=self.policy(),
        )

    def authenticate(self, app: ASGIApp) -> ASGIApp:
        """``app`` behind authentication (unchanged if none is configured)."""
        if not self.authenticated:
            return app
        return Authenticate(
            app,
            api_keys=ApiKeyVerifier(self.api_keys),
            oidc=OidcVerifier(self.oidc) if self.oidc is not None else None,
            api_key_header=self.api_key_header,
            public_paths=PUBLIC_PATHS if self.public_docs else (),
        )


class Authentication:
    """ASGI middleware applying :meth:`SecurityConfig.authenticate` (for ``add_middleware``)."""

    def __init__(self, app: ASGIApp, config: SecurityConfig) -> None:
        self.app = config.authenticate(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
