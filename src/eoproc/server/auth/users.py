"""Who is asking: :class:`User`."""

from __future__ import annotations

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
