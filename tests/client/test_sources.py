"""Settings sources: environment variables (JSON, nested members), files, merging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import create_model

from eoproc.client import ClientConfig, ClientProfile, ConfigError
from eoproc.client.sources import environment, merged

PROFILE = ClientProfile(name="demo", env_prefix="DEMO_", config_path=Path("~/.demo/config"))

ENVIRONMENTS: list[dict[str, str]] = [
    {"DEMO_API_URL": "http://env:1/", "demo_read_timeout": "7", "OTHER_RETRIES": "9"},
    {"DEMO_AUTH__TYPE": "basic", "Demo_Auth__Username": "u", "DEMO_AUTH__PASSWORD": "p"},
    {
        "DEMO_AUTH": '{"type": "bearer", "token": "t", "username": "json"}',
        "DEMO_AUTH__USERNAME": "n",
    },
    {"DEMO_HEADERS": '{"X-Trace": "1"}', "DEMO_HEADERS__X_ONE": "2"},
    {"DEMO_HEADERS__X_NUM": "5", "DEMO_VERIFY_TLS": "false", "DEMO_AUTH__A__B": "deep"},
    {"DEMO_AUTH": "[1, 2]", "DEMO_AUTH__TYPE": "basic"},
]


@pytest.mark.parametrize("variables", ENVIRONMENTS)
def test_environment_reads_like_pydantic_settings(variables: dict[str, str]) -> None:
    """The rules are pydantic-settings' ``EnvSettingsSource`` ones (case-insensitive, ``__``)."""
    settings = pytest.importorskip("pydantic_settings")

    fields: Any = {name: (f.annotation, f) for name, f in ClientConfig.model_fields.items()}
    reference = create_model("Reference", __base__=settings.BaseSettings, **fields)
    source = settings.EnvSettingsSource(
        reference, env_prefix="DEMO_", env_nested_delimiter="__", case_sensitive=False
    )
    source.env_vars = {key.lower(): value for key, value in variables.items()}
    expected = {key: value for key, value in source().items() if value is not None}
    assert environment(ClientConfig, "DEMO_", variables) == expected


def test_environment_examples() -> None:
    assert environment(ClientConfig, "DEMO_", ENVIRONMENTS[2]) == {
        "auth": {"type": "bearer", "token": "t", "username": "n"}
    }
    assert environment(ClientConfig, "DEMO_", ENVIRONMENTS[3]) == {
        "headers": {"X-Trace": "1", "x_one": "2"}
    }
    assert environment(ClientConfig, "DEMO_", {"DEMO_RETRIES": ""}) == {"retries": ""}


def test_bad_json_in_the_environment_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_HEADERS", "{not json")
    with pytest.raises(
        ConfigError,
        match=r"^Invalid client configuration: the environment "
        r"variable DEMO_HEADERS is not valid JSON \(Expecting",
    ):
        ClientConfig.load(profile=PROFILE)


def test_members_merge_across_sources(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = isolated_home / ".demo" / "config"
    path.parent.mkdir()
    path.write_text(
        "auth:\n  type: basic\n  username: file-user\n  password: file-pw\nheaders:\n  A: file\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DEMO_AUTH__USERNAME", "env-user")
    monkeypatch.setenv("DEMO_HEADERS", '{"B": "env"}')
    config = ClientConfig.load(profile=PROFILE, auth={"password": "arg-pw"})
    assert (config.auth.type, config.auth.username) == ("basic", "env-user")
    assert config.auth.password is not None
    assert config.auth.password.get_secret_value() == "arg-pw"
    assert config.headers == {"A": "file", "B": "env"}


def test_merged_replaces_what_is_not_a_mapping() -> None:
    layers: list[dict[str, Any]] = [{"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]}]
    assert merged(*layers) == {"a": {"x": 1, "y": 3}, "b": [2]}
    assert merged({"a": {"x": 1}}, {"a": None}) == {"a": None}


@pytest.mark.parametrize(("text", "expected"), [("false", False), ("TRUE", True), ("0", False)])
def test_verify_tls_flag_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: bool
) -> None:
    monkeypatch.setenv("DEMO_VERIFY_TLS", text)
    assert ClientConfig.load(profile=PROFILE).verify_tls is expected
    monkeypatch.setenv("DEMO_VERIFY_TLS", "/etc/ssl/ca.pem")
    assert ClientConfig.load(profile=PROFILE).verify_tls == "/etc/ssl/ca.pem"
