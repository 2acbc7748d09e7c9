"""A small OIDC provider for tests: keys made with ``cryptography``, served over HTTP.

It serves ``/.well-known/openid-configuration``, ``/jwks.json`` (the keys it
publishes, changeable at run time to test rotation), ``/token`` (client
credentials, password, device code, authorization code with PKCE and refresh
token grants), ``/device`` (RFC 8628 device authorization; the "user" approves
at ``/device/verify?user_code=...&user=alice``), ``/authorize`` (approves at once
and redirects to the client's loopback ``redirect_uri``) and ``/revoke``
(RFC 7009), on a loopback port in a thread.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

AUDIENCE = "eoproc-tests"
CLIENT_ID = "cli-app"
CLIENT_SECRET = "s3cret-client-secret"
USERS = {"alice": "alice-password-123", "bob": "bob-password-456"}
PUBLIC_CLIENT_ID = "eoproc-cli"
"""A public client (no secret): device code, authorization code + PKCE, refresh."""


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
    access_lifetime: float = 600
    """Seconds an access token of the token endpoint lives (shorten to test refresh)."""
    device_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    auth_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    """Active refresh tokens and their subject; revoked ones are removed."""
    revoked: list[str] = field(default_factory=list)

    def approve_device(self, user_code: str, user: str = "alice") -> bool:
        """What the user does in a browser: approve the device with ``user_code``."""
        for grant in self.device_codes.values():
            if grant["user_code"] == user_code:
                grant["user"] = user
                return True
        return False

    def tokens(self, sub: str) -> dict[str, Any]:
        """A token answer with an access and a refresh token for ``sub``."""
        refresh = secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = sub
        return {
            "access_token": self.token(sub, expires_in=self.access_lifetime),
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
            "refresh_token": refresh,
        }

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
        path, _, query = self.path.partition("?")
        params = {k: v[0] for k, v in parse_qs(query).items()}
        if path == "/.well-known/openid-configuration":
            self._json(
                200,
                {
                    "issuer": p.issuer,
                    "jwks_uri": p.jwks_url,
                    "token_endpoint": p.token_url,
                    "device_authorization_endpoint": f"{p.issuer}/device",
                    "authorization_endpoint": f"{p.issuer}/authorize",
                    "revocation_endpoint": f"{p.issuer}/revoke",
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        elif path == "/device/verify":
            approved = p.approve_device(params.get("user_code", ""), params.get("user", "alice"))
            self._json(200 if approved else 404, {"approved": approved})
        elif path == "/authorize":
            self._authorize(params)
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
        if self.path == "/device":
            self._device(form)
            return
        if self.path == "/revoke":
            token = form.get("token", "")
            p.revoked.append(token)
            p.refresh_tokens.pop(token, None)
            self._json(200, {})
            return
        if self.path != "/token":
            self._json(404, {"error": "not found"})
            return
        if form.get("client_id") == PUBLIC_CLIENT_ID and "client_secret" not in form:
            self._public_grant(form)
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

    def _device(self, form: dict[str, str]) -> None:
        if form.get("client_id") != PUBLIC_CLIENT_ID:
            self._json(401, {"error": "invalid_client"})
            return
        p = self.provider
        device_code, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        p.device_codes[device_code] = {"user_code": user_code, "user": None}
        verify = f"{p.issuer}/device/verify"
        self._json(
            200,
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": verify,
                "verification_uri_complete": f"{verify}?user_code={user_code}",
                "expires_in": 600,
                "interval": 1,
            },
        )

    def _authorize(self, params: dict[str, str]) -> None:
        """Log "alice" in at once and redirect to the client's loopback redirect URI."""
        redirect = params.get("redirect_uri", "")
        host = urlsplit(redirect).hostname
        if params.get("client_id") != PUBLIC_CLIENT_ID or host not in ("127.0.0.1", "localhost"):
            self._json(400, {"error": "invalid_request"})
            return
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            self._json(400, {"error": "invalid_request", "error_description": "PKCE needed"})
            return
        code = secrets.token_urlsafe(16)
        self.provider.auth_codes[code] = {
            "challenge": params["code_challenge"],
            "redirect_uri": redirect,
            "user": params.get("login_hint", "alice"),
        }
        query = urlencode({"code": code, "state": params.get("state", "")})
        self.send_response(302)
        self.send_header("Location", f"{redirect}?{query}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _public_grant(self, form: dict[str, str]) -> None:
        p = self.provider
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            found = p.device_codes.get(form.get("device_code", ""))
            if found is None:
                self._json(400, {"error": "expired_token"})
            elif found["user"] is None:
                self._json(400, {"error": "authorization_pending"})
            else:
                del p.device_codes[form["device_code"]]
                self._json(200, p.tokens(found["user"]))
        elif grant == "authorization_code":
            found = p.auth_codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).decode().rstrip("=")
            )
            if found is None or found["challenge"] != challenge:
                self._json(400, {"error": "invalid_grant"})
            elif found["redirect_uri"] != form.get("redirect_uri"):
                self._json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
            else:
                self._json(200, p.tokens(found["user"]))
        elif grant == "refresh_token":
            sub = p.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if sub is None:
                self._json(400, {"error": "invalid_grant"})
            else:
                self._json(200, p.tokens(sub))  # a new refresh token: rotation
        else:
            self._json(400, {"error": "unsupported_grant_type"})


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
