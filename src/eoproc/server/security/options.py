"""The security options of ``eoproc-server run`` (flags; :class:`~..settings.ServerSettings`
turns them into a :class:`SecurityConfig`) and ``eoproc-server hash-key``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..auth import DEFAULT_ALGORITHMS, hash_key, new_key
from .netpolicy import is_loopback_bind

__all__ = ["hash_key_command", "is_loopback_bind"]

ApiKeyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--api-key",
        envvar="EOPROC_API_KEYS",
        metavar="HASH:USER[:ROLE,ROLE]",
        help="An API key (its hash, see hash-key), the user it names and their roles "
        "(repeatable; env: comma-separated).",
        show_default=False,
    ),
]
ApiKeyHeaderOption = Annotated[
    str,
    typer.Option("--api-key-header", envvar="EOPROC_API_KEY_HEADER", help="Header of API keys."),
]
OidcIssuerOption = Annotated[
    str | None,
    typer.Option(
        "--oidc-issuer",
        envvar="EOPROC_OIDC_ISSUER",
        help="Accept bearer tokens (JWT) of this OpenID Connect issuer.",
    ),
]
OidcAudienceOption = Annotated[
    str | None,
    typer.Option(
        "--oidc-audience", envvar="EOPROC_OIDC_AUDIENCE", help="The audience tokens must name."
    ),
]
OidcJwksOption = Annotated[
    str | None,
    typer.Option(
        "--oidc-jwks-url",
        envvar="EOPROC_OIDC_JWKS_URL",
        help="The issuer's JWKS (default: from its /.well-known/openid-configuration).",
    ),
]
OidcRolesOption = Annotated[
    str,
    typer.Option(
        "--oidc-roles-claim",
        envvar="EOPROC_OIDC_ROLES_CLAIM",
        help="Claim holding the user's roles (dotted path, e.g. realm_access.roles).",
    ),
]
OidcAlgorithmOption = Annotated[
    list[str] | None,
    typer.Option(
        "--oidc-algorithm",
        help=f"Accepted token algorithm (repeatable; default: {', '.join(DEFAULT_ALGORITHMS)}).",
        show_default=False,
    ),
]
InsecureOption = Annotated[
    bool,
    typer.Option(
        "--insecure",
        help="Serve a non-loopback address without authentication (anyone may use it).",
    ),
]
PrivateDocsOption = Annotated[
    bool,
    typer.Option(
        "--private-docs",
        help="Landing page, conformance and API documents need credentials too.",
    ),
]
ProcessRoleOption = Annotated[
    list[str] | None,
    typer.Option(
        "--process-role",
        metavar="PROCESS=ROLE[,ROLE]",
        help="Only users with one of these roles see and run PROCESS (repeatable).",
        show_default=False,
    ),
]
MaxUserJobsOption = Annotated[
    int | None,
    typer.Option(
        "--max-jobs-per-user",
        min=1,
        envvar="EOPROC_MAX_JOBS_PER_USER",
        help="Queued + running jobs a user may have; more get 429.",
    ),
]
MaxDepthOption = Annotated[
    int,
    typer.Option("--max-input-depth", min=1, help="Deepest nesting of input values (else 400)."),
]
AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-input-host",
        envvar="EOPROC_ALLOW_INPUT_HOSTS",
        help="Host name or network (10.0.0.0/8, 127.0.0.1) whose input references may be "
        "fetched although private, loopback or link-local (repeatable; env: comma-separated).",
        show_default=False,
    ),
]
InputMaxBytesOption = Annotated[
    int,
    typer.Option(
        "--input-max-bytes",
        min=1,
        envvar="EOPROC_INPUT_MAX_BYTES",
        help="Largest content fetched for one input given by reference.",
    ),
]
InputTimeoutOption = Annotated[
    float,
    typer.Option(
        "--input-timeout",
        min=0.1,
        envvar="EOPROC_INPUT_TIMEOUT",
        help="Seconds to fetch the inputs given by reference of one request.",
    ),
]
JobTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--job-timeout",
        min=0.001,
        envvar="EOPROC_JOB_TIMEOUT",
        help="Seconds a job may run; then it is stopped and failed.",
    ),
]


def hash_key_command(
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Hash the key read from standard input.")
    ] = False,
) -> None:
    """Print a new API key and its hash (or, with --stdin, the hash of a key of yours).

    Configure the hash with --api-key HASH:USER[:ROLE,ROLE]; give the key to the user.
    The server never stores keys, only their hashes.
    """
    if stdin:
        key = sys.stdin.readline().strip()
        try:
            typer.echo(hash_key(key))
        except ValueError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None
        return
    key = new_key()
    typer.echo(f"key:  {key}")
    typer.echo(f"hash: {hash_key(key)}")
