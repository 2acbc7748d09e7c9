"""A small OIDC provider for tests: keys made with ``cryptography``, served over HTTP.

It serves ``/.well-known/openid-configuration``, ``/jwks.json`` (the keys it
publishes, changeable at run time to test rotation) and ``/token`` (client
credentials and password grants), on a loopback port in a thread.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "eoproc-tests"
CLIENT_ID = "cli-app"
CLIENT_SECRET = "s3cret-client-secret"
USERS = {"alice": "alice-password-123", "bob": "bob-password-456"}


@dataclass
class SigningKey:
    """A private key, its ``kid`` and algorithm."""

    kid: str
    alg: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        algo = RSAAlgorithm if self.alg.startswith(("RS", "PS")) else ECAlgorithm
        jwk: dict[str, Any] = json.loads(algo.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        return bytes(
            self.private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


def rsa_key(kid: str | None = None) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid or uuid.uuid4().hex[:12], "RS256", private)


def ec_key(kid: str | None = None) -> SigningKey:
    return SigningKey(
        kid or uuid.uuid4().hex[:12], "ES256", ec.generate_private_key(ec.SECP256R1())
    )


@dataclass
class Provider:
    """The running provider: its issuer URL and the keys it publishes."""

    issuer: str
    keys: list[SigningKey]
    jwks_fetches: int = 0
    token_requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks.json"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    def token(
        self,
        sub: str = "alice",
        *,
        key: SigningKey | None = None,
        audience: str = AUDIENCE,
        expires_in: float = 300,
        roles: list[str] | None = None,
        issuer: str | None = None,
        **claims: Any,
    ) -> str:
        """A token signed with ``key`` (default: the first published key)."""
        key = key or self.keys[0]
        now = int(time.time())
        payload = {
            "iss": issuer or self.issuer,
            "sub": sub,
            "aud": audience,
            "iat": now,
            "exp": now + int(expires_in),
            "realm_access": {"roles": roles or []},
            **claims,
        }
        return jwt.encode(payload, key.private, algorithm=key.alg, headers={"kid": key.kid})


def unsigned_token(payload: dict[str, Any], kid: str) -> str:
    """An ``alg: none`` token (no signature)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(payload)}."


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        p = self.provider
        if self.path == "/.well-known/openid-configuration":
            self._json(
                200,
                {"issuer": p.issuer, "jwks_uri": p.jwks_url, "token_endpoint": p.token_url},
            )
        elif self.path == "/jwks.json":
            p.jwks_fetches += 1
            self._json(200, {"keys": [key.public_jwk() for key in p.keys]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        p = self.provider
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            cid, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            form.setdefault("client_id", cid)
            form.setdefault("client_secret", secret)
        p.token_requests.append(form)
        if self.path != "/token":
            self._json(404, {"error": "not found"})
            return
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            self._json(401, {"error": "invalid_client"})
            return
        grant = form.get("grant_type")
        if grant == "client_credentials":
            sub = CLIENT_ID
        elif grant == "password" and USERS.get(form.get("username", "")) == form.get("password"):
            sub = form["username"]
        else:
            self._json(400, {"error": "invalid_grant"})
            return
        token = p.token(sub, expires_in=600)
        self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 600})


@contextmanager
def run_provider() -> Iterator[Provider]:
    """A provider on a free loopback port, with one RSA and one EC key."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}"
    provider = Provider(issuer, [rsa_key(), ec_key()])
    handler = type("Handler", (_Handler,), {"provider": provider})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
