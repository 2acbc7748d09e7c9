"""Where login sessions are kept: the keyring is asked only for sessions on record."""

from __future__ import annotations

import json
from pathlib import Path

from eoproc.client.credentials import CredentialStore, LoginSession
from eoproc.client.profile import ClientProfile

URL = "https://ogc.example/api"


class MemoryKeyring:
    """A keyring kept in memory that counts every call (the OS keyring cannot be
    asked for in a test without changing the user's own)."""

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}
        self.calls = 0

    def available(self) -> bool:
        self.calls += 1
        return True

    def get(self, service: str, name: str) -> str | None:
        self.calls += 1
        return self.secrets.get((service, name))

    def set(self, service: str, name: str, value: str) -> None:
        self.calls += 1
        self.secrets[(service, name)] = value

    def delete(self, service: str, name: str) -> None:
        self.calls += 1
        del self.secrets[(service, name)]


def _store(tmp_path: Path, keyring: MemoryKeyring) -> CredentialStore:
    profile = ClientProfile(name="demo", env_prefix="DEMO_", config_path=tmp_path / "config")
    return CredentialStore(profile, keyring=keyring)


def test_without_a_login_on_record_the_keyring_is_not_asked(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    assert _store(tmp_path, keyring).load(URL) is None
    assert keyring.calls == 0


def test_a_session_in_the_keyring_is_recorded_without_its_secret(tmp_path: Path) -> None:
    keyring = MemoryKeyring()
    store = _store(tmp_path, keyring)
    session = LoginSession(kind="oauth2", access_token="s3cret", refresh_token="r3fresh")
    assert store.save(URL, session) == "keyring"
    text = store.file.read_text()
    assert "s3cret" not in text and "r3fresh" not in text
    assert json.loads(text) == {f"session:{URL}/": {"stored_in": "keyring"}}
    assert _store(tmp_path, keyring).load(URL) == session
    assert _store(tmp_path, keyring).load("https://other.example/api") is None

    assert store.delete(URL) is True
    assert keyring.secrets == {} and not store.file.exists()
    assert store.load(URL) is None and store.delete(URL) is False
