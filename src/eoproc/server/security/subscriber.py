"""The check of an execute request's ``subscriber``: URIs the server may call back."""

from __future__ import annotations

import asyncio

import httpx

from eoproc.models import Subscriber

from ..service import InvalidInput
from .netpolicy import AddressPolicy, ForbiddenAddress

URI_NAMES = ("successUri", "inProgressUri", "failedUri")


def _problem(name: str, message: str) -> dict[str, str]:
    return {"path": f"subscriber.{name}", "message": message}


async def check_subscriber(subscriber: Subscriber | None, policy: AddressPolicy) -> None:
    """Raise :class:`InvalidInput` (400) unless every URI may be called back."""
    if subscriber is None:
        return
    problems: list[dict[str, str]] = []
    for name in URI_NAMES:
        uri = getattr(subscriber, name)
        if uri is None:
            continue
        try:
            url = httpx.URL(uri)
        except (httpx.InvalidURL, TypeError, ValueError):
            problems.append(_problem(name, f"{uri!r} is not a valid URI"))
            continue
        if url.scheme not in ("http", "https") or not url.host:
            problems.append(_problem(name, f"{uri!r} is not an absolute http(s) URL"))
            continue
        if url.userinfo:
            problems.append(_problem(name, "credentials in callback URLs are not accepted"))
            continue
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            await asyncio.to_thread(policy.resolve, url.host, port)
        except ForbiddenAddress as exc:
            problems.append(_problem(name, f"the server may not call it back: {exc}"))
    if problems:
        detail = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        raise InvalidInput(f"Invalid subscriber: {detail}", extra={"problems": problems})
