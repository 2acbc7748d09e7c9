"""Retries, backoff, Retry-After, and network failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from eoproc.client import AsyncClient, Client, ClientError, RetryPolicy, TransportError
from eoproc.client.commands import retry_after
from eoproc.client.core import ExecutionMode
from tests.client.testapp import State as AppState
from tests.live_server import free_port


def _response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "http://x/"))


@pytest.mark.parametrize("kind", ["flaky", "throttled", "gateway"])
def test_idempotent_requests_are_retried(kind: str, app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/{kind}/", backoff_factor=0.01) as client:
        assert client.get_conformance().conformsTo
    assert app_state.hits[f"{kind} GET /{kind}/conformance"] == 3  # two failures, then 200


async def test_async_requests_are_retried(app_url: str, app_state: AppState) -> None:
    async with AsyncClient(api_url=f"{app_url}/flaky/", backoff_factor=0.01) as client:
        assert (await client.get_conformance()).conformsTo
    assert app_state.hits["flaky GET /flaky/conformance"] == 3


def test_retries_give_up_with_the_last_answer(app_url: str, app_state: AppState) -> None:
    with (
        Client(api_url=f"{app_url}/down/", retries=2, backoff_factor=0.01) as client,
        pytest.raises(ClientError) as caught,
    ):
        client.get_conformance()
    assert caught.value.status == 503
    assert (
        str(caught.value)
        == "The server answered 503 Service Unavailable (Try later): The service is busy."
    )
    assert app_state.hits["down GET /down/conformance"] == 3


@pytest.mark.parametrize("mode", ["async", "sync", "auto"])
def test_execution_is_resent_under_one_idempotency_key(
    mode: ExecutionMode, app_url: str, app_state: AppState
) -> None:
    with Client(api_url=f"{app_url}/flaky/", backoff_factor=0.01, retries=1) as client:
        with pytest.raises(ClientError) as caught:
            client.execute_process("p", {"x": 1}, mode=mode)
        assert caught.value.status == 503
        assert app_state.hits["flaky POST /flaky/processes/p/execution"] == 2  # 1 + retries
        first, again = app_state.keys
        assert first is not None and first == again  # a resend is the same submission
        client.execute_process("p", {"x": 1}, mode="async")  # third try: 201
    assert app_state.keys[2] is not None and app_state.keys[2] != first  # a new execute


def test_retry_after_is_honoured(app_url: str, app_state: AppState) -> None:
    app_state.retry_after = "0.2"
    policy = RetryPolicy(retries=3, backoff_factor=5.0)
    assert policy.delay("GET", 0, _response(503, **{"Retry-After": "0.2"})) == 0.2
    with Client(api_url=f"{app_url}/throttled/", backoff_factor=100.0) as client:
        # a backoff of 100 s would hit the test timeout: Retry-After decides
        assert client.get_conformance().conformsTo
    assert app_state.hits["throttled GET /throttled/conformance"] == 3


def test_retry_policy_rules() -> None:
    policy = RetryPolicy(retries=2, backoff_factor=0.5, backoff_max=3.0)
    assert policy.delay("GET", 0, _response(503)) == 0.5
    assert policy.delay("GET", 1, _response(503)) == 1.0
    assert policy.delay("GET", 2, _response(503)) is None  # retries used up
    assert policy.delay("DELETE", 0, _response(502)) == 0.5
    assert policy.delay("POST", 0, _response(503)) is None
    assert policy.delay("POST", 0, httpx.ConnectError("refused")) is None
    assert policy.delay("GET", 0, httpx.ConnectError("refused")) == 0.5
    assert policy.delay("GET", 0, _response(500)) is None
    assert policy.delay("GET", 0, _response(404)) is None
    assert policy.delay("GET", 0, _response(429, **{"Retry-After": "60"})) == 3.0  # capped
    assert (
        RetryPolicy(retries=9, backoff_factor=1, backoff_max=4).delay("GET", 5, _response(504)) == 4
    )


def test_retry_after_forms() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(None) is None
    assert retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    delay = retry_after(later)
    assert delay is not None and 100 < delay <= 120
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=120), usegmt=True)
    assert retry_after(past) == 0.0


def test_network_down_is_a_transport_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    with (
        Client(api_url=url, retries=1, backoff_factor=0.01) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.get_processes()
    message = str(caught.value)
    assert message.startswith(f"GET {url}processes could not connect (127.0.0.1:")
    assert message.endswith(".")
    assert "\n" not in message


async def test_network_down_async() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    async with AsyncClient(api_url=url, retries=0) as client:
        with pytest.raises(TransportError, match="could not connect"):
            await client.get_jobs()
        with pytest.raises(TransportError):
            await client.execute_process("p", {})


def test_unroutable_host_times_out_as_transport_error() -> None:
    # 192.0.2.0/24 is TEST-NET-1: never routed; either a timeout or an immediate refusal
    with (
        Client(api_url="http://192.0.2.1:9/", retries=0, connect_timeout=0.3) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.get_capabilities()
    assert "192.0.2.1:9" in str(caught.value)
