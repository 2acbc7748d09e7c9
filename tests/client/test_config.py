"""Configuration: sources and their order, profiles, YAML files, secrets."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from keyring.backend import KeyringBackend

from eoproc.client import (
    EOPROC_PROFILE,
    AuthConfig,
    Client,
    ClientConfig,
    ClientProfile,
    ConfigError,
    KeyringStore,
)

PROFILE = ClientProfile(
    name="demo",
    env_prefix="DEMO_",
    config_path=Path("~/.demo/config"),
    default_api_url="http://demo.example:9000/api",
)


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dictionary (a real keyring backend)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_defaults_without_file_or_environment() -> None:
    config = ClientConfig.load()
    assert config.api_url == "http://127.0.0.1:8008/"
    assert config.auth.type == "none"
    assert (config.connect_timeout, config.read_timeout) == (5.0, 30.0)
    assert config.config_file == Path("~/.eoproc/config").expanduser()
    assert config.profile is EOPROC_PROFILE


def test_precedence_arguments_environment_file_defaults(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(
        isolated_home / ".demo" / "config",
        {
            "api_url": "http://file:1/",
            "read_timeout": 11,
            "retries": 7,
            "auth": {"type": "basic", "username": "from-file"},
        },
    )
    monkeypatch.setenv("DEMO_API_URL", "http://env:2/")
    monkeypatch.setenv("DEMO_READ_TIMEOUT", "22")
    monkeypatch.setenv("DEMO_AUTH__PASSWORD", "env-pw")
    monkeypatch.setenv("EOPROC_RETRIES", "1")  # another profile's prefix: ignored
    config = ClientConfig.load(profile=PROFILE, api_url="http://arg:3/", connect_timeout=None)
    assert config.api_url == "http://arg:3/"
    assert config.read_timeout == 22
    assert config.retries == 7
    assert config.connect_timeout == 5.0
    assert config.auth.type == "basic"
    assert config.auth.username == "from-file"
    assert config.auth.password is not None
    assert config.auth.password.get_secret_value() == "env-pw"


def test_environment_alone_suffices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EOPROC_API_URL", "https://ogc.example.org/api")
    monkeypatch.setenv("EOPROC_AUTH__TYPE", "api_key")
    monkeypatch.setenv("EOPROC_AUTH__API_KEY", "zq-secret-key")
    config = ClientConfig.load()
    assert config.api_url == "https://ogc.example.org/api/"
    assert config.auth.type == "api-key"
    assert "zq-secret-key" not in repr(config)  # secrets are not shown


def test_profile_default_url_and_explicit_path(tmp_path: Path) -> None:
    assert ClientConfig.load(profile=PROFILE).api_url == "http://demo.example:9000/api/"
    path = _write(tmp_path / "elsewhere.yaml", {"api_url": "http://other:5/"})
    config = ClientConfig.load(profile=PROFILE, config_path=path)
    assert config.api_url == "http://other:5/"
    assert config.config_file == path


def test_save_and_load_round_trip_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config"
    config = ClientConfig.load(
        config_path=path,
        api_url="http://é.example/",
        auth={"type": "login", "username": "José", "login_url": "/login"},
        read_timeout=12.5,
    )
    assert config.save() == path
    text = path.read_bytes().decode("utf-8")
    assert "José" in text
    again = ClientConfig.load(config_path=path)
    assert again.auth.username == "José"
    assert again.read_timeout == 12.5
    assert again.api_url == "http://é.example/"


def test_secrets_without_keyring_make_the_file_private(tmp_path: Path) -> None:
    config = ClientConfig.load(auth={"type": "basic", "username": "u", "password": "pw"})
    path = config.save(tmp_path / "config", secret_store=KeyringStore(_FailKeyring()))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["auth"]["password"] == "pw"
    loaded = ClientConfig.load(config_path=path)
    assert loaded.auth.password is not None
    assert loaded.auth.password.get_secret_value() == "pw"


def test_secrets_go_to_the_keyring_when_available(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    store = KeyringStore(backend)
    config = ClientConfig.load(
        profile=PROFILE,
        auth={
            "type": "oauth2-client-credentials",
            "token_url": "/token",
            "client_id": "cid",
            "client_secret": "top-secret",
        },
    )
    path = config.save(tmp_path / "config", secret_store=store)
    text = path.read_text(encoding="utf-8")
    assert "top-secret" not in text
    assert yaml.safe_load(text)["auth"]["keyring"] is True
    assert list(backend.passwords.values()) == ["top-secret"]
    assert next(iter(backend.passwords))[0] == "eoproc:demo"
    loaded = ClientConfig.load(profile=PROFILE, config_path=path, secret_store=store)
    assert loaded.auth.client_secret is not None
    assert loaded.auth.client_secret.get_secret_value() == "top-secret"


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.write_text("api_url: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Cannot read the configuration file"):
        ClientConfig.load(config_path=broken)
    listed = _write(tmp_path / "list", ["a", "b"])
    with pytest.raises(ConfigError, match="must hold a mapping"):
        ClientConfig.load(config_path=listed)
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    assert ClientConfig.load(config_path=empty).api_url == "http://127.0.0.1:8008/"
    with pytest.raises(
        ConfigError, match=r"^Invalid client configuration: api_url: must be an http"
    ):
        ClientConfig.load(api_url="ftp://x")


def test_invalid_settings_read_as_one_sentence() -> None:
    with pytest.raises(ConfigError) as caught:
        ClientConfig.load(retries=-1, read_timeout="soon")
    assert str(caught.value) == (
        "Invalid client configuration: read_timeout: Input should be a valid number, "
        "unable to parse string as a number; retries: Input should be greater than or equal to 0."
    )
    with pytest.raises(ConfigError, match="retries: Input should be a valid integer"):
        Client(ClientConfig.load(), retries="many")


def test_unknown_settings_in_code_are_errors(isolated_home: Path) -> None:
    with pytest.raises(ConfigError, match=r"^Unknown client setting api_ur \(known: api_url, "):
        Client(api_ur="http://typo/")
    with pytest.raises(ConfigError, match="Unknown client setting colour, size"):
        ClientConfig.load(size=1, colour="red")
    # unknown members of files are tolerated (another tool may share the file)
    _write(isolated_home / ".eoproc" / "config", {"api_url": "http://f:1/", "theme": "dark"})
    assert ClientConfig.load().api_url == "http://f:1/"


def test_auth_type_aliases() -> None:
    assert AuthConfig(type="apikey").type == "api-key"
    assert AuthConfig(type="oauth2").type == "oauth2-client-credentials"
    assert AuthConfig(type=None).type == "none"
    with pytest.raises(ValueError):
        AuthConfig(type="kerberos")


def test_branded_profiles_do_not_touch_eoproc(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import s2gos_client
    import sen4cap_client

    monkeypatch.setenv("S2GOS_API_URL", "http://s2gos:1/")
    _write(isolated_home / ".sen4cap" / "config", {"api_url": "http://sen4cap:2/"})
    assert s2gos_client.Client().api_url == "http://s2gos:1/"
    assert s2gos_client.ClientConfig().api_url == "http://s2gos:1/"
    assert sen4cap_client.Client().api_url == "http://sen4cap:2/"
    assert sen4cap_client.ClientConfig.load().config_file == isolated_home / ".sen4cap" / "config"
    assert Client().api_url == "http://127.0.0.1:8008/"
    assert ClientConfig.default_profile is EOPROC_PROFILE
    assert issubclass(sen4cap_client.Client, Client)
    assert s2gos_client.ProcessRequest(duration=2).inputs == {"duration": 2}
    assert repr(sen4cap_client.Client()) == (
        "Client(api_url='http://sen4cap:2/', profile='sen4cap', auth='none')"
    )


def test_client_arguments_override_a_given_config() -> None:
    config = ClientConfig.load(profile=PROFILE)
    client = Client(config, api_url="http://over:1", retries=0)
    assert client.api_url == "http://over:1/"
    assert client.config.retries == 0
    assert client.config.profile is PROFILE
    assert config.api_url == "http://demo.example:9000/api/"  # the original is unchanged


class _FailKeyring(KeyringBackend):
    """Like keyring's ``fail`` backend: a system without a keyring."""

    priority = 0

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("no keyring")


@pytest.mark.parametrize(("text", "expected"), [("false", False), ("TRUE", True), ("0", False)])
def test_verify_tls_from_the_environment_is_a_flag(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, expected: bool
) -> None:
    monkeypatch.setenv("EOPROC_VERIFY_TLS", text)
    config = ClientConfig.load(config_path=tmp_path / "absent")
    assert config.verify_tls is expected


def test_verify_tls_keeps_a_bundle_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EOPROC_VERIFY_TLS", str(tmp_path / "ca.pem"))
    config = ClientConfig.load(config_path=tmp_path / "absent")
    assert config.verify_tls == str(tmp_path / "ca.pem")


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "config"
    config_file.write_text("api_url: http://from-file:8008/\n", encoding="utf-8")
    monkeypatch.setenv("EOPROC_API_URL", "")
    assert ClientConfig.load(config_path=config_file).api_url == "http://from-file:8008/"
