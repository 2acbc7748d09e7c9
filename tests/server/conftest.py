"""Fixtures of the server tests: an app over the in-memory service, on httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from eoproc.server import create_app
from tests.server.memory_service import MemoryService

AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def memory_service(tmp_path: Path) -> MemoryService:
    return MemoryService(tmp_path, n_extra=15)


@pytest.fixture
def app_client(memory_service: MemoryService) -> AppClient:
    """``async with app_client(**create_app_kwargs) as client`` (lifespan included)."""

    @asynccontextmanager
    async def open_client(service: Any = None, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(service or memory_service, **kwargs)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client

    return open_client


def assert_problem(response: httpx.Response, status: int, type_: str | None = None) -> dict:
    """The problem-details body of ``response``, checked: status, media type, members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    for member in ("type", "title", "status", "detail"):
        assert member in body, body
    assert body["status"] == status
    if type_ is not None:
        assert body["type"] == type_, body
    assert "traceback" not in body
    assert "Traceback" not in response.text and ".py" not in response.text
    return dict(body)
