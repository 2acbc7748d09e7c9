"""Fixtures of the UI tests: a live server and a real headless Chromium (Debian's).

Playwright drives the system's ``/usr/bin/chromium`` (no browser download);
without it, or without the ``playwright`` package, the browser tests skip
with the reason (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import LiveServer, run_server

CHROMIUM = os.environ.get("EOPROC_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVICE = "tests.ui.procs:registry"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for one test module.

    Not for the session: Playwright's sync API keeps an event loop running
    while it is open, and the asyncio tests of later modules need none.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab (own session storage) that fails the test on script errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server over the demo processes (plus ``evil``), two workers."""
    store = tmp_path_factory.mktemp("ui") / "jobs.db"
    with run_server(store, "--workers", "2", service=SERVICE) as live:
        yield live


def shot(page: Any, folder: Path, name: str) -> Path:
    """A full-page screenshot of ``page`` as ``folder/name.png``."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
