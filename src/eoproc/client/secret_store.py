"""Where configuration secrets are kept: the OS keyring when one is available."""

from __future__ import annotations

from typing import Any, Protocol


class SecretStore(Protocol):
    """A place to keep secrets, keyed by service and name."""

    def available(self) -> bool:
        """Whether secrets can be stored here."""
        ...

    def get(self, service: str, name: str) -> str | None:
        """The secret, or None if there is none."""
        ...

    def set(self, service: str, name: str, value: str) -> None:
        """Store a secret."""
        ...


class KeyringStore:
    """The OS keyring through the ``keyring`` package (optional dependency).

    ``backend`` is a ``keyring.backend.KeyringBackend``; by default the one
    ``keyring`` selects for this system. Backends that cannot store anything
    (``fail``, ``null``) and a missing ``keyring`` package count as unavailable.
    """

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend

    def _keyring(self) -> Any:
        if self._backend is None:
            try:
                import keyring
            except ImportError:
                return None
            self._backend = keyring.get_keyring()
        return self._backend

    def available(self) -> bool:
        """Whether a real keyring backend is present."""
        backend = self._keyring()
        if backend is None:
            return False
        try:
            from keyring.backends import chainer, fail, null
        except ImportError:  # pragma: no cover - a custom backend without keyring
            return True
        if isinstance(backend, fail.Keyring | null.Keyring):
            return False
        if isinstance(backend, chainer.ChainerBackend):
            return bool(backend.backends)
        try:
            return float(backend.priority) > 0
        except Exception:  # a backend whose priority cannot be computed
            return False

    def get(self, service: str, name: str) -> str | None:
        """The secret stored under ``service``/``name``, or None."""
        backend = self._keyring()
        if backend is None:
            return None
        value: str | None = backend.get_password(service, name)
        return value

    def set(self, service: str, name: str, value: str) -> None:
        """Store ``value`` under ``service``/``name``."""
        backend = self._keyring()
        if backend is None:
            raise RuntimeError("no keyring is available")
        backend.set_password(service, name, value)

    def delete(self, service: str, name: str) -> None:
        """Remove the secret under ``service``/``name`` (nothing if there is none)."""
        backend = self._keyring()
        if backend is None:
            return
        try:
            backend.delete_password(service, name)
        except Exception as error:  # keyring.errors.PasswordDeleteError: nothing to delete
            if type(error).__name__ != "PasswordDeleteError":
                raise
