"""The server CLIs: bad SERVICE fails at start, the S2GOS seed command, env variables."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.live_server import REPO_ROOT, free_port, run_server


def python_path() -> str:
    """The repository root (for ``tests.*`` services) before the caller's ``PYTHONPATH``
    (so that a worktree's ``src`` is what the server imports)."""
    return os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)


def run_cli(*args: str, module: str = "eoproc.server.cli") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": python_path()}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz:service", "cannot import module 'no_such_module_xyz'"),
        ("os:path", "neither a Service nor a ProcessRegistry"),
        ("tests.server.cpu_service:nope", "has no attribute 'nope'"),
        ("tests.server.cpu_service:not_a_service", "neither a Service nor a ProcessRegistry"),
        ("no-colon", "must be 'module:attribute'"),
    ],
)
def test_bad_service_fails_at_start(tmp_path: Path, spec: str, message: str) -> None:
    store = f"sqlite:///{tmp_path / 'jobs.db'}"
    result = run_cli("run", "--port", str(free_port()), "--store", store, "--", spec)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_service_args_go_to_a_factory_only(tmp_path: Path) -> None:
    result = run_cli(
        "run", "--port", str(free_port()), "--", "tests.server.cpu_service:registry", "--x"
    )
    assert result.returncode == 1
    assert "takes no SERVICE-ARGS" in result.stderr


def test_port_in_use_fails(tmp_path: Path) -> None:
    with run_server(tmp_path / "a.db") as server:
        result = run_cli(
            "run", "--port", str(server.port), "--store", f"sqlite:///{tmp_path / 'b.db'}"
        )
    assert result.returncode == 1


def test_s2gos_seed_command(tmp_path: Path) -> None:
    """``s2gos-server run -- s2gos_server.services.testing:service`` serves the demo."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    with run_server(
        tmp_path / "jobs.db",
        service="s2gos_server.services.testing:service",
        cli_module="s2gos_server.cli",
        env=env,
    ) as server:
        landing = httpx.get(f"{server.url}/").json()
        processes = httpx.get(f"{server.url}/processes").json()["processes"]
    assert landing["title"] == "S2GOS Test-Server"
    assert landing["description"] == "Local DTE-S2GOS process server for testing"
    assert {"sleep_a_while", "primes_between"} <= {p["id"] for p in processes}


def test_eoproc_service_environment_variable(tmp_path: Path) -> None:
    env = {"EOPROC_SERVICE": "tests.server.cpu_service:registry"}
    with run_server(tmp_path / "jobs.db", env=env) as server:
        processes = httpx.get(f"{server.url}/processes").json()["processes"]
    assert [p["id"] for p in processes] == ["spin"]


@pytest.mark.parametrize("script", ["eoproc-server", "s2gos-server"])
def test_console_scripts(script: str) -> None:
    path = shutil.which(script)
    if path is None:
        pytest.skip(f"{script} is not installed (pip install -e .)")
    result = subprocess.run([path, "run", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--store" in result.stdout and "SERVICE" in result.stdout


def test_bad_store_fails_at_start_without_traceback(tmp_path: Path) -> None:
    result = run_cli("run", "--port", str(free_port()), "--store", "nosuchscheme://x")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "cannot start the service" in output and "nosuchscheme://x" in output
    assert "Traceback" not in output


def test_dev_serves_with_reload(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": python_path()}
    command = [
        sys.executable,
        "-m",
        "eoproc.server.cli",
        "dev",
        "--port",
        str(port),
        "--store",
        f"sqlite:///{tmp_path / 'jobs.db'}",
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = _wait_for(process, f"http://127.0.0.1:{port}/jobs/nope")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_factory_gets_the_service_args(tmp_path: Path) -> None:
    with run_server(
        tmp_path / "jobs.db",
        service="tests.server.cpu_service:titled",
        service_args=("Factory Title", "From SERVICE-ARGS"),
    ) as server:
        landing = httpx.get(f"{server.url}/").json()
    assert (landing["title"], landing["description"]) == ("Factory Title", "From SERVICE-ARGS")


def test_port_from_environment_and_cors_option(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": python_path(),
        "EOPROC_PORT": str(port),
        "EOPROC_STORE": f"sqlite:///{tmp_path / 'jobs.db'}",
    }
    command = [sys.executable, "-m", "eoproc.server", "run", "--cors-origin", "http://app.test"]
    process = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        response = _wait_for(
            process, f"http://127.0.0.1:{port}/conformance", headers={"Origin": "http://app.test"}
        )
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "http://app.test"
        assert (tmp_path / "jobs.db").exists(), "EOPROC_STORE was used"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_for(
    process: subprocess.Popen[bytes], url: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, "the server exited"
        try:
            return httpx.get(url, headers=headers, timeout=2)
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
