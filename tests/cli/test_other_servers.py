"""The CLI against servers that are not eoproc: one that behaves like the seed's
(ids ``job_0``, 403 for cancelled jobs, paging in ``Link`` headers) and one that
requires each kind of authentication. Both are the client tests' real HTTP app.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, make_runner
from tests.client.testapp import API_KEY, CLIENT_ID, CLIENT_SECRET, PASSWORD, STATIC_TOKEN, USER
from tests.client.testapp import serve as serve_test_app


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serve_test_app() as (url, _state):
        yield url


@pytest.fixture
def peer(home: Path, app_url: str) -> Runner:
    return make_runner(home, SEN4CAP_API_URL=f"{app_url}/peer/")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_results_of_a_cancelled_job_as_in_the_seed(peer: Runner, encoding: str) -> None:
    result = peer("get-job-results", "job_0", env={"PYTHONIOENCODING": encoding}, encoding=encoding)
    assert result.code == 2, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Error: ") and "403" in lines[0]
    assert "Server-side error details:" in lines
    assert "  title: Forbidden" in lines
    assert "  detail: The job was cancelled." in lines
    assert "Traceback" not in result.stderr


def test_peer_job_list_pages_in_link_headers(peer: Runner) -> None:
    every = peer("list-jobs", "--all", "-f", "json")
    assert every.code == 0, every
    first = peer("list-jobs", "-f", "json")
    assert len(every.json()["jobs"]) > len(first.json()["jobs"]) == 2


def test_peer_downloads(peer: Runner, home: Path) -> None:
    result = peer("gjr", "job_1", "--output-dir", str(home / "out"), "-f", "json")
    assert result.code == 0, result
    names = sorted(Path(path).name for path in result.json())
    assert "report.txt" in names
    assert (home / "out" / "report.txt").read_text(encoding="utf-8") == "ünïcode report\n"


AUTH_OPTIONS = {
    "basic": ["--auth-type", "basic", "--username", USER, "--password", PASSWORD],
    "bearer": ["--auth-type", "bearer", "--token", STATIC_TOKEN],
    "apikey": ["--auth-type", "api-key", "--api-key", API_KEY],
    "login": ["--auth-type", "login", "--username", USER, "--password", PASSWORD],
    "oauth": [
        "--auth-type",
        "oauth2-client-credentials",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ],
}


@pytest.mark.parametrize("scheme", sorted(AUTH_OPTIONS))
def test_configured_auth_is_used(home: Path, app_url: str, scheme: str) -> None:
    run = make_runner(home)
    options = list(AUTH_OPTIONS[scheme])
    if scheme == "login":
        options += ["--login-url", f"{app_url}/login"]
    if scheme == "oauth":
        options += ["--token-url", f"{app_url}/oauth/token"]
    api_url = f"{app_url}/auth/{scheme}/"
    configured = run("configure", "--api-url", api_url, *options)
    assert configured.code == 0, configured
    result = run("get-conformance", "-f", "json")
    assert result.code == 0, result
    assert result.json()["conformsTo"]


def test_wrong_credentials_exit_2(home: Path, app_url: str) -> None:
    run = make_runner(home)
    assert (
        run(
            "configure",
            "--api-url",
            f"{app_url}/auth/bearer/",
            "--auth-type",
            "bearer",
            "--token",
            "wrong",
        ).code
        == 0
    )
    result = run("get-conformance")
    assert result.code == 2, result
    assert "401" in result.stderr.splitlines()[0]
    assert "  detail: Credentials are missing or invalid." in result.stderr.splitlines()


def test_token_from_the_keyring_is_used(home: Path, app_url: str) -> None:
    run = make_runner(
        home,
        PYTHON_KEYRING_BACKEND="file_keyring.FileKeyring",
        PYTHONPATH=str(Path(__file__).parent / "keyring_backend"),
        FILE_KEYRING_PATH=str(home / "keyring.json"),
    )
    configured = run(
        "configure",
        "--api-url",
        f"{app_url}/auth/bearer/",
        "--auth-type",
        "bearer",
        "--token",
        STATIC_TOKEN,
    )
    assert configured.code == 0, configured
    assert STATIC_TOKEN not in (home / ".sen4cap" / "config").read_text(encoding="utf-8")
    result = run("get-conformance")
    assert result.code == 0, result
