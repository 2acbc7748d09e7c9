"""``login`` / ``logout`` against a real OIDC provider on loopback and a real server.

The provider (``oidc_provider``) serves discovery, device authorization, an
authorization endpoint (PKCE, loopback redirect), token (device code, code,
refresh, client credentials) and revocation endpoints; the eoproc server checks
its tokens. Credentials go to a real keyring backend (``keyrings.alt``'s
plaintext file backend, in the test's home), or without one to the 0600 file.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eoproc.server.auth import hash_key
from tests.cli.conftest import Result, clean_env, script_path
from tests.live_server import LiveServer, run_server

from .oidc_provider import AUDIENCE, CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID, Provider
from .oidc_provider import run_provider as start_provider

API_KEY = "login-test-key-0123456789abcdef"
KEYRING = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with start_provider() as running:
        yield running


@pytest.fixture(scope="module")
def server(provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    pytest.importorskip("keyrings.alt")
    args = ["--oidc-issuer", provider.issuer, "--oidc-audience", AUDIENCE]
    args += ["--api-key", f"{hash_key(API_KEY)}:keyuser"]
    store = tmp_path_factory.mktemp("login") / "jobs.db"
    with run_server(store, *args, service="tests.security.procs:quick") as running:
        yield running


@pytest.fixture
def home(tmp_path: Path, provider: Provider) -> Path:
    provider.access_lifetime = 600
    path = tmp_path / "home"
    path.mkdir()
    return path


def env_of(home: Path, keyring: str = KEYRING) -> dict[str, str]:
    return clean_env(home, PYTHON_KEYRING_BACKEND=keyring, XDG_DATA_HOME=str(home / "data"))


def run(home: Path, *args: str, script: str = "eoproc", keyring: str = KEYRING) -> Result:
    done = subprocess.run(
        [script_path(script), *args],
        env=env_of(home, keyring),
        capture_output=True,
        timeout=120,
        cwd=home,
        stdin=subprocess.DEVNULL,
    )
    return Result([script, *args], done.returncode, done.stdout.decode(), done.stderr.decode())


def stored(home: Path, url: str, service: str = "eoproc:eoproc") -> dict[str, Any] | None:
    """The session kept in the test's keyring file, read with the same backend."""
    from keyrings.alt.file import PlaintextKeyring

    files = list((home / "data").rglob("keyring_pass.cfg"))
    if not files:
        return None
    backend = PlaintextKeyring()
    backend.file_path = str(files[0])
    text = backend.get_password(service, f"session:{url.rstrip('/')}/")
    return json.loads(text) if text else None


def start_login(home: Path, *args: str, script: str = "eoproc") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [script_path(script), *args],
        env=env_of(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=home,
    )


def read_until(process: subprocess.Popen[str], pattern: str) -> re.Match[str]:
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    process.kill()
    raise AssertionError(f"{pattern!r} not in the login's output: {''.join(seen)}")


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def device_login(home: Path, server: LiveServer, provider: Provider, script: str = "eoproc") -> str:
    process = start_login(
        home,
        "--api-url",
        server.url,
        "login",
        "--issuer-url",
        provider.issuer,
        "--client-id",
        PUBLIC_CLIENT_ID,
        script=script,
    )
    code = read_until(process, r"enter the code (\w+)")[1]
    assert provider.approve_device(code)  # the user, in a browser elsewhere
    status, out, err = finish(process)
    assert status == 0, err
    return out


def test_device_login_commands_and_logout(
    home: Path, server: LiveServer, provider: Provider
) -> None:
    assert run(home, "--api-url", server.url, "list-jobs").code == 2  # 401 without login
    out = device_login(home, server, provider)
    assert "Logged in" in out and "OS keyring" in out
    session = stored(home, server.url)
    assert session and session["kind"] == "oauth2" and session["refresh_token"], session
    record = json.loads((home / ".eoproc" / "credentials.json").read_text())
    assert record == {f"session:{server.url}/": {"stored_in": "keyring"}}  # no secret there
    listed = run(home, "--api-url", server.url, "list-jobs", "-f", "json")
    assert listed.code == 0, listed
    before = len(provider.revoked)
    logout = run(home, "--api-url", server.url, "logout")
    assert logout.code == 0 and "tokens revoked" in logout.stdout, logout
    assert len(provider.revoked) > before and not provider.refresh_tokens.keys() & set(
        provider.revoked
    )
    assert stored(home, server.url) is None
    assert run(home, "--api-url", server.url, "list-jobs").code == 2
    again = run(home, "--api-url", server.url, "logout")
    assert again.code == 0 and "Not logged in" in again.stdout


