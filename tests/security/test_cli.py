"""The server CLI: refusing to serve the network without authentication, hash-key, options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from eoproc.server.auth import hash_key

from ..live_server import REPO_ROOT, run_server


def python_path() -> str:
    """The repository root (for ``tests.*`` services) before the caller's ``PYTHONPATH``
    (so that a worktree's ``src`` is what the server imports)."""
    return os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)


KEY = "cli-key-0123456789abcdefghij"


def _cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eoproc.server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": python_path(), **(env or {})},
    )


def test_non_loopback_without_auth_is_refused(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'jobs.db'}"
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        result = _cli("run", "--host", host, "--port", "9", "--store", store)
        assert result.returncode == 1
        assert "without authentication" in result.stderr and "--insecure" in result.stderr
        assert "Traceback" not in result.stderr
    dev = _cli("dev", "--host", "0.0.0.0", "--port", "9")
    assert dev.returncode == 1 and "loopback only" in dev.stderr
    bad = _cli("run", "--api-key", "nothex:alice", "--port", "9", "--store", store)
    assert bad.returncode == 1 and "64 hex digits" in bad.stderr
    half = _cli("run", "--oidc-issuer", "https://id.example", "--port", "9", "--store", store)
    assert half.returncode == 1 and "--oidc-audience" in half.stderr


def test_hash_key_command() -> None:
    made = _cli("hash-key")
    assert made.returncode == 0, made.stderr
    lines = dict(line.split(":", 1) for line in made.stdout.strip().splitlines())
    key, digest = lines["key"].strip(), lines["hash"].strip()
    assert len(key) >= 40 and hash_key(key) == digest
    given = _cli("hash-key", "--stdin", stdin=KEY + "\n")
    assert given.returncode == 0 and given.stdout.strip() == hash_key(KEY)
    short = _cli("hash-key", "--stdin", stdin="short\n")
    assert short.returncode == 1 and "at least" in short.stderr


def test_run_with_api_keys_from_the_environment(tmp_path: Path, files: str) -> None:
    other = "other-key-0123456789abcdefgh"
    env = {"EOPROC_API_KEYS": f"{hash_key(KEY)}:alice,{hash_key(other)}:root:admin,ops"}
    args = ("--input-max-bytes", "100", "--allow-input-host", "127.0.0.1")
    quick = "tests.security.procs:quick"
    with run_server(tmp_path / "jobs.db", *args, service=quick, env=env) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/jobs").status_code == 401
            assert client.get("/").status_code == 200  # public by default
            mine = client.post(
                "/processes/echo/execution",
                json={"inputs": {"text": "hi"}},
                headers={"X-API-Key": KEY, "Prefer": "respond-async"},
            )
            assert mine.status_code == 201, mine.text
            job_id = mine.json()["jobID"]
            admin = client.get(f"/jobs/{job_id}", headers={"X-API-Key": other})
            assert admin.status_code == 200
            assert "X-Request-ID" in admin.headers
            # loopback allowed by the operator: fetched, within the size limit
            by_ref = client.post(
                "/processes/echo/execution",
                json={"inputs": {"text": {"href": f"{files}/text"}}},
                headers={"X-API-Key": KEY},
            )
            assert by_ref.json()["return_value"]["text"] == "hello from a reference"
            big = client.post(
                "/processes/echo/execution",
                json={"inputs": {"text": {"href": f"{files}/big"}}},
                headers={"X-API-Key": KEY},
            )
            assert big.status_code == 400 and "larger than 100 bytes" in big.text
        assert KEY not in server.log() and other not in server.log()
