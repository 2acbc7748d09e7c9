"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.live_server import LiveServer, run_server
from tests.ogc_schemas import OgcSchemas, find_spec_dir

# Tests never touch the keyring of the machine they run on (installed backends such as
# keyrings.alt would otherwise be picked); tests of the keyring choose their backend.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture(scope="session")
def ogc_schemas() -> OgcSchemas:
    """The official OGC API - Processes 1.0 schemas (skips, or fails in CI, when absent)."""
    spec_dir = find_spec_dir()
    return OgcSchemas(spec_dir)


@pytest.fixture(scope="session")
def ogc_validate(ogc_schemas: OgcSchemas) -> Callable[[str, Any], None]:
    """``ogc_validate("statusInfo", payload)`` raises if the payload does not validate."""
    return ogc_schemas.validate


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A real eoproc server (demo processes, 2 job workers, a temporary SQLite store).

    Started once per test session on a free loopback port (see ``tests/live_server.py``;
    use ``run_server`` directly for a server of your own).
    """
    store = tmp_path_factory.mktemp("live-server") / "jobs.db"
    with run_server(store, "--workers", "2") as server:
        yield server
