"""``login``: obtain credentials for a server, keep them, refresh and revoke them.

Methods: OAuth2 device code (RFC 8628), authorization code with PKCE (RFC 7636)
and a loopback redirect (RFC 8252), client credentials, or an API key. The
OAuth2 endpoints come from the issuer's OpenID Connect discovery document or
are given. Sessions are kept by :class:`~.credentials.CredentialStore`; a
client without configured authentication uses its tool's session for its API
URL (:func:`session_auth`), refreshing the access token with the refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .credentials import CredentialStore, LoginSession
from .errors import AuthenticationError, ConfigError
from .tokens import HeaderAuth, TokenAuth, token_expiry

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TIMEOUT = 30.0


@dataclass
class Endpoints:
    """The OAuth2 endpoints of a provider (None: it has no such endpoint)."""

    token: str
    device: str | None = None
    authorization: str | None = None
    revocation: str | None = None


def discover(
    issuer_url: str | None = None,
    *,
    token_url: str | None = None,
    device_url: str | None = None,
    authorization_url: str | None = None,
    revocation_url: str | None = None,
    verify: bool | str = True,
) -> Endpoints:
    """Endpoints from the issuer's discovery document; given URLs win."""
    found: dict[str, Any] = {}
    if issuer_url:
        url = issuer_url.rstrip("/") + "/.well-known/openid-configuration"
        try:
            answer = httpx.get(url, timeout=TIMEOUT, verify=verify, follow_redirects=True)
        except httpx.HTTPError as error:
            raise AuthenticationError(0, message=f"Cannot read {url}: {error}") from error
        if answer.is_error:
            raise AuthenticationError(answer.status_code, message=f"{url} answered an error.")
        found = answer.json()
    token = token_url or found.get("token_endpoint")
    if not token:
        raise ConfigError("No token endpoint: give --issuer-url or --token-url.")
    return Endpoints(
        token=token,
        device=device_url or found.get("device_authorization_endpoint"),
        authorization=authorization_url or found.get("authorization_endpoint"),
        revocation=revocation_url or found.get("revocation_endpoint"),
    )


def _post(url: str, form: dict[str, str], verify: bool | str) -> httpx.Response:
    try:
        return httpx.post(
            url, data=form, headers={"Accept": "application/json"}, timeout=TIMEOUT, verify=verify
        )
    except httpx.HTTPError as error:
        raise AuthenticationError(0, message=f"Cannot reach {url}: {error}") from error


def _tokens(answer: httpx.Response, endpoints: Endpoints, **extra: Any) -> LoginSession:
    body = _json(answer)
    if answer.is_error or "access_token" not in body:
        error = body.get("error_description") or body.get("error") or answer.reason_phrase
        raise AuthenticationError(answer.status_code, message=f"Login refused: {error}.")
    token = str(body["access_token"])
    return LoginSession(
        kind="oauth2",
        access_token=token,
        refresh_token=body.get("refresh_token"),
        expires_at=token_expiry(token, body.get("expires_in")),
        token_url=endpoints.token,
        revocation_url=endpoints.revocation,
        **extra,
    )


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def device_login(
    endpoints: Endpoints,
    client_id: str,
    scope: str | None,
    show: Callable[[str, str, str | None], None],
    *,
    verify: bool | str = True,
    sleep: Callable[[float], None] = time.sleep,
) -> LoginSession:
    """Device code flow: ``show(verification_uri, user_code, complete_uri)``, then poll."""
    if not endpoints.device:
        raise ConfigError(
            "The provider has no device authorization endpoint: use --method browser."
        )
    form = {"client_id": client_id, **({"scope": scope} if scope else {})}
    answer = _post(endpoints.device, form, verify)
    grant = _json(answer)
    if answer.is_error or "device_code" not in grant:
        raise AuthenticationError(answer.status_code, message="The device authorization failed.")
    show(grant["verification_uri"], grant["user_code"], grant.get("verification_uri_complete"))
    interval = float(grant.get("interval") or 5)
    deadline = time.monotonic() + float(grant.get("expires_in") or 600)
    poll = {"grant_type": DEVICE_GRANT, "device_code": grant["device_code"], "client_id": client_id}
    while time.monotonic() < deadline:
        sleep(interval)
        answer = _post(endpoints.token, poll, verify)
        error = _json(answer).get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        return _tokens(answer, endpoints, client_id=client_id, scope=scope, method="device")
    raise AuthenticationError(0, message="The device code expired before it was approved.")


