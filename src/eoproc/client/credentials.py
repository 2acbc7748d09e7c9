"""Where ``login`` keeps a session: the OS keyring, else a private file (with a warning).

A session is one JSON document per tool profile and API URL: in the keyring
under the profile's service (``eoproc:sen4cap``) and the name ``session:<api url>``,
so that branded tools never see each other's sessions; without a usable keyring,
in ``credentials.json`` beside the profile's configuration file, mode 0600.

That file also records, without any secret, which sessions are in the keyring,
so a command with no login on record never loads the keyring (which costs a
quarter of a short command's start-up).
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .profile import ClientProfile
from .secret_store import KeyringStore, SecretStore

FILE_NAME = "credentials.json"
IN_KEYRING = {"stored_in": "keyring"}
"""The file's entry of a session kept in the keyring (no secret)."""


class PlaintextCredentialsWarning(UserWarning):
    """No OS keyring: credentials were written to a file readable by its owner only."""


@dataclass
class LoginSession:
    """What ``login`` obtained for one server.

    ``kind`` is ``"oauth2"`` (tokens, refreshed at ``token_url``) or ``"api-key"``
    (sent in ``header``).
    """

    kind: str
    access_token: str = ""
    refresh_token: str | None = None
    expires_at: float | None = None
    token_url: str | None = None
    revocation_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    header: str = "Authorization"
    method: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The session as JSON text."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LoginSession:
        """A session from :meth:`to_json` text (unknown members are ignored)."""
        data = json.loads(text)
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


class CredentialStore:
    """Sessions of one tool profile, in the keyring or the fallback file."""

    def __init__(self, profile: ClientProfile, keyring: SecretStore | None = None) -> None:
        self.profile = profile
        self.keyring = keyring if keyring is not None else KeyringStore()
        self.file = profile.config_file.parent / FILE_NAME

    @staticmethod
    def _name(api_url: str) -> str:
        return f"session:{api_url.rstrip('/')}/"

    def load(self, api_url: str) -> LoginSession | None:
        """The session for ``api_url``, or None (the keyring is asked only if the
        file records a session there)."""
        name = self._name(api_url)
        entry = self._read_file().get(name)
        if isinstance(entry, str):
            return LoginSession.from_json(entry)
        if entry != IN_KEYRING or not self.keyring.available():
            return None
        try:
            text = self.keyring.get(self.profile.keyring_service, name)
        except Exception:  # a locked or broken keyring: as if logged out
            return None
        return LoginSession.from_json(text) if text else None

    def save(self, api_url: str, session: LoginSession) -> str:
        """Store ``session``; where it went (``"keyring"`` or the file's path).

        Without a usable keyring, warns with :class:`PlaintextCredentialsWarning`.
        """
        name = self._name(api_url)
        if self.keyring.available():
            try:
                self.keyring.set(self.profile.keyring_service, name, session.to_json())
            except Exception:  # a locked or broken keyring: fall back to the file
                pass
            else:
                data = self._read_file()
                data[name] = IN_KEYRING
                self._write_file(data)
                return "keyring"
        data = self._read_file()
        data[name] = session.to_json()
        self._write_file(data)
        warnings.warn(
            f"No OS keyring is available: the credentials were written to {self.file} "
            "(readable by you only). Install the `keyring` extra to keep them in the keyring.",
            PlaintextCredentialsWarning,
            stacklevel=2,
        )
        return str(self.file)

    def delete(self, api_url: str) -> bool:
        """Remove the session for ``api_url``; whether there was one."""
        name = self._name(api_url)
        data = self._read_file()
        entry = data.pop(name, None)
        if entry is None:
            return False
        self._write_file(data)
        delete = getattr(self.keyring, "delete", None)
        if entry == IN_KEYRING and delete is not None and self.keyring.available():
            # already gone, or a locked keyring: the record is gone all the same
            with contextlib.suppress(Exception):
                delete(self.profile.keyring_service, name)
        return True

    def _read_file(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_file(self, data: dict[str, Any]) -> None:
        if not data:
            self.file.unlink(missing_ok=True)
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_name(f".{self.file.name}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.file)


def session_path(profile: ClientProfile) -> Path:
    """The fallback file of ``profile``'s sessions."""
    return profile.config_file.parent / FILE_NAME
