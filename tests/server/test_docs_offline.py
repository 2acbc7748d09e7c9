"""``/docs`` works offline: Swagger UI renders in headless Chromium with every request
that leaves the server refused (its files come from the ``swagger-ui-bundle`` package)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.live_server import run_server

playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (eoproc[test])")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_swagger_ui_renders_without_the_internet(tmp_path: Path) -> None:
    with run_server(tmp_path / "jobs.db", "--workers", "1") as server:
        outside: list[str] = []
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                page = browser.new_page()

                def refuse_outside(route: object) -> None:
                    request = route.request  # type: ignore[attr-defined]
                    if request.url.startswith(server.url):
                        route.continue_()  # type: ignore[attr-defined]
                    else:
                        outside.append(request.url)
                        route.abort()  # type: ignore[attr-defined]

                page.route("**/*", refuse_outside)
                page.goto(f"{server.url}/docs")
                title = page.locator(".swagger-ui .info .title")
                title.wait_for(timeout=30_000)
                assert "eoproc" in title.inner_text()
                assert page.locator(".opblock").count() > 5  # the operations are listed
            finally:
                browser.close()
    assert outside == []
