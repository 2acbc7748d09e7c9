"""``ServerSettings``: every setting of the server, from flags, ``EOPROC_*`` and a config file.

One pydantic-settings model. Its sources, strongest first: the values given to
it (the ``eoproc-server`` flags), the environment (``EOPROC_`` + the field name
in capitals, e.g. ``EOPROC_PORT``), then the config file (``--config`` or
``EOPROC_CONFIG``: TOML, or JSON by its ``.json`` suffix, with the field names
as keys), then the defaults. The server is built from it: the job service
(:meth:`ServerSettings.service_options`), the security
(:meth:`ServerSettings.security`) and the application
(:func:`eoproc.server.app.app_from_settings`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    JsonConfigSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .auth import DEFAULT_ALGORITHMS, OidcSettings, parse_api_keys
from .loader import ServiceOptions
from .security.config import SecurityConfig
from .security.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
from .security.guard import Access, Limits
from .security.netpolicy import is_loopback_bind
from .slowclients import BODY_TIMEOUT, HEADER_TIMEOUT

CONFIG_ENV = "EOPROC_CONFIG"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8008
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024

#: A list from the environment: words separated by white space (as click splits the
#: env var of a repeatable option); commas inside a word are read by its parser.
Words = Annotated[list[str], NoDecode]


class ServerSettings(BaseSettings):
    """The settings of one server (see the module documentation for their sources)."""

    model_config = SettingsConfigDict(env_prefix="EOPROC_", extra="ignore", frozen=True)

    config: Path | None = None
    """The config file these settings were read from (``EOPROC_CONFIG``)."""
    # -- what is served, where ------------------------------------------------------
    service: str | None = None
    """``module:attr`` (``None``: the CLI's default service)."""
    service_args: Words = []
    host: str = DEFAULT_HOST
    port: int = Field(DEFAULT_PORT, ge=1, le=65535)
    debug: bool = False
    access_log: bool = False
    cors_origins: Words = []
    max_body_size: int = Field(DEFAULT_MAX_BODY_SIZE, ge=1)
    header_timeout: float = Field(HEADER_TIMEOUT, ge=0.1)
    body_timeout: float = Field(BODY_TIMEOUT, ge=0.1)
    events_heartbeat: float = Field(15.0, gt=0)
    """Seconds between two comment lines of an idle event stream."""
    # -- the job service: store and executor ------------------------------------------
    store: str | None = None
    workers: int | None = Field(None, ge=1)
    max_queued: int | None = Field(None, ge=1)
    keep_finished: float | None = Field(None, ge=0.0001)
    results_dir: str | None = None
    lease: float | None = Field(None, ge=1.0)
    executor: str | None = None
    dask_scheduler: str | None = None
    job_timeout: float | None = Field(None, ge=0.001)
    job_control: str | None = None
    job_ids: str | None = None
    # -- security ---------------------------------------------------------------------
    api_keys: Words = []
    api_key_header: str = "X-API-Key"
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_roles_claim: str = "roles"
    oidc_algorithms: Words = []
    insecure: bool = False
    private_docs: bool = False
    process_roles: Words = []
    max_jobs_per_user: int | None = Field(None, ge=1)
    max_input_depth: int = Field(32, ge=1)
    allow_input_hosts: Words = []
    input_max_bytes: int = Field(DEFAULT_MAX_BYTES, ge=1)
    input_timeout: float = Field(DEFAULT_TIMEOUT, ge=0.1)
    # -- Part 2: deployment -----------------------------------------------------------
    deploy: bool = False
    cwl_no_container: bool = False
    deployer_role: str = "deployer"
    cwl_time_limit: float = Field(3600.0, ge=1.0)

    @field_validator(
        "service_args",
        "cors_origins",
        "api_keys",
        "oidc_algorithms",
        "process_roles",
        "allow_input_hosts",
        mode="before",
    )
    @classmethod
    def _words(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Given values, then ``EOPROC_*``, then the config file (if one is named)."""
        path = init_settings().get("config") or os.environ.get(CONFIG_ENV) or None
        if path is None:
            return init_settings, env_settings
        if not Path(path).is_file():
            raise ValueError(f"the config file {str(path)!r} does not exist")
        file: PydanticBaseSettingsSource
        if str(path).endswith(".json"):
            file = JsonConfigSettingsSource(settings_cls, json_file=path)
        else:
            file = TomlConfigSettingsSource(settings_cls, toml_file=path)
        return init_settings, env_settings, file

    # -- what is built from them --------------------------------------------------------

    def service_options(self) -> ServiceOptions:
        """The options of the job service (store, executor, workers, ...)."""
        deploy = None
        if self.deploy:
            from eoproc.deploy.service import DeployOptions

            deploy = DeployOptions(
                no_container=self.cwl_no_container,
                deployer_role=self.deployer_role,
                time_limit=self.cwl_time_limit,
            )
        return ServiceOptions(
            store_url=self.store,
            workers=self.workers,
            max_queued=self.max_queued,
            executor=self.executor,
            dask_scheduler=self.dask_scheduler,
            keep_finished=self.keep_finished,
            results_dir=self.results_dir,
            lease=self.lease,
            job_timeout=self.job_timeout,
            job_control=self.job_control,
            job_ids=self.job_ids,
            deploy=deploy,
        )

    def security(self) -> SecurityConfig:
        """The security configuration; ``ValueError`` says what is wrong.

        Serving a non-loopback host without authentication is refused unless
        ``insecure``.
        """
        oidc = None
        if self.oidc_issuer or self.oidc_audience or self.oidc_jwks_url:
            if not (self.oidc_issuer and self.oidc_audience):
                raise ValueError("OIDC needs both --oidc-issuer and --oidc-audience")
            oidc = OidcSettings(
                issuer=self.oidc_issuer,
                audience=self.oidc_audience,
                jwks_url=self.oidc_jwks_url,
                roles_claim=self.oidc_roles_claim,
                algorithms=tuple(self.oidc_algorithms or DEFAULT_ALGORITHMS),
            )
        config = SecurityConfig(
            api_keys=parse_api_keys(self.api_keys),
            api_key_header=self.api_key_header,
            oidc=oidc,
            public_docs=not self.private_docs,
            access=Access(process_roles=_process_roles(self.process_roles)),
            limits=Limits(
                max_active_jobs=self.max_jobs_per_user, max_input_depth=self.max_input_depth
            ),
            public_network=True,  # input references: public addresses only, whatever the bind
            allow_input_hosts=tuple(_split(self.allow_input_hosts)),
            fetch_max_bytes=self.input_max_bytes,
            fetch_timeout=self.input_timeout,
        )
        if not is_loopback_bind(self.host) and not config.authenticated and not self.insecure:
            raise ValueError(
                f"refusing to serve {self.host} (reachable from other machines) without "
                "authentication: configure --api-key or --oidc-issuer, or pass --insecure"
            )
        return config


def default(name: str) -> Any:
    """The default of setting ``name`` (for the CLI's help)."""
    return ServerSettings.model_fields[name].default


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _process_roles(specs: list[str]) -> dict[str, frozenset[str]]:
    roles: dict[str, frozenset[str]] = {}
    for spec in specs:
        process, sep, names = spec.partition("=")
        allowed = frozenset(_split([names]))
        if not sep or not process.strip() or not allowed:
            raise ValueError(f"--process-role must be PROCESS=ROLE[,ROLE], not {spec!r}")
        roles[process.strip()] = roles.get(process.strip(), frozenset()) | allowed
    return roles
