"""The server CLI: ``eoproc-server run`` / ``eoproc-server dev`` (and branded copies).

``new_server_cli(name, ...)`` builds the typer application; ``s2gos-server``
is the same CLI with another name and default service.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fastapi import FastAPI

from eoproc.deploy import options as dru

from .loader import DEFAULT_SERVICE, ServiceLoadError, ServiceOptions, load_service
from .security import options as sec
from .slowclients import BODY_TIMEOUT, HEADER_TIMEOUT

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8008
_DEV_ENV = "EOPROC_DEV_OPTIONS"

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


def _split_service(service: list[str] | None, default_service: str) -> tuple[str, list[str]]:
    values = list(service or [])
    if values:
        return values[0], values[1:]
    return os.environ.get("EOPROC_SERVICE") or default_service, []


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
        service: ServiceArgument = None,
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
        max_body_size: MaxBodyOption = 10 * 1024 * 1024,
        header_timeout: HeaderTimeoutOption = HEADER_TIMEOUT,
        body_timeout: BodyTimeoutOption = BODY_TIMEOUT,
        api_key: sec.ApiKeyOption = None,
        api_key_header: sec.ApiKeyHeaderOption = "X-API-Key",
        oidc_issuer: sec.OidcIssuerOption = None,
        oidc_audience: sec.OidcAudienceOption = None,
        oidc_jwks_url: sec.OidcJwksOption = None,
        oidc_roles_claim: sec.OidcRolesOption = "roles",
        oidc_algorithm: sec.OidcAlgorithmOption = None,
        insecure: sec.InsecureOption = False,
        private_docs: sec.PrivateDocsOption = False,
        process_role: sec.ProcessRoleOption = None,
        max_jobs_per_user: sec.MaxUserJobsOption = None,
        max_input_depth: sec.MaxDepthOption = 32,
        allow_input_host: sec.AllowHostOption = None,
        input_max_bytes: sec.InputMaxBytesOption = 10 * 1024 * 1024,
        input_timeout: sec.InputTimeoutOption = 20.0,
        job_timeout: sec.JobTimeoutOption = None,
        job_control: JobControlOption = None,
        job_ids: JobIdsOption = None,
        deploy: dru.DeployOption = False,
        cwl_no_container: dru.NoContainerOption = False,
        deployer_role: dru.DeployerRoleOption = "deployer",
        cwl_time_limit: dru.CwlTimeLimitOption = 3600.0,
    ) -> None:
        """Serve SERVICE (default: the demo processes) over HTTP until SIGTERM/Ctrl-C.

        Without --api-key or --oidc-issuer only a loopback HOST is served (else --insecure).
        SERVICE's module is looked up with the working directory on the import path
        (as uvicorn's --app-dir . does): `run mymodule:registry` works in its folder.
        """
        from .runner import serve

        try:
            security = sec.security_config(
                host=host,
                api_keys=api_key,
                api_key_header=api_key_header,
                oidc_issuer=oidc_issuer,
                oidc_audience=oidc_audience,
                oidc_jwks_url=oidc_jwks_url,
                oidc_roles_claim=oidc_roles_claim,
                oidc_algorithms=oidc_algorithm,
                insecure=insecure,
                private_docs=private_docs,
                process_roles=process_role,
                max_jobs_per_user=max_jobs_per_user,
                max_input_depth=max_input_depth,
                allow_input_hosts=allow_input_host,
                input_max_bytes=input_max_bytes,
                input_timeout=input_timeout,
            )
        except ValueError as exc:
            raise _fail(str(exc)) from None
        spec, args = _split_service(service, default_service)
        options = ServiceOptions(
            store_url=store,
            workers=workers,
            max_queued=max_queued,
            executor=executor,
            dask_scheduler=scheduler,
            job_timeout=job_timeout,
        )
        options = dataclasses.replace(
            options,
            keep_finished=keep_finished,
            results_dir=results_dir,
            lease=lease,
            job_control=job_control,
            job_ids=job_ids,
        )
        if deploy:
            from eoproc.deploy.service import DeployOptions

            options = dataclasses.replace(
                options,
                deploy=DeployOptions(
                    no_container=cwl_no_container,
                    deployer_role=deployer_role,
                    time_limit=cwl_time_limit,
                ),
            )
        try:
            loaded = load_service(spec, args, options)
        except ServiceLoadError as exc:
            raise _fail(str(exc)) from None
        code = serve(
            loaded,
            security=security,
            host=host,
            port=port,
            debug=debug,
            cors_origins=cors_origin or (),
            access_log=access_log,
            max_body_size=max_body_size,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
        )
        if code:
            raise typer.Exit(code)

    app.command("hash-key")(sec.hash_key_command)

    @app.command()
    def dev(
        service: ServiceArgument = None,
        host: HostOption = DEFAULT_HOST,
        port: PortOption = DEFAULT_PORT,
        workers: WorkersOption = None,
        store: StoreOption = None,
        cors_origin: CorsOption = None,
    ) -> None:
        """Like run, with --debug and auto-reload when the code changes (development only)."""
        import json

        import uvicorn

        if not sec.is_loopback_bind(host):
            raise _fail(
                f"dev shows tracebacks and has no authentication: it serves loopback only, "
                f"not {host} (use run)"
            )
        spec, args = _split_service(service, default_service)
        options = ServiceOptions(store_url=store, workers=workers)
        try:
            load_service(spec, args, options)  # fail now, not in the reloaded child
        except ServiceLoadError as exc:
            raise _fail(str(exc)) from None
        os.environ[_DEV_ENV] = json.dumps(
            {
                "spec": spec,
                "args": args,
                "store": store,
                "workers": workers,
                "cors": cors_origin or [],
            }
        )
        uvicorn.run(
            "eoproc.server.cli:dev_app",
            factory=True,
            host=host,
            port=port,
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
    import json

    from .app import create_app
    from .security.config import SecurityConfig

    config = json.loads(os.environ[_DEV_ENV])
    options = ServiceOptions(store_url=config["store"], workers=config["workers"])
    service = load_service(config["spec"], config["args"], options)
    # input references: public addresses only, unless EOPROC_ALLOW_INPUT_HOSTS opens some
    allowed = os.environ.get("EOPROC_ALLOW_INPUT_HOSTS", "")
    hosts = tuple(host.strip() for host in allowed.split(",") if host.strip())
    security = SecurityConfig(allow_input_hosts=hosts)
    return create_app(service, debug=True, cors_origins=config["cors"], security=security)


cli = new_server_cli(
    "eoproc-server",
    summary="Serve processes as an OGC API - Processes service (with a durable job store).",
)


def main() -> None:
    """Entry point of ``eoproc-server``."""
    cli(prog_name="eoproc-server")


if __name__ == "__main__":
    main()
