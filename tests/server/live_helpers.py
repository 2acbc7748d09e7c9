"""Helpers of the tests against a live server: waiting for jobs, checking problems."""

from __future__ import annotations

import time
from typing import Any

import httpx

FINAL = ("successful", "failed", "dismissed")
SAFETY_TIMEOUT = 120.0


def wait_for(
    client: httpx.Client,
    job_id: str,
    statuses: tuple[str, ...] = FINAL,
    timeout: float = SAFETY_TIMEOUT,
) -> dict[str, Any]:
    """Poll a job until its status is one of ``statuses`` (a generous safety timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        if body["status"] in statuses:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {body['status']} after {timeout} s")
        time.sleep(0.05)


def submit(
    client: httpx.Client, process_id: str, inputs: dict[str, Any], **extra: Any
) -> httpx.Response:
    """An asynchronous execution (``Prefer: respond-async``)."""
    return client.post(
        f"/processes/{process_id}/execution",
        json={"inputs": inputs, **extra},
        headers={"Prefer": "respond-async"},
    )
