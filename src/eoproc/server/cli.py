"""The server CLI: ``eoproc-server run`` / ``eoproc-server dev`` (and branded copies).

``new_server_cli(name, ...)`` builds the typer application; ``s2gos-server``
is the same CLI with another name and default service.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

from eoproc.deploy import options as dru

from .loader import DEFAULT_SERVICE, ServiceLoadError, load_service
from .security import options as sec
from .service import Service
from .settings import CONFIG_ENV, DEFAULT_HOST, DEFAULT_PORT, ServerSettings, default

_DEV_ENV = "EOPROC_DEV_OPTIONS"

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar=CONFIG_ENV,
        help="Settings file (TOML, or JSON): keys are the options' names with _ "
        "(port, store, api_keys, ...); flags and EOPROC_* variables win over it.",
    ),
]

HostOption = Annotated[
    str, typer.Option("--host", envvar="EOPROC_HOST", help="Interface to listen on.")
]
PortOption = Annotated[
    int, typer.Option("--port", envvar="EOPROC_PORT", min=1, max=65535, help="TCP port.")
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Job worker processes (default: CPU count)."),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="EOPROC_STORE",
        help="Job store: a SQLite file (jobs.db), sqlite:///jobs.db or "
        "postgresql://user@host/db (default: jobs.db in the user data directory).",
    ),
]
MaxQueuedOption = Annotated[
    int | None,
    typer.Option("--max-queued", min=1, help="Queued jobs beyond which POSTs get 503."),
]
KeepFinishedOption = Annotated[
    float | None,
    typer.Option(
        "--keep-finished",
        envvar="EOPROC_KEEP_FINISHED",
        min=0.0001,
        help="Days to keep finished jobs; older ones and their result files are purged.",
    ),
]
ResultsDirOption = Annotated[
    str | None,
    typer.Option(
        "--results-dir",
        envvar="EOPROC_RESULTS_DIR",
        help="Directory of result files (replicas on one database must share it).",
    ),
]
LeaseOption = Annotated[
    float | None,
    typer.Option(
        "--lease",
        envvar="EOPROC_LEASE",
        min=1.0,
        help="Seconds after which the running jobs of a replica that stopped answering "
        "are failed by another (PostgreSQL; default 30).",
    ),
]
ExecutorOption = Annotated[
    str | None,
    typer.Option(
        "--executor",
        envvar="EOPROC_EXECUTOR",
        help="Where jobs run: local (worker processes of this server; default) or dask.",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        envvar="EOPROC_DASK_SCHEDULER",
        help="Dask scheduler address (tcp://host:8786) or scheduler file (*.json), for "
        "--executor dask (default: a LocalCluster of --workers processes, for development).",
    ),
]
JobControlOption = Annotated[
    str | None,
    typer.Option(
        "--job-control",
        envvar="EOPROC_JOB_CONTROL",
        metavar="async|sync|both",
        help="Execution modes published for processes that do not declare their own "
        "(default: the service's, else both; a request without Prefer then runs "
        "synchronously where sync is offered).",
    ),
]
JobIdsOption = Annotated[
    str | None,
    typer.Option(
        "--job-ids",
        envvar="EOPROC_JOB_IDS",
        metavar="uuid|counter",
        help="Job ids: UUIDs, or job_0, job_1, ... from the store's durable counter "
        "(default: the service's, else uuid).",
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Tracebacks in error bodies; verbose log.")
]
CorsOption = Annotated[
    list[str] | None,
    typer.Option("--cors-origin", help="Allow CORS from this origin (repeatable; '*' = any)."),
]
AccessLogOption = Annotated[bool, typer.Option("--access-log", help="Log every request (slower).")]
MaxBodyOption = Annotated[
    int,
    typer.Option("--max-body-size", min=1, help="Largest request body in bytes (else 413)."),
]
HeaderTimeoutOption = Annotated[
    float,
    typer.Option(
        "--header-timeout",
        min=0.1,
        envvar="EOPROC_HEADER_TIMEOUT",
        help="Seconds a client has to send a request's headers (else the connection closes).",
    ),
]
BodyTimeoutOption = Annotated[
    float,
    typer.Option(
        "--body-timeout",
        min=0.1,
        envvar="EOPROC_BODY_TIMEOUT",
        help="Seconds a client has to send a request's body (else the connection closes).",
    ),
]
ServiceArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[SERVICE [-- SERVICE-ARGS]]",
        help="module:attr naming a Service, a ProcessRegistry, or a factory of either "
        "(called with SERVICE-ARGS); modules in the working directory are found. "
        "Env: EOPROC_SERVICE.",
        show_default=False,
    ),
]


_FIELDS = {
    "api_key": "api_keys",
    "cors_origin": "cors_origins",
    "process_role": "process_roles",
    "oidc_algorithm": "oidc_algorithms",
    "allow_input_host": "allow_input_hosts",
    "scheduler": "dask_scheduler",
}
"""Settings whose flag is named otherwise (the flag of a list names one item)."""


def _settings(ctx: typer.Context, default_service: str) -> ServerSettings:
    """The settings of the flags given (on the command line or in their env var) over
    ``EOPROC_*`` and the config file; the default SERVICE if none is named."""
    given: dict[str, Any] = {}
    for name, value in ctx.params.items():
        source = ctx.get_parameter_source(name)  # typer's own click: compared by name
        if source is None or source.name not in ("COMMANDLINE", "ENVIRONMENT"):
            continue
        if name == "service":
            given["service"], given["service_args"] = value[0], value[1:]
        else:
            given[_FIELDS.get(name, name)] = value
    try:
        settings = ServerSettings(**given)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if settings.service is None:
        settings = settings.model_copy(update={"service": default_service})
    return settings


def _load(settings: ServerSettings) -> Service:
    """The service of ``settings`` (wrong security settings fail first)."""
    try:
        settings.security()
    except ValueError as exc:
        raise _fail(str(exc)) from None
    try:
        return load_service(settings.service, settings.service_args, settings.service_options())
    except ServiceLoadError as exc:
        raise _fail(str(exc)) from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def new_server_cli(
    name: str, *, summary: str, default_service: str = DEFAULT_SERVICE
) -> typer.Typer:
    """A server CLI called ``name`` serving ``default_service`` when no SERVICE is given."""
    app = typer.Typer(
        name=name,
        help=summary,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.command()
    def run(
        ctx: typer.Context,
        service: ServiceArgument = None,
        config: ConfigOption = None,
        host: HostOption = DEFAULT_HOST,
        port: PortOption = DEFAULT_PORT,
        workers: WorkersOption = None,
        store: StoreOption = None,
        max_queued: MaxQueuedOption = None,
        keep_finished: KeepFinishedOption = None,
        results_dir: ResultsDirOption = None,
        lease: LeaseOption = None,
        executor: ExecutorOption = None,
        scheduler: SchedulerOption = None,
        debug: DebugOption = False,
        cors_origin: CorsOption = None,
        access_log: AccessLogOption = False,
        max_body_size: MaxBodyOption = default("max_body_size"),
        header_timeout: HeaderTimeoutOption = default("header_timeout"),
        body_timeout: BodyTimeoutOption = default("body_timeout"),
        api_key: sec.ApiKeyOption = None,
        api_key_header: sec.ApiKeyHeaderOption = default("api_key_header"),
        oidc_issuer: sec.OidcIssuerOption = None,
        oidc_audience: sec.OidcAudienceOption = None,
        oidc_jwks_url: sec.OidcJwksOption = None,
        oidc_roles_claim: sec.OidcRolesOption = default("oidc_roles_claim"),
        oidc_algorithm: sec.OidcAlgorithmOption = None,
        insecure: sec.InsecureOption = False,
        private_docs: sec.PrivateDocsOption = False,
        process_role: sec.ProcessRoleOption = None,
        max_jobs_per_user: sec.MaxUserJobsOption = None,
        max_input_depth: sec.MaxDepthOption = default("max_input_depth"),
        allow_input_host: sec.AllowHostOption = None,
        input_max_bytes: sec.InputMaxBytesOption = default("input_max_bytes"),
        input_timeout: sec.InputTimeoutOption = default("input_timeout"),
        job_timeout: sec.JobTimeoutOption = None,
        job_control: JobControlOption = None,
        job_ids: JobIdsOption = None,
        deploy: dru.DeployOption = False,
        cwl_no_container: dru.NoContainerOption = False,
        deployer_role: dru.DeployerRoleOption = default("deployer_role"),
        cwl_time_limit: dru.CwlTimeLimitOption = default("cwl_time_limit"),
    ) -> None:
        """Serve SERVICE (default: the demo processes) over HTTP until SIGTERM/Ctrl-C.

        Without --api-key or --oidc-issuer only a loopback HOST is served (else --insecure).
        SERVICE's module is looked up with the working directory on the import path
        (as uvicorn's --app-dir . does): `run mymodule:registry` works in its folder.
        Every option is also an EOPROC_* variable and a key of the --config file.
        """
        from .runner import serve

        settings = _settings(ctx, default_service)
        code = serve(_load(settings), settings)
        if code:
            raise typer.Exit(code)

    app.command("hash-key")(sec.hash_key_command)

    @app.command()
    def dev(
        ctx: typer.Context,
        service: ServiceArgument = None,
        config: ConfigOption = None,
        host: HostOption = DEFAULT_HOST,
        port: PortOption = DEFAULT_PORT,
        workers: WorkersOption = None,
        store: StoreOption = None,
        cors_origin: CorsOption = None,
    ) -> None:
        """Like run, with --debug and auto-reload when the code changes (development only)."""
        import uvicorn

        settings = _settings(ctx, default_service).model_copy(update={"debug": True})
        if not sec.is_loopback_bind(settings.host):
            raise _fail(
                f"dev shows tracebacks and has no authentication: it serves loopback only, "
                f"not {settings.host} (use run)"
            )
        _load(settings)  # fail now, not in the reloaded child
        os.environ[_DEV_ENV] = settings.model_dump_json()
        uvicorn.run(
            "eoproc.server.cli:dev_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            reload=True,
            log_level="debug",
        )

    @app.command()
    def migrate(
        store: Annotated[
            str,
            typer.Option(
                "--store", envvar="EOPROC_STORE", help="Job store URL to create or upgrade."
            ),
        ],
    ) -> None:
        """Create or upgrade the job store's schema to this version of eoproc."""
        from eoproc.jobs.migrations import SchemaError
        from eoproc.jobs.store import StoreUnavailable
        from eoproc.jobs.stores import migrate_store

        try:
            typer.echo(migrate_store(store))
        except (ValueError, SchemaError, StoreUnavailable) as exc:
            raise _fail(str(exc)) from None

    return app


def dev_app() -> FastAPI:
    """The application of ``dev`` (built anew in uvicorn's reloaded child process)."""
    from .app import app_from_settings

    settings = ServerSettings.model_validate_json(os.environ[_DEV_ENV])
    return app_from_settings(_load(settings), settings)


cli = new_server_cli(
    "eoproc-server",
    summary="Serve processes as an OGC API - Processes service (with a durable job store).",
)


def main() -> None:
    """Entry point of ``eoproc-server``."""
    cli(prog_name="eoproc-server")


if __name__ == "__main__":
    main()
