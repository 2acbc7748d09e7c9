"""Validation against the vendored Part 2 schemas (``part2/``), with Part 1 1.0 beneath.

Part 2 refers to the Part 1 schemas by their newer paths (``../processes-core/
process.yaml``, ``../common-core/link.yaml``); here they resolve to the files of
the published 1.0 schemas (``qualifiedValue.yaml`` is 1.0's
``qualifiedInputValue.yaml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft4Validator
from referencing import Resource
from referencing.jsonschema import DRAFT4

from tests.ogc_schemas import OgcSchemas

PART2_DIR = Path(__file__).parent / "part2"
_RENAMED = {"qualifiedValue.yaml": "qualifiedInputValue.yaml"}


def _rewrite(node: Any, part1: Path) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("../"):
                name = value.rsplit("/", 1)[-1]
                result[key] = (part1 / _RENAMED.get(name, name)).as_uri()
            elif key == "oneOf":  # the standard's oneOf branches overlap; as in ogc_schemas
                result["anyOf"] = _rewrite(value, part1)
            else:
                result[key] = _rewrite(value, part1)
        return result
    if isinstance(node, list):
        return [_rewrite(item, part1) for item in node]
    return node


class Part2Schemas:
    """Validators of the Part 2 schema files."""

    def __init__(self, part1: OgcSchemas) -> None:
        resources = []
        for path in sorted(PART2_DIR.glob("*.yaml")):
            contents = _rewrite(yaml.safe_load(path.read_text(encoding="utf-8")), part1.schema_dir)
            resources.append((path.as_uri(), Resource.from_contents(contents, DRAFT4)))
        self.registry = part1.registry.with_resources(resources)

    def validate(self, name: str, instance: Any) -> None:
        """Raise ``AssertionError`` listing every violation of ``part2/{name}.yaml``."""
        uri = (PART2_DIR / f"{name}.yaml").as_uri()
        validator = Draft4Validator({"$ref": uri}, registry=self.registry)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
        if errors:
            raise AssertionError(f"does not validate against {name}:\n" + "\n".join(errors))
