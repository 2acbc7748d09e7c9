"""Which addresses the server may fetch input references from (no SSRF).

By default, whatever address the server binds, it fetches only from public
(globally routable) addresses: private, loopback, link-local (cloud metadata
services such as 169.254.169.254 live there), unique-local, CGNAT, multicast,
reserved and unspecified addresses are refused. ``--allow-input-host`` opens
named hosts (``data.internal``, ``localhost``) or networks (``10.1.0.0/16``,
``127.0.0.1``). Every address a name resolves to is checked, and the fetch then
connects to a checked address (no DNS rebinding between the check and the
connection).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenAddress(Exception):
    """A reference points at an address the server must not fetch from."""


def is_loopback_bind(host: str) -> bool:
    """Whether listening on ``host`` reaches this machine only.

    ``localhost`` and loopback addresses are; names and the wildcard
    addresses (``0.0.0.0``, ``::``, ``""``) are not.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _plain(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return mapped
    return address


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is globally routable (IPv4-mapped IPv6 judged as IPv4)."""
    address = _plain(address)
    return address.is_global and not address.is_multicast


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


@dataclass(frozen=True)
class AddressPolicy:
    """The fetch policy: ``public_only`` (the default) and the allowed hosts or networks."""

    public_only: bool = True
    allowed_hosts: Collection[str] = field(default_factory=frozenset)

    def host_allowed(self, host: str) -> bool:
        """Whether ``host`` was explicitly allowed by name (``--allow-input-host``)."""
        return host.lower().strip("[]") in {h.lower().strip("[]") for h in self.allowed_hosts}

    def address_allowed(self, address: IPAddress) -> bool:
        """Whether ``address`` lies in an allowed network (``--allow-input-host 10.0.0.0/8``)."""
        plain = _plain(address)
        for entry in self.allowed_hosts:
            network = _network(entry)
            if network is not None and (address in network or plain in network):
                return True
        return False

    def check(self, host: str, addresses: Collection[IPAddress]) -> None:
        """Raise :class:`ForbiddenAddress` unless every address may be fetched from."""
        if not addresses:
            raise ForbiddenAddress(f"The host {host!r} has no address.")
        if not self.public_only or self.host_allowed(host):
            return
        for address in addresses:
            if not is_public(address) and not self.address_allowed(address):
                raise ForbiddenAddress(
                    f"The host {host!r} resolves to a non-public address; this server "
                    "does not fetch inputs from private, loopback or link-local addresses "
                    "(an operator may allow them: --allow-input-host)."
                )

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, checked; the first one is the one to connect to."""
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as exc:
                raise ForbiddenAddress(f"The host {host!r} cannot be resolved.") from exc
            addresses = []
            for info in infos:
                address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
                if address not in addresses:
                    addresses.append(address)
        self.check(host, addresses)
        return addresses
