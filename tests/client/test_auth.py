"""Every auth variant against a test server that requires it (sync and async)."""

from __future__ import annotations

from typing import Any

import pytest

from eoproc.client import AsyncClient, AuthenticationError, Client, ClientError, ConfigError
from tests.client.testapp import API_KEY, CLIENT_ID, CLIENT_SECRET, PASSWORD, STATIC_TOKEN, USER
from tests.client.testapp import State as AppState

VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "basic": ("basic", {"type": "basic", "username": USER, "password": PASSWORD}),
    "bearer": ("bearer", {"type": "bearer", "token": STATIC_TOKEN}),
    "api-key": ("apikey", {"type": "api-key", "api_key": API_KEY}),
    "api-key-header": (
        "custom-key",
        {"type": "api-key", "api_key": API_KEY, "api_key_header": "X-My-Key"},
    ),
    "login-json": (
        "login",
        {"type": "login", "username": USER, "password": PASSWORD, "login_url": "/login"},
    ),
    "login-form-nested": (
        "login",
        {
            "type": "login",
            "username": USER,
            "password": PASSWORD,
            "login_url": "/login?nested=1",
            "login_format": "form",
            "token_field": "data.authToken",
        },
    ),
    "oauth2-client-credentials": (
        "oauth",
        {
            "type": "oauth2-client-credentials",
            "token_url": "/oauth/token",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ),
    "oidc-discovery": (
        "oauth",
        {
            "type": "oauth2-client-credentials",
            "issuer_url": "/issuer",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ),
    "oauth2-password": (
        "oauth",
        {
            "type": "oauth2-password",
            "token_url": "/oauth/token",
            "username": USER,
            "password": PASSWORD,
            "client_id": CLIENT_ID,
        },
    ),
}


def _client(app_url: str, scheme: str, auth: dict[str, Any]) -> Client:
    return Client(api_url=f"{app_url}/auth/{scheme}/", auth=auth)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_auth_variant(variant: str, app_url: str, app_state: AppState) -> None:
    scheme, auth = VARIANTS[variant]
    with _client(app_url, scheme, auth) as client:
        assert client.get_conformance().conformsTo
        assert client.get_conformance().conformsTo
    assert app_state.hits[f"{scheme} GET"] == 2
    # tokens are fetched once and cached
    assert app_state.hits["login"] + app_state.hits["token"] == (
        1 if scheme in ("login", "oauth") else 0
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_auth_variant_async(variant: str, app_url: str, app_state: AppState) -> None:
    scheme, auth = VARIANTS[variant]
    async with AsyncClient(api_url=f"{app_url}/auth/{scheme}/", auth=auth) as client:
        assert (await client.get_conformance()).conformsTo
        assert (await client.get_conformance()).conformsTo
    assert app_state.hits[f"{scheme} GET"] == 2


def test_no_credentials_is_a_401_client_error(app_url: str, app_state: AppState) -> None:
    with Client(api_url=f"{app_url}/auth/basic/") as client, pytest.raises(ClientError) as caught:
        client.get_conformance()
    assert caught.value.status == 401
    assert caught.value.problem is not None
    assert str(caught.value) == (
        "The server answered 401 Unauthorized: Credentials are missing or invalid."
    )


@pytest.mark.parametrize("scheme", ["login", "oauth"])
def test_token_renewed_once_on_401(scheme: str, app_url: str, app_state: AppState) -> None:
    variant = "login-json" if scheme == "login" else "oauth2-client-credentials"
    with _client(app_url, scheme, VARIANTS[variant][1]) as client:
        client.get_conformance()
        client.http.post(f"{app_url}/revoke")  # the server forgets every token
        assert client.get_conformance().conformsTo
    assert app_state.hits["login"] + app_state.hits["token"] == 2
    assert app_state.hits[f"{scheme} GET"] == 3  # one 401, then the retry with a new token


def test_expired_token_is_fetched_again(app_url: str, app_state: AppState) -> None:
    app_state.token_lifetime = 0  # every token expires at once
    with _client(app_url, "oauth", VARIANTS["oauth2-password"][1]) as client:
        with pytest.raises(ClientError) as caught:  # the fresh token is already invalid
            client.get_conformance()
        assert caught.value.status == 401
        with pytest.raises(ClientError):
            client.get_conformance()
    assert app_state.hits["token"] == 2  # not cached, fetched per request, never looping


@pytest.mark.parametrize("variant", ["login-json", "oauth2-client-credentials"])
def test_wrong_credentials_raise_authentication_error(
    variant: str, app_url: str, app_state: AppState
) -> None:
    scheme, auth = VARIANTS[variant]
    wrong = {**auth, "password": "wrong", "client_secret": "wrong"}
    with _client(app_url, scheme, wrong) as client, pytest.raises(AuthenticationError) as caught:
        client.get_conformance()
    assert caught.value.status == 401
    assert str(caught.value).startswith(f"Authentication at {app_url}/")
    assert app_state.hits[f"{scheme} GET"] == 0


def test_oidc_discovery_happens_once(app_url: str, app_state: AppState) -> None:
    with _client(app_url, "oauth", VARIANTS["oidc-discovery"][1]) as client:
        client.get_conformance()
        client.http.post(f"{app_url}/revoke")
        client.get_conformance()
    assert (app_state.hits["discovery"], app_state.hits["token"]) == (1, 2)


def test_incomplete_auth_config_is_a_config_error(app_url: str) -> None:
    with (
        Client(api_url=app_url, auth={"type": "basic", "username": USER}) as client,
        pytest.raises(ConfigError, match="needs password"),
    ):
        client.get_conformance()
    oauth = {"type": "oauth2-password", "username": USER, "password": PASSWORD}
    with (
        Client(api_url=app_url, auth=oauth) as client,
        pytest.raises(ConfigError, match="needs token_url or issuer_url"),
    ):
        client.get_conformance()
