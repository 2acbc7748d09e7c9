"""Every error is problem details: parsing, routing, limits, parameters, internal errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from eoproc.models import StatusInfo
from eoproc.server import create_app
from tests.server.conftest import AppClient, assert_problem
from tests.server.memory_service import MemoryService

Validate = Callable[[str, Any], None]
P = "https://eoproc.dev/problems"
EXECUTE = "/processes/both/execution"


J = {"headers": {"content-type": "application/json"}}


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "type_"),
    [
        (
            "post",
            EXECUTE,
            {"content": b'{"inputs": ', "headers": {"content-type": "application/json"}},
            400,
            f"{P}/malformed-body",
        ),
        ("post", EXECUTE, {"json": [1, 2]}, 400, f"{P}/malformed-body"),
        (
            "post",
            EXECUTE,
            {"content": b"[" * 100_000 + b"]" * 100_000, **J},
            400,
            f"{P}/malformed-body",
        ),
        ("post", EXECUTE, {"content": b'{"x": "\xff"}', **J}, 400, f"{P}/malformed-body"),
        ("post", EXECUTE, {"content": b"", **J}, 400, f"{P}/malformed-body"),
        ("post", EXECUTE, {"content": b"{}"}, 415, f"{P}/unsupported-media-type"),
        (
            "post",
            EXECUTE,
            {"content": b"x=1", "headers": {"content-type": "text/plain"}},
            415,
            f"{P}/unsupported-media-type",
        ),
        ("post", EXECUTE, {"json": {"inputs": {"bogus": 1}}}, 400, f"{P}/invalid-input"),
        ("post", EXECUTE, {"json": {"inputs": [1]}}, 400, f"{P}/invalid-input"),
        ("post", EXECUTE, {"json": {"response": "bogus"}}, 400, f"{P}/invalid-input"),
        ("get", "/no/such/route", {}, 404, "about:blank"),
        ("put", "/processes", {}, 405, "about:blank"),
        ("delete", "/processes/both", {}, 405, "about:blank"),
        ("get", "/jobs?limit=0", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?limit=10001", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?limit=ten", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?status=bogus", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?datetime=yesterday", {}, 400, f"{P}/invalid-parameter"),
        (
            "get",
            "/jobs?datetime=2025-02-01T00:00:00Z/2025-01-01T00:00:00Z",
            {},
            400,
            f"{P}/invalid-parameter",
        ),
        ("get", "/jobs?minDuration=-1", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?maxDuration=soon", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/jobs?bogus=1", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/processes?limit=0", {}, 400, f"{P}/invalid-parameter"),
        ("get", "/processes?offset=-3", {}, 400, f"{P}/invalid-parameter"),
        (
            "get",
            "/jobs/nope",
            {},
            404,
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job",
        ),
        (
            "get",
            "/jobs/nope/results",
            {},
            404,
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job",
        ),
        (
            "delete",
            "/jobs/nope",
            {},
            404,
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job",
        ),
        (
            "post",
            "/processes/nope/execution",
            {"json": {}},
            404,
            "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process",
        ),
    ],
)
async def test_bad_requests_are_problem_details(
    app_client: AppClient,
    ogc_validate: Validate,
    method: str,
    url: str,
    kwargs: dict[str, Any],
    status: int,
    type_: str,
) -> None:
    async with app_client() as client:
        response = await client.request(method.upper(), url, **kwargs)
    ogc_validate("exception", assert_problem(response, status, type_))


async def test_all_parameter_problems_are_listed(app_client: AppClient) -> None:
    async with app_client() as client:
        response = await client.get("/jobs", params={"limit": "0", "status": "bogus"})
    problems = assert_problem(response, 400)["problems"]
    assert {p["path"] for p in problems} == {"limit", "status"}


async def test_valid_job_list_parameters_are_accepted(app_client: AppClient) -> None:
    params = [
        ("status", "accepted,running"),
        ("status", "successful"),
        ("processID", "both"),
        ("type", "process"),
        ("datetime", "../2100-01-01T00:00:00Z"),
        ("minDuration", "0"),
        ("maxDuration", "100"),
        ("limit", "10000"),
    ]
    async with app_client() as client:
        assert (await client.get("/jobs", params=params)).status_code == 200
        for interval in (
            "2020-01-01T00:00:00Z",
            "2020-01-01T00:00:00+02:00/..",
            "/2030-01-01T00:00:00Z",
            "2020-01-01T00:00:00Z/2030-01-01T00:00:00Z",
        ):
            response = await client.get("/jobs", params={"datetime": interval})
            assert response.status_code == 200, response.text


async def test_body_over_the_limit_is_413(app_client: AppClient) -> None:
    body = b'{"inputs": {"x": "' + b"a" * (11 * 1024 * 1024) + b'"}}'
    async with app_client() as client:
        declared = await client.post(
            EXECUTE, content=body, headers={"content-type": "application/json"}
        )

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 1 << 20):
                yield body[start : start + (1 << 20)]

        streamed = await client.post(
            EXECUTE, content=chunks(), headers={"content-type": "application/json"}
        )
    assert_problem(declared, 413, f"{P}/body-too-large")
    assert_problem(streamed, 413, f"{P}/body-too-large")


async def test_configurable_body_limit(app_client: AppClient) -> None:
    async with app_client(max_body_size=100) as client:
        small = await client.post(EXECUTE, json={"x": 1})
        large = await client.post(EXECUTE, json={"x": 1, "pad": "a" * 200})
    assert small.status_code == 200
    assert_problem(large, 413)


class BrokenService(MemoryService):
    """A backend with a bug: reading a job raises an unexpected exception."""

    async def get_job(self, job_id: str) -> StatusInfo:
        raise RuntimeError(f"bug in {__file__}")


async def test_internal_errors_hide_details(tmp_path: Path) -> None:
    for debug in (False, True):
        app = create_app(BrokenService(tmp_path), debug=debug)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/jobs/x")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == f"{P}/internal-error"
        if debug:
            assert any("RuntimeError" in line for line in body["traceback"])
        else:
            assert_problem(response, 500)
            assert "bug" not in response.text


async def test_cors_is_off_by_default_and_configurable(app_client: AppClient) -> None:
    origin = {"Origin": "http://app.example"}
    async with app_client() as client:
        off = await client.post("/processes/async_only/execution", json={}, headers=origin)
    async with app_client(cors_origins=["http://app.example"]) as client:
        on = await client.post("/processes/async_only/execution", json={}, headers=origin)
        preflight = await client.options(
            "/processes/both/execution",
            headers={**origin, "Access-Control-Request-Method": "POST"},
        )
    assert "access-control-allow-origin" not in off.headers
    assert on.headers["access-control-allow-origin"] == "http://app.example"
    assert "location" in on.headers["access-control-expose-headers"].lower()
    assert preflight.status_code == 200
