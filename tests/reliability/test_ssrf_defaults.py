"""SSRF defaults: input references to non-public addresses are refused whatever the bind."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import httpx
import pytest

from eoproc.server.security import AddressPolicy, ForbiddenAddress
from tests.live_server import run_server
from tests.security.conftest import file_server

QUICK = "tests.security.procs:quick"


def fetch(client: httpx.Client, href: str) -> httpx.Response:
    return client.post("/processes/echo/execution", json={"inputs": {"text": {"href": href}}})


def test_a_loopback_server_refuses_loopback_references_by_default(tmp_path: Path) -> None:
    with (
        file_server() as files,
        run_server(tmp_path / "jobs.db", "--workers", "1", service=QUICK) as server,
        server.client(timeout=30) as client,
    ):
        for href in (
            f"{files}/text",
            files.replace("127.0.0.1", "localhost") + "/text",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:9/x",
            "http://[fd00::1]/x",
            "http://10.0.0.1/x",
            "http://192.168.1.1/x",
        ):
            response = fetch(client, href)
            assert response.status_code == 400, (href, response.text)
            assert "non-public address" in response.json()["detail"], href


@pytest.mark.parametrize("allowed", ["127.0.0.1", "127.0.0.0/8", "localhost"])
def test_allow_input_host_opens_a_host_or_network(tmp_path: Path, allowed: str) -> None:
    with file_server() as files:
        href = f"{files}/text"
        if allowed == "localhost":
            href = href.replace("127.0.0.1", "localhost")
        args = ("--workers", "1", "--allow-input-host", allowed)
        with (
            run_server(tmp_path / "jobs.db", *args, service=QUICK) as server,
            server.client(timeout=30) as client,
        ):
            response = fetch(client, href)
            assert response.status_code == 200, response.text
            assert response.json()["return_value"]["text"] == "hello from a reference"
            # only what was opened: link-local stays closed
            assert fetch(client, "http://169.254.169.254/").status_code == 400


def test_networks_in_the_policy() -> None:
    policy = AddressPolicy(allowed_hosts=frozenset({"10.1.0.0/16", "fd00::/8"}))
    policy.check("a", [ipaddress.ip_address("10.1.2.3")])
    policy.check("b", [ipaddress.ip_address("fd00::5")])
    policy.check("c", [ipaddress.ip_address("::ffff:10.1.0.9")])  # IPv4-mapped
    for address in ("10.2.0.1", "127.0.0.1", "169.254.169.254", "fe80::1"):
        with pytest.raises(ForbiddenAddress):
            policy.check("d", [ipaddress.ip_address(address)])