def test_expired_access_token_is_refreshed(
    home: Path, server: LiveServer, provider: Provider
) -> None:
    provider.access_lifetime = 1
    device_login(home, server, provider)
    before = stored(home, server.url)
    time.sleep(1.5)  # the access token has expired
    refreshes = sum(r.get("grant_type") == "refresh_token" for r in provider.token_requests)
    listed = run(home, "--api-url", server.url, "list-jobs", "-f", "json")
    assert listed.code == 0, listed
    after = sum(r.get("grant_type") == "refresh_token" for r in provider.token_requests)
    assert after == refreshes + 1
    after_refresh = stored(home, server.url)
    assert before and after_refresh  # the new (rotated) tokens were kept
    assert after_refresh["refresh_token"] != before["refresh_token"]
    assert after_refresh["access_token"] != before["access_token"]


def test_browser_login_with_pkce(home: Path, server: LiveServer, provider: Provider) -> None:
    process = start_login(
        home,
        "--api-url",
        server.url,
        "login",
        "--method",
        "browser",
        "--no-browser",
        "--issuer-url",
        provider.issuer,
        "--client-id",
        PUBLIC_CLIENT_ID,
    )
    url = read_until(process, r"open (http\S+)")[1]
    assert "code_challenge=" in url and "redirect_uri=http%3A%2F%2F127.0.0.1" in url
    page = httpx.get(url, follow_redirects=True, timeout=30)  # the browser
    assert page.status_code == 200 and "Logged in" in page.text
    status, _out, err = finish(process)
    assert status == 0, err
    assert run(home, "--api-url", server.url, "list-jobs").code == 0


def test_client_credentials_in_a_branded_cli_profile(
    home: Path, server: LiveServer, provider: Provider
) -> None:
    login = [
        "--api-url",
        server.url,
        "login",
        "-m",
        "client-credentials",
        "--issuer-url",
        provider.issuer,
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
    ]
    assert run(home, *login, script="sen4cap-client").code == 0
    assert stored(home, server.url, "eoproc:sen4cap") and not stored(home, server.url)
    assert run(home, "--api-url", server.url, "lj", script="sen4cap-client").code == 0
    # the eoproc profile has its own keyring entries: not logged in there
    assert run(home, "--api-url", server.url, "list-jobs").code == 2
    assert run(home, *login).code == 0
    assert run(home, "--api-url", server.url, "logout", script="sen4cap-client").code == 0
    assert run(home, "--api-url", server.url, "list-jobs").code == 0  # eoproc's stays
    assert run(home, "--api-url", server.url, "lj", script="sen4cap-client").code == 2


def test_without_keyring_a_private_file_and_a_warning(
    home: Path, server: LiveServer, provider: Provider
) -> None:
    null = "keyring.backends.null.Keyring"
    login = ["--api-url", server.url, "login", "-m", "client-credentials"]
    login += ["--token-url", provider.token_url, "--client-id", CLIENT_ID]
    login += ["--client-secret", CLIENT_SECRET]
    result = run(home, *login, keyring=null)
    assert result.code == 0, result
    assert "Warning: No OS keyring" in result.stderr
    path = home / ".eoproc" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run(home, "--api-url", server.url, "list-jobs", keyring=null).code == 0
    assert run(home, "--api-url", server.url, "logout", keyring=null).code == 0
    assert not path.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX terminal")
def test_api_key_at_a_hidden_prompt(home: Path, server: LiveServer) -> None:
    import pexpect

    env = env_of(home)
    child = pexpect.spawn(
        script_path("eoproc"),
        ["--api-url", server.url, "login", "--method", "api-key"],
        env=env,
        cwd=str(home),
        encoding="utf-8",
        timeout=60,
    )
    child.expect("API key")
    child.sendline(API_KEY)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 0, output
    assert API_KEY not in output  # not echoed
    session = stored(home, server.url)
    assert session and session["kind"] == "api-key" and session["header"] == "X-API-Key"
    assert run(home, "--api-url", server.url, "list-jobs").code == 0
    assert os.environ.get("PYTHON_KEYRING_BACKEND") != KEYRING  # the test's own env untouched
