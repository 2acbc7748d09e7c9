"""``validate.js`` (the browser's check of execute inputs) agrees with ``jsonschema``.

Each case is checked in Chromium by ``eoprocValidate`` and in Python by
``jsonschema``'s Draft 4 validator (the draft whose boolean ``exclusiveMinimum``
OpenAPI 3.0 shares; ``nullable`` becomes a ``null`` alternative), on the demo
processes' input schemas and on schemas using the other keywords.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from eoproc.processes.demo import demo
from tests.live_server import LiveServer


def to_draft4(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema Draft 4."""
    if isinstance(schema, list):
        return [to_draft4(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    node = {k: to_draft4(v) for k, v in schema.items() if k not in ("nullable", "format")}
    if "properties" in schema:
        node["properties"] = {k: to_draft4(v) for k, v in schema["properties"].items()}
    if schema.get("format") == "date":
        node["format"] = "date"
    if schema.get("nullable"):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _demo_schema(process_id: str, name: str) -> dict[str, Any]:
    return dict(demo.describe(process_id).to_dict()["inputs"][name]["schema"])


OBJECT = {
    "type": "object",
    "required": ["a"],
    "properties": {"a": {"type": "integer", "multipleOf": 5}, "b": {"type": "string"}},
    "additionalProperties": False,
}
CASES: list[tuple[dict[str, Any], list[Any]]] = [
    (_demo_schema("primes_between", "min_val"), [0, 5, -1, 2.5, "3", None, True]),
    (_demo_schema("primes_between", "max_val"), [100, 101, -50, 1e3]),
    (_demo_schema("simulate_scene", "resolution"), [0, 0.1, 180, 180.5, -1]),
    (_demo_schema("simulate_scene", "bbox"), [[1, 2, 3, 4], [1, 2, 3], [1, 2, 3, "x"], "1,2"]),
    (_demo_schema("simulate_scene", "var_names"), ["a, b", "1a", "x_1,y", ""]),
    (_demo_schema("simulate_scene", "start_date"), ["2025-01-01", "2025/01/01", "tomorrow"]),
    (_demo_schema("echo", "string_input"), [None, "out.zarr", 3]),
    (_demo_schema("return_base_model", "scene_spec"), [{"threshold": 1, "factor": 2}, {}, []]),
    (_demo_schema("echo", "bbox_input"), [{"bbox": [1, 2, 3, 4]}, {"bbox": [1]}, None, {}]),
    (OBJECT, [{"a": 10}, {"a": 7}, {"a": 5, "c": 1}, {"b": "x"}, {"a": 5, "b": 2}]),
    ({"type": "string", "enum": ["x", "y"]}, ["x", "z", None]),
    ({"type": "string", "minLength": 2, "maxLength": 3}, ["a", "ab", "abcd"]),
    ({"type": "array", "items": {"type": "number"}, "uniqueItems": True}, [[1, 2], [1, 1]]),
    ({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 3}]}, [1, 2.5, 4, 5.5]),
    ({"anyOf": [{"type": "string"}, {"type": "boolean"}]}, ["s", True, 1]),
    ({"allOf": [{"minimum": 1}, {"maximum": 3}], "type": "number"}, [0, 2, 4]),
    ({"not": {"type": "string"}}, ["s", 1]),
    ({"type": "number", "minimum": 1, "exclusiveMinimum": True}, [1, 1.01]),
]


def test_browser_validator_agrees_with_jsonschema(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/processes/primes_between?f=html")
    pairs = [(schema, value) for schema, values in CASES for value in values]
    verdicts = page.evaluate(
        "pairs => pairs.map(([s, v]) => window.eoprocValidate(s, v, 'x').length === 0)", pairs
    )
    checker = jsonschema.FormatChecker()
    for (schema, value), valid_in_browser in zip(pairs, verdicts, strict=True):
        validator = jsonschema.Draft4Validator(to_draft4(schema), format_checker=checker)
        assert valid_in_browser == validator.is_valid(value), (schema, value)
