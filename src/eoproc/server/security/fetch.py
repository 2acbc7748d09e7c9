"""Fetching inputs given by reference (``{"href": ...}``), safely.

Only ``http`` and ``https``; every hop (redirects included) is resolved and
checked by the :class:`~.netpolicy.AddressPolicy`, and the connection goes to
the checked address (TLS still verifies the host name); bodies are limited in
size and the whole fetch in time; proxies from the environment are not used.
"""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx

from .netpolicy import AddressPolicy, ForbiddenAddress

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0


class FetchError(Exception):
    """A reference that cannot be fetched; the message is safe to show the caller."""


@dataclass(frozen=True)
class Fetched:
    """The content of a reference and its media type."""

    content: bytes
    media_type: str

    def as_value(self) -> dict[str, Any]:
        """A qualified input value: JSON parsed, text decoded, anything else base64."""
        media = self.media_type
        if media == "application/json" or media.endswith("+json"):
            try:
                return {"value": json.loads(self.content), "mediaType": media}
            except ValueError:
                raise FetchError("the referenced content is not valid JSON") from None
        if media.startswith("text/") or media in ("application/xml", "application/yaml"):
            try:
                return {"value": self.content.decode("utf-8"), "mediaType": media}
            except UnicodeDecodeError:
                pass
        encoded = base64.b64encode(self.content).decode()
        return {"value": encoded, "mediaType": media, "encoding": "base64"}


@dataclass(frozen=True)
class ReferenceFetcher:
    """Fetches references under ``policy`` with size and time limits."""

    policy: AddressPolicy
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT

    async def fetch(self, href: str) -> Fetched:
        """The content at ``href``; raises :class:`FetchError` (or ``ForbiddenAddress``)."""
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(href)
        except TimeoutError:
            raise FetchError(f"fetching took longer than {self.timeout:g} s") from None

    async def _fetch(self, href: str) -> Fetched:
        url = _parse(href)
        timeout = httpx.Timeout(self.timeout)
        async with httpx.AsyncClient(
            trust_env=False, follow_redirects=False, timeout=timeout
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                answer = await self._get(client, url)
                if isinstance(answer, Fetched):
                    return answer
                url = answer
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    async def _get(self, client: httpx.AsyncClient, url: httpx.URL) -> Fetched | httpx.URL:
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = await asyncio.to_thread(self.policy.resolve, host, port)
        pinned = url.copy_with(host=str(addresses[0]))
        host_header = host if url.port is None else f"{host}:{url.port}"
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        request = client.build_request(
            "GET", pinned, headers={"Host": host_header}, extensions=extensions
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError:
            raise FetchError("the server of the reference could not be reached") from None
        try:
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise FetchError("a redirect without a location")
                return _parse(str(url.join(location)))
            if response.status_code != 200:
                raise FetchError(f"the server answered HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(f"the content is larger than {self.max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"the content is larger than {self.max_bytes} bytes")
                    chunks.append(chunk)
            except httpx.HTTPError:
                raise FetchError("the transfer of the content failed") from None
            media = response.headers.get("content-type", "application/octet-stream")
            return Fetched(b"".join(chunks), media.split(";", 1)[0].strip().lower())
        finally:
            await response.aclose()


def _parse(href: str) -> httpx.URL:
    try:
        url = httpx.URL(href)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError("not a valid URL") from None
    if url.scheme not in SCHEMES:
        raise FetchError(f"only {' and '.join(SCHEMES)} references are fetched")
    if not url.host:
        raise FetchError("the URL has no host")
    if url.userinfo:
        raise FetchError("credentials in reference URLs are not accepted")
    return url


__all__ = ["FetchError", "Fetched", "ForbiddenAddress", "ReferenceFetcher"]
