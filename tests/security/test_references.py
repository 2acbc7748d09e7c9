"""Inputs by reference: fetched safely; no SSRF to private, loopback or link-local hosts."""

from __future__ import annotations

import ipaddress

import pytest

from eoproc.server.security import AddressPolicy, ForbiddenAddress, is_loopback_bind
from eoproc.server.security.fetch import FetchError, ReferenceFetcher

from .conftest import Secured

PUBLIC = AddressPolicy(public_only=True)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fd00::1",
        "100.64.0.1",
        "0.0.0.0",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
        "ff02::1",
        "192.0.2.1",
    ],
)
def test_public_policy_refuses_non_public_addresses(address: str) -> None:
    with pytest.raises(ForbiddenAddress):
        PUBLIC.check("somehost", [ipaddress.ip_address(address)])
    with pytest.raises(ForbiddenAddress):
        PUBLIC.resolve(address, 80)


def test_public_policy_checks_every_address_and_allowed_hosts() -> None:
    good = ipaddress.ip_address("8.8.8.8")
    PUBLIC.check("dns.google", [good])
    with pytest.raises(ForbiddenAddress):  # one private address among public ones is enough
        PUBLIC.check("mixed", [good, ipaddress.ip_address("10.0.0.1")])
    with pytest.raises(ForbiddenAddress):
        PUBLIC.resolve("localhost", 80)  # names are resolved before the check
    for disguised in ("2130706433", "0x7f.0.0.1", "0177.0.0.1", "fe80::1%lo", "[::1]"):
        with pytest.raises(ForbiddenAddress):  # other spellings of loopback / link-local
            PUBLIC.resolve(disguised, 80)
    allowed = AddressPolicy(public_only=True, allowed_hosts=["intranet.example", "LOCALHOST"])
    allowed.check("intranet.example", [ipaddress.ip_address("10.0.0.5")])
    assert allowed.resolve("localhost", 80)
    loopback_only = AddressPolicy(public_only=False)
    loopback_only.check("localhost", [ipaddress.ip_address("127.0.0.1")])


def test_loopback_binds() -> None:
    assert is_loopback_bind("127.0.0.1") and is_loopback_bind("::1")
    assert is_loopback_bind("localhost") and is_loopback_bind("127.0.0.2")
    for host in ("0.0.0.0", "::", "", "192.168.1.5", "example.org"):
        assert not is_loopback_bind(host)


async def test_fetcher_schemes_limits_and_redirects(files: str) -> None:
    local = ReferenceFetcher(AddressPolicy(public_only=False), max_bytes=2000, timeout=2.0)
    fetched = await local.fetch(f"{files}/json")
    assert fetched.as_value() == {"value": {"answer": 42}, "mediaType": "application/json"}
    for href, message in [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1/", "only http and https"),
        (f"{files}/big", "larger than 2000 bytes"),
        (f"{files}/slow", "longer than 2 s"),
        (f"{files}/missing", "HTTP 404"),
        ("http://user:pw@127.0.0.1/", "credentials"),
    ]:
        with pytest.raises(FetchError, match=message):
            await local.fetch(href)
    public = ReferenceFetcher(PUBLIC, max_bytes=2000, timeout=2.0)
    with pytest.raises(ForbiddenAddress):
        await public.fetch(f"{files}/text")
    # allowed by name; a redirect to a forbidden address is refused
    allowed = ReferenceFetcher(AddressPolicy(True, ["localhost"]), max_bytes=2000, timeout=2.0)
    localhost = files.replace("127.0.0.1", "localhost")
    assert (await allowed.fetch(f"{localhost}/text")).content == b"hello from a reference"
    with pytest.raises(ForbiddenAddress):
        await allowed.fetch(f"{localhost}/redirect?to={files}/text")
    with pytest.raises(ForbiddenAddress):
        await allowed.fetch(f"{localhost}/redirect?to=http://169.254.169.254/latest/meta-data/")


def test_server_refuses_ssrf_and_fetches_allowed_hosts(secured: Secured) -> None:
    files = secured.files
    localhost = files.replace("127.0.0.1", "localhost")
    with secured.client("alice") as alice:
        for href in [
            f"{files}/text",
            "http://10.0.0.1/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:9/x",
            f"{localhost}/redirect?to={files}/text",
            "file:///etc/passwd",
        ]:
            response = alice.post(
                "/processes/echo/execution", json={"inputs": {"text": {"href": href}}}
            )
            assert response.status_code == 400, (href, response.text)
            problem = response.json()
            assert problem["problems"][0]["path"] == "text"
            assert "cannot be fetched" in problem["detail"]
        ok = alice.post(
            "/processes/echo/execution",
            json={
                "inputs": {
                    "text": {"href": f"{localhost}/text"},
                    "data": {"href": f"{localhost}/json"},
                }
            },
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["return_value"] == {
            "text": "hello from a reference",
            "data": {"answer": 42},
        }
