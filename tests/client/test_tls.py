"""HTTPS: certificate verification on by default, a CA bundle, or off."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from eoproc.client import AsyncClient, Client, ConfigError, TransportError
from tests.client.testapp import serve


@pytest.fixture(scope="module")
def https_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The test app over HTTPS with a self-signed certificate: (base URL, certificate)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with serve(ssl_certfile=str(cert), ssl_keyfile=str(key)) as (url, _state):
        yield url, cert


def test_unknown_certificate_is_refused(https_app: tuple[str, Path]) -> None:
    url, _ = https_app
    with (
        Client(api_url=f"{url}/flaky/", retries=0) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.get_conformance()
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)


def test_ca_bundle_is_trusted(https_app: tuple[str, Path]) -> None:
    url, cert = https_app
    with Client(
        api_url=f"{url}/auth/apikey/",
        verify_tls=str(cert),
        auth={"type": "api-key", "api_key": "key-123"},
    ) as client:
        assert client.get_conformance().conformsTo


async def test_verification_can_be_turned_off(https_app: tuple[str, Path]) -> None:
    url, _ = https_app
    async with AsyncClient(api_url=f"{url}/peer/", verify_tls=False) as client:
        assert [j.jobID for j in (await client.get_jobs()).jobs] == ["job_0", "job_1"]


def test_missing_ca_bundle_is_a_config_error(https_app: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = https_app
    with (
        Client(api_url=url, verify_tls=str(tmp_path / "missing.pem")) as client,
        pytest.raises(ConfigError, match="Cannot load the CA certificates"),
    ):
        client.get_conformance()
