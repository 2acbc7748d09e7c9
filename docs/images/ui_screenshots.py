"""Make the screenshots of docs/ui.md: ``python docs/images/ui_screenshots.py``.

Starts a demo server on a free loopback port (a temporary SQLite store), runs
``primes_between`` and ``sleep_a_while`` from their forms in headless Chromium
(``/usr/bin/chromium``), and writes ``ui-*.png`` beside this file.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.live_server import run_server  # noqa: E402
from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

HERE = Path(__file__).parent


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        run_server(Path(tmp) / "jobs.db") as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 860, "height": 760})
        page.goto(f"{server.url}/processes/simulate_scene")
        page.screenshot(path=str(HERE / "ui-process.png"))
        page.goto(f"{server.url}/processes/primes_between")
        page.get_by_label("Min Val").fill("10")
        page.get_by_label("Max Val").fill("80")
        page.get_by_role("button", name=re.compile("^Run")).click()
        page.locator(".status .badge").filter(has_text="successful").wait_for()
        page.screenshot(path=str(HERE / "ui-job.png"))
        page.goto(f"{server.url}/processes/sleep_a_while")
        page.get_by_label("Duration").fill("30")
        page.get_by_role("button", name=re.compile("^Run")).click()
        page.wait_for_function("() => document.querySelector('[data-live=progress]')?.value > 20")
        page.screenshot(
            path=str(HERE / "ui-job-running.png"),
            clip={"x": 0, "y": 0, "width": 860, "height": 450},
        )
        page.get_by_role("button", name="Dismiss job").click()
        page.goto(f"{server.url}/jobs")
        page.screenshot(
            path=str(HERE / "ui-jobs.png"), clip={"x": 0, "y": 0, "width": 860, "height": 450}
        )
        browser.close()


if __name__ == "__main__":
    main()
