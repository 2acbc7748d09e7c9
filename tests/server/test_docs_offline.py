"""``/docs`` and ``/redoc`` work offline: Swagger UI and ReDoc render in headless Chromium
with every request that leaves the server refused (Swagger UI's files come from the
``swagger-ui-bundle`` package, ReDoc's bundle is packaged with eoproc)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import run_server

playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (eoproc[test])")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)"
)


@contextmanager
def offline_page(tmp_path: Path, path: str) -> Iterator[tuple[Any, list[str]]]:
    """A browser page on ``path`` of a live server, and the URLs it asked for elsewhere
    (refused)."""
    with run_server(tmp_path / "jobs.db", "--workers", "1") as server:
        outside: list[str] = []
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                page = browser.new_page()

                def refuse_outside(route: Any) -> None:
                    if route.request.url.startswith((server.url, "data:", "blob:")):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                page.route("**/*", refuse_outside)
                page.goto(f"{server.url}{path}")
                yield page, outside
            finally:
                browser.close()


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize(
    ("path", "title", "operation"),
    [
        ("/docs", ".swagger-ui .info .title", ".opblock"),  # Swagger UI
        ("/redoc", ".api-info h1", "[data-section-id^='operation/']"),  # ReDoc
    ],
)
def test_api_documentation_renders_without_the_internet(
    tmp_path: Path, path: str, title: str, operation: str
) -> None:
    with offline_page(tmp_path, path) as (page, outside):
        heading = page.locator(title)
        heading.wait_for(timeout=30_000)
        assert "eoproc" in heading.inner_text()
        assert page.locator(operation).count() > 5  # the operations are listed
    assert outside == []