def browser_login(
    endpoints: Endpoints,
    client_id: str,
    scope: str | None,
    open_url: Callable[[str], Any],
    *,
    verify: bool | str = True,
    timeout: float = 300.0,
) -> LoginSession:
    """Authorization code + PKCE: ``open_url(authorization URL)``, wait on a loopback port."""
    if not endpoints.authorization:
        raise ConfigError("The provider has no authorization endpoint: use --method device.")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(16)
    received: dict[str, str] = {}
    done = threading.Event()

    class Callback(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            if urlsplit(self.path).path != "/callback" or params.get("state") != state:
                self.send_response(400)
                self.end_headers()
                return
            received.update(params)
            page = b"<p>Logged in. You can close this window.</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            done.set()

    server = HTTPServer(("127.0.0.1", 0), Callback)
    redirect = f"http://127.0.0.1:{server.server_address[1]}/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "state": state,
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
            **({"scope": scope} if scope else {}),
        }
        open_url(f"{endpoints.authorization}?{urlencode(query)}")
        if not done.wait(timeout):
            raise AuthenticationError(0, message="No answer from the browser in time.")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    if "code" not in received:
        reason = received.get("error_description") or received.get("error") or "no code"
        raise AuthenticationError(0, message=f"Login refused: {reason}.")
    form = {
        "grant_type": "authorization_code",
        "code": received["code"],
        "redirect_uri": redirect,
        "client_id": client_id,
        "code_verifier": verifier,
    }
    answer = _post(endpoints.token, form, verify)
    return _tokens(answer, endpoints, client_id=client_id, scope=scope, method="browser")


def client_credentials_login(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    scope: str | None,
    *,
    verify: bool | str = True,
) -> LoginSession:
    """Client credentials grant; the secret is kept to get the next token."""
    form = {"grant_type": "client_credentials", "client_id": client_id}
    form["client_secret"] = client_secret
    if scope:
        form["scope"] = scope
    answer = _post(endpoints.token, form, verify)
    return _tokens(
        answer,
        endpoints,
        client_id=client_id,
        client_secret=client_secret,
        scope=scope,
        method="client-credentials",
    )


def revoke(session: LoginSession, *, verify: bool | str = True) -> bool:
    """Revoke the session's tokens where the provider can (RFC 7009); whether it did."""
    if session.kind != "oauth2" or not session.revocation_url:
        return False
    revoked = False
    for token, hint in ((session.refresh_token, "refresh_token"), (session.access_token, None)):
        if not token:
            continue
        form = {"token": token, **({"token_type_hint": hint} if hint else {})}
        if session.client_id:
            form["client_id"] = session.client_id
        if session.client_secret:
            form["client_secret"] = session.client_secret
        revoked = _post(session.revocation_url, form, verify).status_code == 200 or revoked
    return revoked


class SessionAuth(TokenAuth):
    """The stored session's access token; refreshed (and stored again) when it expires."""

    def __init__(self, store: CredentialStore, api_url: str, session: LoginSession) -> None:
        super().__init__("Authorization", "Bearer")
        self.store, self.api_url, self.session = store, api_url, session
        if session.access_token:
            self._store(session.access_token, session.expires_at)

    def token_request(self) -> httpx.Request:
        """A refresh (or client credentials) grant at the token endpoint."""
        session = self.session
        if session.refresh_token:
            form = {"grant_type": "refresh_token", "refresh_token": session.refresh_token}
        elif session.client_secret:
            form = {"grant_type": "client_credentials", "client_secret": session.client_secret}
        else:
            raise AuthenticationError(401, message="The login expired: log in again.")
        if session.client_id:
            form["client_id"] = session.client_id
        if session.client_secret:
            form["client_secret"] = session.client_secret
        return httpx.Request(
            "POST", session.token_url or "", data=form, headers={"Accept": "application/json"}
        )

    def _fetch(self) -> Generator[tuple[httpx.Request, bool], httpx.Response, str]:
        request = self.token_request()
        response = yield request, True
        fresh = _tokens(
            response,
            Endpoints(self.session.token_url or "", revocation=self.session.revocation_url),
            client_id=self.session.client_id,
            client_secret=self.session.client_secret,
            scope=self.session.scope,
            method=self.session.method,
        )
        if fresh.refresh_token is None:  # not rotated: keep the one we have
            fresh.refresh_token = self.session.refresh_token
        self.session = fresh
        self._store(fresh.access_token, fresh.expires_at)
        self.store.save(self.api_url, fresh)
        return fresh.access_token


def session_auth(store: CredentialStore, api_url: str, session: LoginSession) -> httpx.Auth:
    """The auth of a session ``login`` stored for ``api_url``."""
    if session.kind == "api-key":
        return HeaderAuth(session.header, session.access_token)
    return SessionAuth(store, api_url, session)
