"""Fixtures of the deploy tests: packages, a loopback file server, a server that deploys.

The CWL runs are real (cwltool, no container: ``--cwl-no-container``, since the
test machine has no container engine to rely on).
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer, run_server
from tests.ogc_schemas import OgcSchemas, find_spec_dir

from .schemas import Part2Schemas

PACKAGES = Path(__file__).parent / "packages"
CWL_YAML = "application/cwl+yaml"
FINAL = ("successful", "failed", "dismissed")


def package_text(name: str, **replace: str) -> str:
    """The text of ``packages/{name}.cwl``, with placeholders replaced."""
    text = (PACKAGES / f"{name}.cwl").read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def deploy_server(store: Path, *args: str, **kwargs: Any) -> AbstractContextManager[LiveServer]:
    """A real server that deploys CWL packages without containers.

    The test's file server is on loopback, which the server may fetch from only
    when allowed (``--allow-input-host``).
    """
    allow = ("--allow-input-host", "127.0.0.1")
    return run_server(store, "--deploy", "--cwl-no-container", *allow, *args, **kwargs)


def deploy(client: httpx.Client, name: str, **replace: str) -> httpx.Response:
    """``POST /processes`` with ``packages/{name}.cwl`` as CWL YAML."""
    return client.post(
        "/processes", content=package_text(name, **replace), headers={"Content-Type": CWL_YAML}
    )


def submit(client: httpx.Client, process_id: str, inputs: dict[str, Any]) -> str:
    """Execute asynchronously; the job id."""
    answer = client.post(
        f"/processes/{process_id}/execution",
        json={"inputs": inputs},
        headers={"Prefer": "respond-async"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["jobID"])


def wait_job(client: httpx.Client, job_id: str, timeout: float = 120.0) -> list[dict[str, Any]]:
    """Poll a job until it ends; every status seen (the last is final)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}").json()
        if not seen or status != seen[-1]:
            seen.append(status)
        if status["status"] in FINAL:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end in {timeout} s: {seen[-1:]}")


def results_of(client: httpx.Client, job_id: str) -> dict[str, Any]:
    statuses = wait_job(client, job_id)
    assert statuses[-1]["status"] == "successful", statuses[-1]
    answer = client.get(f"/jobs/{job_id}/results")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


@pytest.fixture(scope="session")
def part2() -> Part2Schemas:
    return Part2Schemas(OgcSchemas(find_spec_dir()))


@pytest.fixture(scope="session")
def part1() -> OgcSchemas:
    return OgcSchemas(find_spec_dir())


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def file_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTP server on loopback serving a directory: ``(base URL, directory)``."""
    root = tmp_path_factory.mktemp("served")
    (root / "numbers.txt").write_text("4\n-2\n8\n6\n", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One deploying server for a test module (SQLite store, two workers)."""
    root = tmp_path_factory.mktemp("deploy")
    with deploy_server(root / "jobs.db", "--workers", "2") as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client(timeout=60.0) as http:
        yield http


def ogcapppkg(name: str, description: dict[str, Any] | None = None) -> str:
    """An OGC Application Package of ``packages/{name}.cwl`` (CWL by value, as JSON)."""
    import yaml

    body: dict[str, Any] = {
        "executionUnit": {
            "value": yaml.safe_load(package_text(name)),
            "mediaType": "application/cwl+json",
        }
    }
    if description is not None:
        body["processDescription"] = {"process": description}
    return json.dumps(body)
