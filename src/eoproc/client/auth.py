"""The ``httpx.Auth`` of an :class:`AuthConfig`: basic, bearer, API key, login, OAuth2.

The token machinery is in ``tokens``, the same-origin guard in ``origins``.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from .config import AuthConfig
from .errors import AuthenticationError, ConfigError
from .origins import SameOriginAuth
from .tokens import HeaderAuth, TokenAuth, auth_error

__all__ = ["HeaderAuth", "LoginAuth", "OAuth2Auth", "SameOriginAuth", "TokenAuth", "build_auth"]


class LoginAuth(TokenAuth):
    """Username and password posted to a login endpoint; the token goes in a header."""

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        form: bool = False,
        header: str = "X-Auth-Token",
        prefix: str = "",
        field: str | None = None,
    ) -> None:
        super().__init__(header, prefix)
        self.url = url
        self._credentials = {"username": username, "password": password}
        self._form = form
        self._field = field

    def token_request(self) -> httpx.Request:
        """POST the credentials to the login URL."""
        if self._form:
            return httpx.Request("POST", self.url, data=self._credentials)
        return httpx.Request("POST", self.url, json=self._credentials)

    def token_field(self) -> str | None:
        """The configured token path."""
        return self._field


class OAuth2Auth(TokenAuth):
    """OAuth2 token endpoint: client-credentials or resource-owner password grant.

    Without ``token_url``, the token endpoint is read from the OpenID Connect
    discovery document of ``issuer_url`` (``/.well-known/openid-configuration``).
    """

    def __init__(
        self,
        token_url: str | None,
        form: dict[str, str],
        *,
        issuer_url: str | None = None,
        header: str = "Authorization",
        prefix: str = "Bearer",
        field: str | None = None,
    ) -> None:
        super().__init__(header, prefix)
        self.token_url = token_url
        self.issuer_url = issuer_url
        self._form = form
        self._field = field

    def _prepare(self) -> Generator[tuple[httpx.Request, bool], httpx.Response, None]:
        if self.token_url is not None or self.issuer_url is None:
            return
        url = self.issuer_url.rstrip("/") + "/.well-known/openid-configuration"
        request = httpx.Request("GET", url, headers={"Accept": "application/json"})
        response = yield request, True
        if response.is_error:
            raise auth_error(response, request)
        try:
            endpoint = response.json().get("token_endpoint")
        except (ValueError, AttributeError):
            endpoint = None
        if not isinstance(endpoint, str):
            raise AuthenticationError(
                response.status_code,
                message=f"The OpenID configuration {url} has no token_endpoint.",
            )
        self.token_url = endpoint

    def token_request(self) -> httpx.Request:
        """POST the grant to the token URL as a form."""
        return httpx.Request(
            "POST", self.token_url or "", data=self._form, headers={"Accept": "application/json"}
        )

    def token_field(self) -> str | None:
        """The configured token path."""
        return self._field


def build_auth(config: AuthConfig, api_url: str) -> httpx.Auth | None:
    """The ``httpx.Auth`` for ``config``, for requests to ``api_url``'s origin only.

    Relative login, token and issuer URLs join ``api_url``.
    """
    auth = _auth_for(config, api_url)
    return SameOriginAuth(auth, api_url) if auth is not None else None


def _auth_for(config: AuthConfig, api_url: str) -> httpx.Auth | None:
    kind = config.type
    if kind == "none":
        return None
    secrets = config.secrets()

    def need(*names: str) -> None:
        missing = [n for n in names if getattr(config, n) is None and n not in secrets]
        if missing:
            raise ConfigError(
                f"Auth type {kind!r} needs {', '.join(missing)} in the configuration."
            )

    if kind == "basic":
        need("username", "password")
        return httpx.BasicAuth(config.username or "", secrets["password"])
    if kind == "bearer":
        need("token")
        return HeaderAuth(
            config.token_header or "Authorization",
            _prefixed(config.token_prefix, "Bearer", secrets["token"]),
        )
    if kind == "api-key":
        need("api_key")
        return HeaderAuth(config.api_key_header, secrets["api_key"])
    if kind == "login":
        need("login_url", "username", "password")
        return LoginAuth(
            _join(api_url, config.login_url or ""),
            config.username or "",
            secrets["password"],
            form=config.login_format == "form",
            header=config.token_header or "X-Auth-Token",
            prefix=config.token_prefix or "",
            field=config.token_field,
        )
    form: dict[str, str] = {}
    if config.token_url is None and config.issuer_url is None:
        raise ConfigError(f"Auth type {kind!r} needs token_url or issuer_url in the configuration.")
    if kind == "oauth2-client-credentials":
        need("client_id", "client_secret")
        form["grant_type"] = "client_credentials"
    else:
        need("username", "password")
        form.update(
            grant_type="password", username=config.username or "", password=secrets["password"]
        )
    if config.client_id:
        form["client_id"] = config.client_id
    if "client_secret" in secrets:
        form["client_secret"] = secrets["client_secret"]
    if config.scope:
        form["scope"] = config.scope
    return OAuth2Auth(
        _join(api_url, config.token_url) if config.token_url else None,
        form,
        issuer_url=_join(api_url, config.issuer_url) if config.issuer_url else None,
        header=config.token_header or "Authorization",
        prefix="Bearer" if config.token_prefix is None else config.token_prefix,
        field=config.token_field,
    )


def _prefixed(prefix: str | None, default: str, token: str) -> str:
    prefix = default if prefix is None else prefix
    return f"{prefix} {token}" if prefix else token


def _join(base: str, url: str) -> str:
    return str(httpx.URL(base).join(url))
