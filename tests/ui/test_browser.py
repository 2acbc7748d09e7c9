"""The UI in a real headless Chromium: forms, live jobs, dismiss, escaping.

Each test saves screenshots of the pages it visits under its ``tmp_path``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from tests.live_server import LiveServer
from tests.ui.conftest import shot
from tests.ui.procs import EVIL_TITLE, png_gradient

CONF_HTML = "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/html"
PRIMES_10_80 = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]


def test_run_primes_from_the_landing_page(page: Any, server: LiveServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/")
    shot(page, tmp_path, "landing")
    page.get_by_role("link", name="Processes").first.click()
    page.wait_for_url(re.compile(r"/processes"))
    shot(page, tmp_path, "processes")
    page.get_by_role("link", name="Prime Processor").click()
    page.wait_for_url(re.compile(r"/processes/primes_between"))
    page.get_by_label("Min Val").fill("10")
    page.get_by_label("Max Val").fill("80")
    shot(page, tmp_path, "process")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_url(re.compile(r"/jobs/[^/?]+$"))
    page.evaluate("window.__sameDocument = true")
    badge = page.locator(".status .badge")
    badge.filter(has_text="successful").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # no reload on the way
    values = page.locator("[data-output] [data-value]").inner_text()
    assert [int(n) for n in re.findall(r"\d+", values)] == PRIMES_10_80
    assert "18 items" in page.locator("[data-output]").inner_text()
    assert page.locator("[data-output] h3").inner_text() == "Return Value return_value"
    shot(page, tmp_path, "job")
    job_url = page.url.split("?")[0]
    page.set_viewport_size({"width": 360, "height": 740})  # a phone: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, tmp_path, "job-narrow")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.get_by_role("link", name="Jobs").first.click()
    page.wait_for_url(re.compile(r"/jobs\?"))
    assert page.locator("tr[data-job]").count() >= 1
    shot(page, tmp_path, "jobs")
    page.goto(f"{job_url}/results")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Results of job")
    shot(page, tmp_path, "results")
    page.goto(f"{server.url}/conformance")
    assert page.get_by_role("link", name=CONF_HTML, exact=True).count() == 1
    shot(page, tmp_path, "conformance")


def test_invalid_values_show_messages_next_to_the_field(
    page: Any, server: LiveServer, tmp_path: Path
) -> None:
    page.goto(f"{server.url}/processes/primes_between?f=html")
    page.get_by_label("Max Val").fill("200")
    page.get_by_role("button", name=re.compile("^Run")).click()
    error = page.locator('[data-input="max_val"] [data-error]')
    assert "at most 100" in error.inner_text()  # the browser's check, from the schema
    assert page.get_by_label("Max Val").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.closest('[data-input]').dataset.input") == (
        "max_val"
    )  # the focus goes to the first field in error
    shot(page, tmp_path, "browser-error")
    # the same value with the browser's check off: the server's problem details
    page.locator("form[data-execute]").evaluate("form => { form.dataset.validate = 'off'; }")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_function(
        "() => document.querySelector('[data-input=max_val] [data-error]')"
        ".textContent.includes('less than or equal to 100')"
    )
    shot(page, tmp_path, "server-error")
    # a value only the server rejects (its own check, beyond the schema)
    page.goto(f"{server.url}/processes/simulate_scene?f=html")
    bbox = page.locator('[data-input="bbox"]')
    bbox.get_by_label("West").fill("10")
    bbox.get_by_label("East").fill("5")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_function(
        "() => document.querySelector('[data-input=bbox] [data-error]')"
        ".textContent.includes('west < east')"
    )
    assert page.url.endswith("/processes/simulate_scene?f=html")
    shot(page, tmp_path, "server-only-error")


def test_dismiss_a_running_job_from_its_page(page: Any, server: LiveServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/processes/sleep_a_while", wait_until="load")
    page.get_by_label("Duration").fill("60")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_url(re.compile(r"/jobs/[^/?]+$"))
    page.locator(".status .badge").filter(has_text="running").wait_for()
    page.wait_for_function("() => document.querySelector('[data-live=progress]').value > 0")
    shot(page, tmp_path, "running")
    page.get_by_role("button", name="Dismiss job").click()
    page.locator(".status .badge").filter(has_text="dismissed").wait_for()
    job_url = page.url.split("?")[0]
    assert httpx.get(job_url).json()["status"] == "dismissed"
    shot(page, tmp_path, "dismissed")


def test_markup_in_a_title_renders_as_text(page: Any, server: LiveServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/processes?f=html&limit=100")
    assert page.get_by_role("link", name=EVIL_TITLE).count() == 1
    page.get_by_role("link", name=EVIL_TITLE).click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == EVIL_TITLE
    assert page.locator("main b").count() == 0
    assert page.evaluate("window.pwned") is None
    assert '<script>alert("text")</script>' in page.locator(".lead").inner_text()
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.locator(".status .badge").filter(has_text="successful").wait_for()
    assert "<img src=x onerror=alert(1)>" in page.locator("[data-value]").inner_text()
    assert page.locator("main img").count() == 0
    assert page.evaluate("window.pwned") is None
    shot(page, tmp_path, "escaped")


def test_results_show_images_tables_and_sizes(
    page: Any, server: LiveServer, tmp_path: Path
) -> None:
    page.goto(f"{server.url}/processes/picture_and_table?f=html")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_url(re.compile(r"/jobs/[^/?]+$"))
    page.locator(".status .badge").filter(has_text="successful").wait_for()
    picture = _output(page, "picture")
    image = picture.locator("img")
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 48", arg=image.element_handle()
    )
    expected = f"{len(png_gradient(48)) / 1024:.1f} KiB"
    assert picture.locator("[data-size]").inner_text() == expected
    assert picture.get_by_role("link", name=re.compile("^Download")).get_attribute("href")
    table = _output(page, "table")
    table.locator("tbody tr").nth(11).wait_for()
    assert table.locator("thead th").all_inner_texts() == ["band", "mean", "valid"]
    assert table.locator("tbody tr").first.inner_text().split() == ["B01", "0.25", "False"]
    rows = _output(page, "rows")
    assert rows.locator("tbody tr").count() == 2  # a list of objects is a table too
    shot(page, tmp_path, "results")


def _output(page: Any, name: str) -> Any:
    return page.locator(f'[data-output][data-name="{name}"]')


def test_pages_are_small(server: LiveServer) -> None:
    paths = ["/", "/conformance", "/processes?limit=100", "/jobs?limit=100"]
    paths += [f"/processes/{pid}" for pid in ("echo", "simulate_scene", "primes_between")]
    for path in paths:
        page = httpx.get(f"{server.url}{path}", headers={"Accept": "text/html"})
        assert page.status_code == 200, path
        assert len(page.content) <= 50 * 1024, (path, len(page.content))


def test_keyboard_only_and_a_failed_job(page: Any, server: LiveServer, tmp_path: Path) -> None:
    page.goto(f"{server.url}/processes/sleep_a_while?f=html")
    page.get_by_label("Duration").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.4")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the reference disclosure, to the checkbox
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.keyboard.press("Space")
    page.get_by_label("Duration").press("Enter")  # Enter submits the form
    page.wait_for_url(re.compile(r"/jobs/[^/?]+$"))
    page.locator(".status .badge").filter(has_text="failed").wait_for()
    failure = page.get_by_role("region", name="Why it failed")
    assert "Woke up too early" in failure.inner_text()
    shot(page, tmp_path, "failed")
