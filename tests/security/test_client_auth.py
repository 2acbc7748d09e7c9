"""The client (Python API and CLI) against the secured server: API key and OIDC grants."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eoproc.client import Client, ClientConfig
from eoproc.client.config import AuthConfig
from eoproc.client.errors import AuthenticationError, ClientError

from ..live_server import REPO_ROOT
from .conftest import KEYS, Secured
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, USERS


def _client(secured: Secured, auth: AuthConfig) -> Client:
    return Client(ClientConfig(api_url=secured.url, auth=auth, retries=0))


def test_api_key_client(secured: Secured) -> None:
    auth = AuthConfig(type="api-key", api_key=KEYS["alice"])
    with _client(secured, auth) as client:
        job = client.execute_process("echo", inputs={"text": "by key"}, mode="async")
        assert client.wait_for_job(job.jobID, timeout=60).status == "successful"
        assert job.jobID in {j.jobID for j in client.get_jobs(limit=1000).jobs}
    wrong = AuthConfig(type="api-key", api_key="wrong-key-0123456789abcdef")
    with _client(secured, wrong) as client, pytest.raises(ClientError) as caught:
        client.get_jobs()
    assert caught.value.status == 401


def test_oidc_client_credentials_token_is_cached(secured: Secured) -> None:
    provider = secured.provider
    auth = AuthConfig(
        type="oauth2-client-credentials",
        issuer_url=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    before = len(provider.token_requests)
    with _client(secured, auth) as client:
        job = client.execute_process("echo", inputs={"text": "by token"}, mode="async")
        client.wait_for_job(job.jobID, timeout=60)
        assert client.get_job(job.jobID).status == "successful"
        assert [j.jobID for j in client.get_jobs(limit=1000).jobs] == [job.jobID]
    assert len(provider.token_requests) == before + 1  # one token for every request
    bad = AuthConfig(**{**auth.model_dump(), "client_secret": "wrong"})
    with _client(secured, bad) as client, pytest.raises(AuthenticationError):
        client.get_jobs()


def test_oidc_password_grant_users_are_apart(secured: Secured) -> None:
    provider = secured.provider

    def user(name: str) -> AuthConfig:
        return AuthConfig(
            type="oauth2-password",
            token_url=provider.token_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            username=name,
            password=USERS[name],
        )

    with _client(secured, user("bob")) as bob, _client(secured, user("alice")) as alice:
        job = bob.execute_process("echo", inputs={"text": "bob's"}, mode="async")
        with pytest.raises(ClientError) as caught:
            alice.get_job(job.jobID)
        assert caught.value.status == 404
        assert bob.get_job(job.jobID).jobID == job.jobID


def test_cli_with_api_key_from_the_environment(secured: Secured, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "EOPROC_API_URL": secured.url,
        "EOPROC_AUTH__TYPE": "api-key",
        "EOPROC_AUTH__API_KEY": KEYS["ops"],
        "EOPROC_CONFIG_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    listed = subprocess.run(
        [sys.executable, "-m", "eoproc.cli.main", "list-processes", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert listed.returncode == 0, listed.stderr
    assert "launch" in {p["id"] for p in _processes(json.loads(listed.stdout))}
    env["EOPROC_AUTH__API_KEY"] = "wrong-key-0123456789abcdef"
    refused = subprocess.run(
        [sys.executable, "-m", "eoproc.cli.main", "list-jobs"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert refused.returncode == 2
    assert "401" in refused.stderr or "API key" in refused.stderr
    assert "wrong-key" not in refused.stderr


def _processes(document: Any) -> list[dict[str, Any]]:
    """The processes of ``list-processes --format json`` (a list or a process list)."""
    if isinstance(document, dict):
        return list(document.get("processes", []))
    return list(document)
