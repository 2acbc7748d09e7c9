"""Fixtures of the client tests: an isolated environment and the test servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client.testapp import State, serve

_PREFIXES = ("EOPROC_", "S2GOS_", "SEN4CAP_")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home directory and no client settings from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="module")
def app_server() -> Iterator[tuple[str, State]]:
    """The client test app (auth, flaky endpoints, a peer server): (base URL, state)."""
    with serve() as served:
        yield served


@pytest.fixture
def app_url(app_server: tuple[str, State]) -> str:
    """The test app's base URL."""
    return app_server[0]


@pytest.fixture
def app_state(app_server: tuple[str, State]) -> Iterator[State]:
    """The test app's state, reset for each test."""
    state = app_server[1]
    fresh = State()
    state.__dict__.update(fresh.__dict__)
    yield state
