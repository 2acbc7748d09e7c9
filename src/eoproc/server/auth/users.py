"""Who is asking: :class:`User` and the user of the request being served."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class User:
    """An authenticated caller: a name (API-key user or the token's ``sub``) and roles."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_role(self, role: str) -> bool:
        """Whether the user holds ``role``."""
        return role in self.roles


#: The user of the request being served (``None``: authentication is off).
#: Set by :class:`~eoproc.server.auth.middleware.Authenticate` for the request's
#: duration only; it is per-request state, never configuration.
current_user: ContextVar[User | None] = ContextVar("eoproc_current_user", default=None)
