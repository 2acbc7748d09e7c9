"""Where client settings come from: arguments > environment > YAML file > defaults.

The rules are those of pydantic-settings' ``EnvSettingsSource`` (case-insensitive
names, ``__`` for nested members, JSON for structured values) and
``YamlConfigSettingsSource``, merged the way ``BaseSettings`` merges sources
(nested mappings member by member). They are written out here because
pydantic-settings costs a command-line run more than the rest of its
configuration (it imports asyncio, argparse and every cloud provider's source).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_origin

from pydantic import BaseModel

from .errors import ConfigError, invalid_config

if TYPE_CHECKING:
    from .profile import ClientProfile

NESTED_DELIMITER = "__"


def layered(
    model: type[BaseModel], profile: ClientProfile, path: Path, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings of every source for ``model``, merged; earlier sources win.

    ``overrides`` (arguments), the environment (``profile.env_prefix``), the YAML
    file at ``path`` (if it exists), the profile's default URL.
    """
    return merged(
        {"api_url": profile.default_api_url},
        yaml_file(path),
        environment(model, profile.env_prefix),
        dict(overrides),
    )


def merged(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """``layers`` merged, later ones winning; nested mappings are merged member by member."""
    result: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            below = result.get(key)
            if isinstance(below, dict) and isinstance(value, dict):
                result[key] = merged(below, value)
            else:
                result[key] = value
    return result


def yaml_file(path: Path) -> dict[str, Any]:
    """The mapping a YAML configuration file holds; empty if there is no such file."""
    if not path.is_file():
        return {}
    import yaml

    try:
        with path.open(encoding="utf-8") as file:
            data = yaml.safe_load(file)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"Cannot read the configuration file {path}: {error}") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"The configuration file {path} must hold a mapping.")
    return data


def environment(
    model: type[BaseModel], prefix: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The settings of ``model`` found in environment variables named ``prefix + field``.

    Names are case-insensitive. A structured field (a model or a mapping) is read
    as JSON, and its members also from ``PREFIX_FIELD__MEMBER`` variables, which
    win over the JSON value's members.
    """
    variables = {
        name.lower(): value for name, value in (os.environ if environ is None else environ).items()
    }
    found: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}".lower()
        value: Any = variables.get(key)
        if _is_structured(field.annotation):
            if value is not None:
                value = _json(key, value)
            members = _members(variables, key + NESTED_DELIMITER)
            if value is None and members:
                value = members
            elif isinstance(value, dict):
                value = merged(value, members)
        if value is not None:
            found[name] = value
    return found


def _is_structured(annotation: Any) -> bool:
    kind = get_origin(annotation) or annotation
    return isinstance(kind, type) and issubclass(kind, BaseModel | dict | list | tuple | set)


def _json(name: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise invalid_config(
            ValueError(f"the environment variable {name.upper()} is not valid JSON ({error})")
        ) from error


def _members(variables: Mapping[str, str], prefix: str) -> dict[str, Any]:
    """``{"a": {"b": value}}`` for a variable named ``prefix + "a__b"``."""
    members: dict[str, Any] = {}
    for name, value in variables.items():
        if not name.startswith(prefix):
            continue
        *path, last = name[len(prefix) :].split(NESTED_DELIMITER)
        target = members
        for key in path:
            inner = target.setdefault(key, {})
            if not isinstance(inner, dict):
                break
            target = inner
        else:
            target[last] = value
    return members
