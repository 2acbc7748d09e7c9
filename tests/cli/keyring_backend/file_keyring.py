"""A keyring back end that keeps secrets in a JSON file (``FILE_KEYRING_PATH``), for tests.

Selected with ``PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring`` and this
directory on ``PYTHONPATH``: a real back end of the ``keyring`` package, so
that the CLI's keyring path runs as it would with the OS keyring.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """Secrets as ``{"service": {"name": "secret"}}`` in one JSON file."""

    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["FILE_KEYRING_PATH"])

    def _load(self) -> dict[str, dict[str, str]]:
        if not self._path.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self._path.read_text(encoding="utf-8"))
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.get(service, {}).pop(username, None)
        self._path.write_text(json.dumps(data), encoding="utf-8")
