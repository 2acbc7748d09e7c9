"""Client configuration: arguments > environment > YAML file > defaults."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .errors import ConfigError, invalid_config
from .profile import DEFAULT_API_URL, EOPROC_PROFILE, ClientProfile
from .secret_store import KeyringStore, SecretStore

AuthType = Literal[
    "none", "basic", "bearer", "api-key", "login", "oauth2-client-credentials", "oauth2-password"
]
SECRET_FIELDS = ("password", "token", "api_key", "client_secret")

_FLAGS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}

_AUTH_ALIASES = {
    "": "none",
    "anonymous": "none",
    "apikey": "api-key",
    "api_key": "api-key",
    "token": "bearer",
    "client-credentials": "oauth2-client-credentials",
    "oauth2": "oauth2-client-credentials",
    "password": "oauth2-password",
}


class AuthConfig(BaseModel):
    """How the client authenticates; which members matter depends on ``type``.

    - ``basic``: ``username``, ``password``
    - ``bearer``: ``token``
    - ``api-key``: ``api_key`` sent in ``api_key_header`` (default ``X-API-Key``)
    - ``login``: ``username`` and ``password`` posted to ``login_url`` (JSON, or a form
      with ``login_format="form"``); the token read from the answer (``token_field``, a
      dotted path; by default the usual names) is sent in ``token_header``
      (default ``X-Auth-Token``)
    - ``oauth2-client-credentials``: ``client_id``, ``client_secret`` at ``token_url``
    - ``oauth2-password``: ``username``, ``password`` (and ``client_id``) at ``token_url``
    - for both OAuth2 grants, ``issuer_url`` instead of ``token_url``: the token
      endpoint comes from the issuer's OpenID Connect discovery document

    Tokens are cached until they expire and renewed once when the server answers 401.
    """

    model_config = ConfigDict(extra="ignore")

    type: AuthType = "none"
    username: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    api_key: SecretStr | None = None
    api_key_header: str = "X-API-Key"
    login_url: str | None = None
    login_format: Literal["json", "form"] = "json"
    token_url: str | None = None
    issuer_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    scope: str | None = None
    token_header: str | None = None
    token_prefix: str | None = None
    token_field: str | None = None
    keyring: bool = Field(default=False, description="Secrets are kept in the OS keyring.")

    @field_validator("type", mode="before")
    @classmethod
    def _normalise_type(cls, value: Any) -> Any:
        if value is None:
            return "none"
        if isinstance(value, str):
            key = value.strip().lower().replace("_", "-")
            return _AUTH_ALIASES.get(key, _AUTH_ALIASES.get(value.strip().lower(), key))
        return value

    def secrets(self) -> dict[str, str]:
        """The secret members that are set, in clear text."""
        found = {}
        for name in SECRET_FIELDS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value.get_secret_value()
        return found


class ClientConfig(BaseSettings):
    """Settings of a client; see :meth:`load` for where they come from.

    Environment variables carry the profile's prefix (``EOPROC_API_URL``,
    ``EOPROC_READ_TIMEOUT``); nested auth members use ``__``
    (``EOPROC_AUTH__TYPE=basic``, ``EOPROC_AUTH__USERNAME``, ...).
    """

    model_config = SettingsConfigDict(
        env_prefix="EOPROC_",
        env_nested_delimiter="__",
        env_ignore_empty=True,  # EOPROC_API_URL= means "not set", not an empty URL
        extra="ignore",
        validate_default=True,
    )
    default_profile: ClassVar[ClientProfile] = EOPROC_PROFILE

    api_url: str = DEFAULT_API_URL
    auth: AuthConfig = Field(default_factory=AuthConfig)
    connect_timeout: float = Field(default=5.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    retries: int = Field(default=3, ge=0, description="Retries of idempotent requests.")
    backoff_factor: float = Field(default=0.25, ge=0)
    backoff_max: float = Field(default=30.0, ge=0)
    verify_tls: bool | str = Field(default=True, description="False, True or a CA bundle path.")
    headers: dict[str, str] = Field(default_factory=dict)

    _profile: ClientProfile | None = PrivateAttr(default=None)
    _config_file: Path | None = PrivateAttr(default=None)

    @field_validator("verify_tls", mode="before")
    @classmethod
    def _verify_flag(cls, value: Any) -> Any:
        """``"false"``/``"true"`` (as the environment gives them) are flags, not bundle paths."""
        if isinstance(value, str) and value.strip().lower() in _FLAGS:
            return _FLAGS[value.strip().lower()]
        return value

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL, not {value!r}")
        return value if value.endswith("/") else value + "/"

    @property
    def profile(self) -> ClientProfile:
        """The profile this configuration was loaded for."""
        return self._profile or type(self).default_profile

    @property
    def config_file(self) -> Path:
        """The YAML file this configuration is read from and saved to."""
        return self._config_file or self.profile.config_file

    def model_post_init(self, context: Any, /) -> None:
        """Remember where this configuration was loaded from (see :meth:`load`)."""
        super().model_post_init(context)
        origin = _ORIGIN.get()
        if origin is not None:
            self._profile, self._config_file = origin.profile, origin.path

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments > environment (the profile's prefix) > YAML file > the profile's URL.

        ``ClientConfig(...)`` reads the sources of the class's default profile;
        :meth:`load` chooses the profile and the file.
        """
        origin = _ORIGIN.get() or _Origin(cls.default_profile, cls.default_profile.config_file)
        if not origin.read_sources:
            return (init_settings,)
        return (
            init_settings,
            EnvSettingsSource(
                settings_cls,
                env_prefix=origin.profile.env_prefix,
                env_nested_delimiter="__",
                case_sensitive=False,
            ),
            YamlFileSource(settings_cls, origin.path),
            InitSettingsSource(
                settings_cls, init_kwargs={"api_url": origin.profile.default_api_url}
            ),
        )

    @classmethod
    def load(
        cls,
        profile: ClientProfile | None = None,
        config_path: str | Path | None = None,
        *,
        secret_store: SecretStore | None = None,
        **overrides: Any,
    ) -> ClientConfig:
        """Load the configuration: ``overrides`` > environment > YAML file > defaults.

        ``profile`` selects the env prefix, the default file and the default URL
        (default: this class's profile); ``config_path`` replaces the profile's file.
        Overrides that are None count as not given. Secrets the file keeps in the
        OS keyring are read from it (or from ``secret_store``).
        """
        profile = profile or cls.default_profile
        path = Path(config_path).expanduser() if config_path else profile.config_file
        config = cls._build(_Origin(profile, path), cls.check_overrides(overrides))
        if config.auth.keyring:
            config._read_keyring(secret_store or KeyringStore())
        return config

    def updated(self, update: dict[str, Any]) -> ClientConfig:
        """A validated copy with ``update`` applied; no other source is read.

        The copy keeps this configuration's profile and file.
        """
        origin = _Origin(self.profile, self.config_file, read_sources=False)
        return self._build(origin, {**self.model_dump(), **update})

    @classmethod
    def _build(cls, origin: _Origin, values: dict[str, Any]) -> ClientConfig:
        try:
            with _loading(origin):
                return cls(**values)
        except ConfigError:
            raise
        except ValueError as error:
            raise invalid_config(error) from error

    @classmethod
    def check_overrides(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        """The overrides that are not None; raise :class:`ConfigError` for unknown names."""
        unknown = sorted(set(overrides) - set(cls.model_fields))
        if unknown:
            known = ", ".join(sorted(cls.model_fields))
            raise ConfigError(f"Unknown client setting {', '.join(unknown)} (known: {known}).")
        return {key: value for key, value in overrides.items() if value is not None}

    def _read_keyring(self, store: SecretStore) -> None:
        missing = [name for name in SECRET_FIELDS if getattr(self.auth, name) is None]
        if not missing or not store.available():
            return
        update = {}
        for name in missing:
            value = store.get(self.profile.keyring_service, self._keyring_name(name))
            if value is not None:
                update[name] = SecretStr(value)
        self.auth = self.auth.model_copy(update=update)

    def _keyring_name(self, field: str) -> str:
        return f"{self.config_file}#{field}"

    def to_file_dict(self) -> dict[str, Any]:
        """The members worth writing to a file: the URL and what differs from defaults."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["api_url"] = self.api_url
        auth = self.auth.model_dump(mode="json", exclude_defaults=True)
        auth.update(self.auth.secrets())
        if auth:
            data["auth"] = auth
        else:
            data.pop("auth", None)
        return data

    def save(
        self, path: str | Path | None = None, *, secret_store: SecretStore | None = None
    ) -> Path:
        """Write this configuration as YAML (UTF-8) and return the file's path.

        Secrets go to the OS keyring when one is available (``auth.keyring: true``
        in the file); otherwise they are written to the file, which then gets mode 0600.
        """
        import yaml

        target = Path(path).expanduser() if path else self.config_file
        data = self.to_file_dict()
        secrets = self.auth.secrets()
        store = secret_store or KeyringStore()
        if secrets and store.available():
            self._config_file = target
            try:
                for name, value in secrets.items():
                    store.set(self.profile.keyring_service, self._keyring_name(name), value)
            except Exception:  # a locked or broken keyring: keep them in the file
                pass
            else:
                for name in secrets:
                    data["auth"].pop(name, None)
                data["auth"]["keyring"] = True
                secrets = {}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        _write_text(target, text, private=bool(secrets))
        return target


@dataclass(frozen=True)
class _Origin:
    """Where a configuration is being loaded from."""

    profile: ClientProfile
    path: Path
    read_sources: bool = True
    """False: only the values given (a copy with some values changed)."""


_ORIGIN: ContextVar[_Origin | None] = ContextVar("eoproc_client_config_origin", default=None)


@contextmanager
def _loading(origin: _Origin) -> Iterator[None]:
    """Make ``origin`` the sources of the configurations built inside."""
    token = _ORIGIN.set(origin)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


class YamlFileSource(InitSettingsSource):
    """The settings in a YAML file (UTF-8; a missing or empty file holds none)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        self.path = path
        super().__init__(settings_cls, init_kwargs=read_yaml_mapping(path))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path})"


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The mapping a YAML file holds (``{}`` if the file is missing or empty)."""
    import yaml

    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"Cannot read the configuration file {path}: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"The configuration file {path} must hold a mapping.")
    return data


def _write_text(path: Path, text: str, *, private: bool) -> None:
    """Write ``text`` to ``path`` atomically as UTF-8; mode 0600 if ``private``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
