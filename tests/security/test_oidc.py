"""OIDC bearer tokens against a real JWKS served over HTTP (keys made in the test)."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from eoproc.server.auth import InvalidToken, OidcSettings, OidcVerifier

from .conftest import Secured
from .oidc_provider import AUDIENCE, Provider, ec_key, rsa_key, unsigned_token


def _get(secured: Secured, token: str, path: str = "/jobs") -> tuple[int, dict, str]:
    with secured.client() as client:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json(), response.headers.get("www-authenticate", "")


def test_valid_tokens_rsa_and_ec(secured: Secured) -> None:
    newcomer = f"user-{uuid.uuid4()}"
    for key in secured.provider.keys:
        status, body, _ = _get(secured, secured.provider.token(newcomer, key=key))
        assert status == 200, body
        assert body["jobs"] == []


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("expired", "expired"),
        ("audience", "audience"),
        ("issuer", "issuer"),
        ("signature", "signature"),
        ("unknown-kid", "key the issuer does not publish"),
        ("alg-none", "'none'"),
        ("hmac-with-public-key", "'HS256'"),
        ("garbage", "not a well-formed JWT"),
    ],
)
def test_bad_tokens_are_401(secured: Secured, case: str, detail: str) -> None:
    provider = secured.provider
    if case == "expired":
        token = provider.token(expires_in=-3600)
    elif case == "audience":
        token = provider.token(audience="another-service")
    elif case == "issuer":
        token = provider.token(issuer="https://evil.example")
    elif case == "signature":
        forged = rsa_key(kid=provider.keys[0].kid)  # same kid, another key
        token = provider.token(key=forged)
    elif case == "unknown-kid":
        token = provider.token(key=ec_key())
    elif case == "alg-none":
        now = int(time.time())
        payload = {"iss": provider.issuer, "sub": "mallory", "aud": AUDIENCE, "exp": now + 60}
        token = unsigned_token(payload, provider.keys[0].kid)
    elif case == "hmac-with-public-key":
        now = int(time.time())
        payload = {"iss": provider.issuer, "sub": "mallory", "aud": AUDIENCE, "exp": now + 60}
        secret = provider.keys[0].public_pem()  # the attacker knows the public key
        token = _hs256(payload, secret, provider.keys[0].kid)
    else:
        token = "not.a.token"
    status, body, challenge = _get(secured, token)
    assert status == 401
    assert body["status"] == 401 and body["type"].endswith("/unauthorized")
    assert detail in body["detail"]
    assert challenge.startswith('Bearer realm="eoproc", error="invalid_token"')
    assert "ApiKey" in challenge


def _hs256(payload: dict, secret: bytes, kid: str) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def test_rotated_key_is_fetched_when_a_token_names_it(provider: Provider) -> None:
    settings = OidcSettings(
        issuer=provider.issuer,
        audience=AUDIENCE,
        roles_claim="realm_access.roles",
        jwks_refresh_cooldown=0,
    )
    verifier = OidcVerifier(settings)
    assert verifier.verify_sync(provider.token("dave", roles=["admin"])).roles == {"admin"}
    fetches = provider.jwks_fetches
    assert verifier.verify_sync(provider.token("dave")).name == "dave"
    assert provider.jwks_fetches == fetches  # cached
    new = rsa_key()
    provider.keys.append(new)  # the issuer rotates: a new key is published
    try:
        assert verifier.verify_sync(provider.token("dave", key=new)).name == "dave"
        assert provider.jwks_fetches == fetches + 1
    finally:
        provider.keys.remove(new)


def test_discovery_and_settings(provider: Provider) -> None:
    verifier = OidcVerifier(OidcSettings(issuer=provider.issuer, audience=AUDIENCE))
    user = verifier.verify_sync(provider.token("erin", roles=["x"], roles_claim_unused=1))
    assert user.name == "erin" and user.roles == frozenset()  # default claim "roles" absent
    with pytest.raises(ValueError, match="not allowed"):
        OidcSettings(issuer=provider.issuer, audience=AUDIENCE, algorithms=("HS256",))
    with pytest.raises(ValueError, match="not allowed"):
        OidcSettings(issuer=provider.issuer, audience=AUDIENCE, algorithms=("none",))
    with pytest.raises(InvalidToken, match="subject"):
        key = provider.keys[0]
        now = int(time.time())
        token = jwt.encode(
            {"iss": provider.issuer, "aud": AUDIENCE, "exp": now + 60, "sub": ""},
            key.private,
            algorithm=key.alg,
            headers={"kid": key.kid},
        )
        verifier.verify_sync(token)


def test_unreachable_issuer_is_refused_cleanly(provider: Provider) -> None:
    from ..live_server import free_port

    issuer = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    verifier = OidcVerifier(OidcSettings(issuer=issuer, audience=AUDIENCE, http_timeout=2))
    token = provider.token("zed", issuer=issuer)
    for _ in range(2):  # the second attempt is refused without asking again (cool-down)
        with pytest.raises(InvalidToken, match="cannot be reached"):
            verifier.verify_sync(token)
