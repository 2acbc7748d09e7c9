"""The ``configure`` command: write the client configuration file."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..errors import UserError
from ..streams import is_tty
from .options import ConfigOption, session_of

# Which settings each authentication type uses, in prompting order.
AUTH_FIELDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "basic": ("username", "password"),
    "bearer": ("token",),
    "api-key": ("api_key", "api_key_header"),
    "login": ("login_url", "username", "password"),
    "oauth2-client-credentials": ("token_url", "client_id", "client_secret"),
    "oauth2-password": ("token_url", "client_id", "username", "password"),
}
SECRETS = frozenset({"password", "token", "api_key", "client_secret"})
LABELS = {
    "username": "User name",
    "password": "Password",
    "token": "Access token",
    "api_key": "API key",
    "api_key_header": "API key header",
    "login_url": "Login URL",
    "token_url": "Token URL",
    "client_id": "Client ID",
    "client_secret": "Client secret",
}


def _opt(*names: str, help: str) -> Any:
    return typer.Option(*names, help=help, show_default=False)


def configure(
    ctx: typer.Context,
    api_url: Annotated[str | None, _opt("--api-url", help="URL of the service's API.")] = None,
    auth_type: Annotated[
        str | None,
        _opt(
            "--auth-type",
            help="Authentication: none, basic, bearer, api-key, login, "
            "oauth2-client-credentials or oauth2-password.",
        ),
    ] = None,
    username: Annotated[str | None, _opt("--username", help="User name.")] = None,
    password: Annotated[str | None, _opt("--password", help="Password.")] = None,
    token: Annotated[str | None, _opt("--token", help="Bearer access token.")] = None,
    api_key: Annotated[str | None, _opt("--api-key", help="API key.")] = None,
    api_key_header: Annotated[
        str | None, _opt("--api-key-header", help="Header that carries the API key.")
    ] = None,
    login_url: Annotated[
        str | None, _opt("--login-url", help="Login endpoint (auth type `login`).")
    ] = None,
    token_url: Annotated[str | None, _opt("--token-url", help="OAuth2 token endpoint.")] = None,
    client_id: Annotated[str | None, _opt("--client-id", help="OAuth2 client ID.")] = None,
    client_secret: Annotated[
        str | None, _opt("--client-secret", help="OAuth2 client secret.")
    ] = None,
    no_prompt: Annotated[
        bool, typer.Option("--no-prompt", help="Never ask; use the options and current values.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Configure the client tool.

    On a terminal, asks for every setting not given as an option (the current
    value is the default). In scripts, give the settings as options. Secrets
    go to the OS keyring when one is available; otherwise the file is made
    readable by its owner only.
    """
    session = session_of(ctx)
    current = session.load_config(config, must_exist=False)
    given: dict[str, str | None] = {
        "username": username,
        "password": password,
        "token": token,
        "api_key": api_key,
        "api_key_header": api_key_header,
        "login_url": login_url,
        "token_url": token_url,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    interactive = not no_prompt and is_tty(sys.stdin)
    if interactive:
        api_url = api_url or typer.prompt("API URL", default=current.api_url)
        auth_type = auth_type or _ask_auth_type(current.auth.type)
    kind = _auth_kind(auth_type) if auth_type else current.auth.type
    wanted = AUTH_FIELDS.get(kind, ())
    auth: dict[str, Any] = {"type": kind} if auth_type else {}
    for name, value in given.items():
        if value is None and interactive and name in wanted:
            value = _ask(name, getattr(current.auth, name))
        if value is not None:
            auth[name] = value
        elif kind != current.auth.type and name not in wanted and name != "api_key_header":
            auth[name] = None  # settings of the previous authentication type go
    overrides: dict[str, Any] = {"api_url": api_url}
    if auth:
        overrides["auth"] = auth
    new_config = session.load_config(config, must_exist=False, **overrides)
    path = new_config.save(config)
    print(f"Client configuration written to {path}")


def _auth_kind(auth_type: str) -> str:
    """The canonical name of an authentication type (the client knows its aliases)."""
    from eoproc.client.config import AuthConfig

    try:
        return str(AuthConfig(type=auth_type).type)
    except ValueError:
        raise UserError(
            f"Invalid authentication type {auth_type!r}: expected one of {', '.join(AUTH_FIELDS)}"
        ) from None


def _ask_auth_type(current: str) -> str:
    """Prompt for the authentication type until the answer is one."""
    while True:
        answer: str = typer.prompt(f"Authentication ({', '.join(AUTH_FIELDS)})", default=current)
        try:
            return _auth_kind(answer)
        except UserError as error:
            print(error, file=sys.stderr)


def _ask(name: str, current: Any) -> str | None:
    """Prompt for one auth setting; for secrets, an empty answer keeps the current one."""
    label = LABELS.get(name, name)
    if name in SECRETS:
        hint = " (empty: keep the current one)" if current is not None else ""
        answer = typer.prompt(f"{label}{hint}", default="", hide_input=True, show_default=False)
        return answer or None
    answer = typer.prompt(label, default=current or "", show_default=bool(current))
    return answer or None
