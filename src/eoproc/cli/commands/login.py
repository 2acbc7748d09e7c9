"""The ``login`` and ``logout`` commands: sessions kept in the OS keyring."""

from __future__ import annotations

import sys
import warnings
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..errors import UserError
from ..streams import is_tty
from .options import ConfigOption, session_of


class Method(StrEnum):
    """How ``login`` obtains credentials."""

    device = "device"
    browser = "browser"
    client_credentials = "client-credentials"
    api_key = "api-key"


def _opt(*names: str, help: str, metavar: str = "URL") -> Any:
    return typer.Option(*names, help=help, metavar=metavar, show_default=False)


def login(
    ctx: typer.Context,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            "-m",
            case_sensitive=False,
            metavar="METHOD",
            help="How to log in: device, browser, client-credentials or api-key.",
        ),
    ] = Method.device,
    issuer_url: Annotated[
        str | None, _opt("--issuer-url", help="OpenID Connect issuer (endpoint discovery).")
    ] = None,
    token_url: Annotated[str | None, _opt("--token-url", help="OAuth2 token endpoint.")] = None,
    device_url: Annotated[
        str | None, _opt("--device-url", help="OAuth2 device authorization endpoint.")
    ] = None,
    authorization_url: Annotated[
        str | None, _opt("--authorization-url", help="OAuth2 authorization endpoint.")
    ] = None,
    revocation_url: Annotated[
        str | None, _opt("--revocation-url", help="OAuth2 token revocation endpoint.")
    ] = None,
    client_id: Annotated[
        str | None, _opt("--client-id", help="OAuth2 client ID.", metavar="ID")
    ] = None,
    client_secret: Annotated[
        str | None,
        _opt("--client-secret", help="OAuth2 client secret (asked if missing).", metavar="SECRET"),
    ] = None,
    scope: Annotated[str | None, _opt("--scope", help="OAuth2 scope.", metavar="SCOPE")] = None,
    api_key_header: Annotated[
        str, typer.Option("--api-key-header", metavar="NAME", help="Header of the API key.")
    ] = "X-API-Key",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the login URL instead of opening it.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Log in to the service and keep the credentials.

    Methods: `device` shows a code to enter in a browser on any device (OAuth2
    device code); `browser` logs in with this computer's browser (authorization
    code with PKCE and a loopback redirect); `client-credentials` uses a client
    id and secret; `api-key` asks for a key at a hidden prompt.

    The credentials go to the OS keyring (the `keyring` extra), else to a file
    readable by you only (with a warning); commands then use them for this
    service's URL whenever no authentication is configured. Access tokens are
    renewed with the refresh token. The OAuth2 endpoints come from
    `--issuer-url` (or the configured `auth.issuer_url`) or are given one by one.
    """
    from eoproc.client.credentials import CredentialStore, LoginSession
    from eoproc.client.credentials import PlaintextCredentialsWarning as Plaintext

    session = session_of(ctx)
    cfg = session.load_config(config)
    verify = cfg.verify_tls
    if method == Method.api_key:
        key = _hidden("API key")
        obtained = LoginSession(kind="api-key", access_token=key, header=api_key_header)
    else:
        obtained = _oauth2(
            method,
            issuer_url=issuer_url or cfg.auth.issuer_url,
            token_url=token_url or cfg.auth.token_url,
            device_url=device_url,
            authorization_url=authorization_url,
            revocation_url=revocation_url,
            client_id=client_id or cfg.auth.client_id,
            client_secret=client_secret,
            scope=scope or cfg.auth.scope,
            no_browser=no_browser,
            verify=verify,
        )
    store = CredentialStore(cfg.profile)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", Plaintext)
        where = store.save(cfg.api_url, obtained)
    for warning in caught:
        print(f"Warning: {warning.message}", file=sys.stderr)
    place = "the OS keyring" if where == "keyring" else where
    print(f"Logged in to {cfg.api_url} ({method.value}); credentials kept in {place}.")


def logout(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Log out of the service and forget the credentials.

    The tokens are revoked first where the provider offers revocation.
    """
    from eoproc.client.credentials import CredentialStore
    from eoproc.client.login import revoke

    cfg = session_of(ctx).load_config(config)
    store = CredentialStore(cfg.profile)
    found = store.load(cfg.api_url)
    if found is None:
        print(f"Not logged in to {cfg.api_url}.")
        return
    try:
        revoked = revoke(found, verify=cfg.verify_tls)
    except Exception as error:  # the provider is unreachable: forget the tokens anyway
        print(f"Warning: the tokens could not be revoked: {error}", file=sys.stderr)
        revoked = False
    store.delete(cfg.api_url)
    note = " (tokens revoked)" if revoked else ""
    print(f"Logged out of {cfg.api_url}{note}.")


def _oauth2(method: Method, *, no_browser: bool, verify: bool | str, **options: Any) -> Any:
    from eoproc.client import login as flows

    client_id = options.pop("client_id")
    client_secret = options.pop("client_secret")
    scope = options.pop("scope")
    if not client_id:
        raise UserError("--client-id is needed (or auth.client_id in the configuration).")
    endpoints = flows.discover(options.pop("issuer_url"), verify=verify, **options)
    if method == Method.client_credentials:
        secret = client_secret or _hidden("Client secret")
        return flows.client_credentials_login(endpoints, client_id, secret, scope, verify=verify)
    if method == Method.device:

        def show(uri: str, code: str, complete: str | None) -> None:
            print(f"To log in, open {uri} and enter the code {code}", file=sys.stderr, flush=True)
            if complete:
                print(f"(or open {complete})", file=sys.stderr, flush=True)
            print("Waiting for the login...", file=sys.stderr, flush=True)

        return flows.device_login(endpoints, client_id, scope, show, verify=verify)

    def open_url(url: str) -> None:
        print(f"To log in, open {url}", file=sys.stderr, flush=True)
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    return flows.browser_login(endpoints, client_id, scope, open_url, verify=verify)


def _hidden(label: str) -> str:
    """A secret typed at a hidden prompt (a terminal is needed)."""
    if not is_tty(sys.stdin):
        raise UserError(f"{label}: a terminal is needed to type it at a hidden prompt.")
    value: str = typer.prompt(label, hide_input=True)
    if not value.strip():
        raise UserError(f"{label} is empty.")
    return value.strip()
