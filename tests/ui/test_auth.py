"""The UI with API keys on: the key prompt, session storage only, per-user jobs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eoproc.server.auth import hash_key
from tests.live_server import LiveServer, run_server
from tests.ui.conftest import SERVICE, shot

ALICE = "alice-key-0123456789abcdef"
BOB = "bob-key-0123456789abcdef0"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = tmp_path_factory.mktemp("ui-auth") / "jobs.db"
    keys = [f"--api-key={hash_key(ALICE)}:alice", f"--api-key={hash_key(BOB)}:bob"]
    with run_server(store, "--workers", "1", *keys, service=SERVICE) as live:
        yield live


def _run(server: LiveServer, key: str, low: int) -> str:
    response = httpx.post(
        f"{server.url}/processes/primes_between/execution",
        json={"inputs": {"min_val": low, "max_val": 50}},
        headers={"X-API-Key": key, "Prefer": "respond-async"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["jobID"])


def test_key_prompt_and_own_jobs_only(page: Any, secured: LiveServer, tmp_path: Path) -> None:
    mine = _run(secured, ALICE, 1)
    theirs = [_run(secured, BOB, 2), _run(secured, BOB, 3)]
    page.goto(f"{secured.url}/jobs")
    prompt = page.get_by_role("region", name="Sign in")
    prompt.wait_for()
    assert page.get_by_role("heading", name="Sign in to see this page").is_visible()
    shot(page, tmp_path, "prompt")
    page.get_by_label("API key").fill("not-a-key-0123456789abcdef")
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    page.get_by_text("The server refused these credentials").wait_for()
    page.get_by_label("API key").fill(ALICE)
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    page.locator("tr[data-job]").first.wait_for()
    shown = page.locator("tr[data-job]").evaluate_all("rows => rows.map(r => r.dataset.job)")
    assert shown == [mine]
    assert not set(theirs) & set(shown)
    assert page.context.cookies() == []  # the key lives in the tab's session storage only
    assert page.evaluate("sessionStorage.getItem('eoproc.credential')") == ALICE
    shot(page, tmp_path, "alice-jobs")
    # links keep working: the next page fetches itself again with the key
    page.locator(f'tr[data-job="{mine}"] a').first.click()
    page.wait_for_url(re.compile(f"/jobs/{mine}"))
    page.get_by_role("heading", name=re.compile(f"Job {mine}")).wait_for()
    page.locator(".status .badge").filter(has_text="successful").wait_for()
    assert "41" in page.locator("[data-value]").inner_text()
    shot(page, tmp_path, "alice-job")
    # another user's job is not hers to see
    page.goto(f"{secured.url}/jobs/{theirs[0]}")
    page.get_by_role("heading", name="No such job").wait_for()
    # a job started from the form belongs to her
    page.goto(f"{secured.url}/processes/primes_between")
    page.get_by_role("button", name=re.compile("^Run")).click()
    page.wait_for_url(re.compile(r"/jobs/[^/?]+$"))
    page.locator(".status .badge").filter(has_text="successful").wait_for()
    job_id = page.url.rsplit("/", 1)[1]
    assert httpx.get(f"{secured.url}/jobs/{job_id}", headers={"X-API-Key": ALICE}).is_success
    assert httpx.get(f"{secured.url}/jobs/{job_id}", headers={"X-API-Key": BOB}).status_code == 404
