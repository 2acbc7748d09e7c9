"""Validation of payloads against the official OGC API - Processes 1.0 schemas.

The schemas and examples are vendored in ``tests/ogc_spec/`` (see its README for
the licence), so that a fresh clone runs every schema test; ``EOPROC_OGC_SPEC_DIR``
may name another copy of the standard (CI: the full standard beside the clone).
Were they absent, the tests that need them would skip with a reason, unless
``EOPROC_REQUIRE_SPEC=1`` (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DEFAULT_SPEC_DIR = Path(__file__).resolve().parent / "ogc_spec"


def find_spec_dir() -> Path:
    """The folder of the published standard, or skip (fail in CI) when absent."""
    spec_dir = Path(os.environ.get("EOPROC_OGC_SPEC_DIR") or DEFAULT_SPEC_DIR)
    if not (spec_dir / "openapi" / "schemas").is_dir():
        message = (
            f"OGC API - Processes 1.0 schemas not found in {spec_dir} (set EOPROC_OGC_SPEC_DIR)"
        )
        if os.environ.get("EOPROC_REQUIRE_SPEC") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return spec_dir


def _one_of_as_any_of(node: Any, *, names: bool = False) -> Any:
    """The standard's ``oneOf`` branches overlap (number/integer); validate as ``anyOf``.

    ``names`` marks a mapping of property names (under ``properties``), whose keys
    are names, not keywords, and are kept.
    """
    if isinstance(node, dict):
        return {
            ("anyOf" if key == "oneOf" and not names else key): _one_of_as_any_of(
                value, names=(key == "properties" and not names)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_one_of_as_any_of(item) for item in node]
    return node


class OgcSchemas:
    """The schemas of ``openapi/schemas/``, with their ``$ref``s resolved locally."""

    def __init__(self, spec_dir: Path) -> None:
        self.schema_dir = spec_dir / "openapi" / "schemas"
        self.examples_dir = spec_dir / "examples" / "json"
        resources = []
        for path in sorted(self.schema_dir.rglob("*.yaml")):
            contents = _one_of_as_any_of(yaml.safe_load(path.read_text(encoding="utf-8")))
            if path.name == "subscriber.yaml":
                # Known erratum: it requires "successUrl" but names the member "successUri";
                # later versions of the standard drop the requirement, and so do we.
                contents.pop("required", None)
            resource = Resource.from_contents(contents, default_specification=DRAFT4)
            resources.append((path.as_uri(), resource))
        self.registry: Registry[Any] = Registry().with_resources(resources)

    def validator(self, name: str) -> Draft4Validator:
        """A validator for the schema file ``name`` (``"statusInfo"`` or ``"statusInfo.yaml"``)."""
        file_name = name if name.endswith(".yaml") else f"{name}.yaml"
        uri = (self.schema_dir / file_name).as_uri()
        return Draft4Validator({"$ref": uri}, registry=self.registry)

    def validate(self, name: str, instance: Any) -> None:
        """Raise ``AssertionError`` listing every violation of schema ``name``."""
        errors = sorted(self.validator(name).iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            lines = [f"{list(e.absolute_path)}: {e.message}" for e in errors]
            raise AssertionError(f"payload does not validate against {name}:\n" + "\n".join(lines))
