"""Request validation and templates from a process description (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from eoproc.client import create_request, validate_request
from eoproc.client.validation import template_value, to_json_schema
from eoproc.models import ProcessDescription

DESCRIPTION = ProcessDescription.model_validate(
    {
        "id": "p",
        "version": "1",
        "inputs": {
            "count": {
                "schema": {"type": "integer", "minimum": 1, "maximum": 10, "exclusiveMaximum": True}
            },
            "mode": {"schema": {"type": "string", "enum": ["fast", "exact"]}, "minOccurs": 0},
            "name": {
                "schema": {"type": "string", "nullable": True, "pattern": "^[a-z]+$"},
                "minOccurs": 0,
            },
            "ratio": {"schema": {"type": "number", "default": 0.5}, "minOccurs": 0},
            "bands": {"schema": {"type": "string", "minLength": 2}, "minOccurs": 1, "maxOccurs": 3},
            "bbox": {
                "schema": {
                    "type": "object",
                    "required": ["bbox"],
                    "properties": {
                        "bbox": {
                            "type": "array",
                            "minItems": 4,
                            "maxItems": 4,
                            "items": {"type": "number"},
                        },
                        "crs": {"type": "string"},
                    },
                },
                "minOccurs": 0,
            },
            "image": {"schema": {"type": "string", "contentEncoding": "base64"}, "minOccurs": 0},
            "choice": {
                "schema": {"oneOf": [{"type": "boolean"}, {"type": "integer"}]},
                "minOccurs": 0,
            },
        },
        "outputs": {"result": {"schema": {"type": "string"}}},
    }
)


def _problems(request: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate_request(DESCRIPTION, request)]


def test_a_valid_request_has_no_problems() -> None:
    assert _problems({"count": 3, "bands": ["B02", "B03"], "name": None}) == []
    assert (
        _problems(
            {
                "inputs": {
                    "count": 9,
                    "bands": "B04",
                    "mode": "exact",
                    "bbox": {"bbox": [0, 0, 1, 1]},
                    "image": {"href": "http://example.org/i.png"},
                    "choice": 3,
                },
                "outputs": {"result": {}},
            }
        )
        == []
    )


def test_every_problem_is_listed_with_its_path() -> None:
    assert _problems(
        {
            "count": 10,
            "mode": "slow",
            "name": "A1",
            "bands": ["B02", "X", "B1", "B8"],
            "bbox": {"bbox": [0, "a", 1]},
            "extra": 1,
        }
    ) == [
        "inputs.extra: unknown input (known: bands, bbox, choice, count, image, mode, name, ratio)",
        "inputs.count: 10 is greater than or equal to the maximum of 10",
        "inputs.mode: 'slow' is not one of ['fast', 'exact']",
        "inputs.name: 'A1' does not match '^[a-z]+$'",
        "inputs.bands: takes at most 3 values, got 4",
        "inputs.bands[1]: 'X' is too short",
        "inputs.bbox.bbox: [0, 'a', 1] is too short",
        "inputs.bbox.bbox[1]: 'a' is not of type 'number'",
    ]


def test_required_inputs_types_and_outputs() -> None:
    assert _problems({"outputs": {"nope": {}}}) == [
        "inputs.count: required input is missing",
        "inputs.bands: required input is missing",
        "outputs.nope: unknown output (known: result)",
    ]
    assert _problems({"count": "3", "bands": "B02"}) == [
        "inputs.count: '3' is not of type 'integer'"
    ]
    assert _problems({"count": 2, "bands": "B02", "choice": "yes"}) == [
        "inputs.choice: 'yes' is not valid under any of the given schemas"
    ]


def test_qualified_values_are_checked_by_their_value() -> None:
    assert _problems({"count": {"value": 2, "mediaType": "application/json"}, "bands": "B02"}) == []
    assert _problems({"count": {"value": 0}, "bands": "B02"}) == [
        "inputs.count: 0 is less than the minimum of 1"
    ]


def test_a_request_that_is_no_request() -> None:
    problems = validate_request(DESCRIPTION, {"response": "bogus"})
    assert problems[0].path == "response"


def test_template() -> None:
    request = create_request(DESCRIPTION)
    assert request.inputs == {
        "count": 1,
        "mode": "fast",
        "name": "",
        "ratio": 0.5,
        "bands": "",
        "bbox": {"bbox": [0.0, 0.0, 0.0, 0.0]},
        "image": "",
        "choice": False,
    }


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "array", "minItems": 2, "items": {"type": "integer"}}, [0, 0]),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "boolean"}, "b": {"type": "number"}},
                "required": ["b"],
            },
            {"b": 0.0},
        ),
        ({"type": ["null", "string"]}, ""),
        ({"anyOf": [{"type": "number", "minimum": 2.5}]}, 2.5),
        ({}, None),
        ({"type": "integer", "default": 7, "enum": [1, 7]}, 7),
    ],
)
def test_template_values(schema: dict[str, Any], value: Any) -> None:
    assert template_value(schema) == value


def test_openapi_schemas_become_json_schemas() -> None:
    schema = to_json_schema(
        {
            "type": "string",
            "nullable": True,
            "enum": ["a"],
            "$ref": "#/elsewhere",
            "example": "a",
            "properties": {"x": {"type": "integer", "nullable": True}},
        }
    )
    assert schema == {
        "type": ["string", "null"],
        "enum": ["a", None],
        "properties": {"x": {"type": ["integer", "null"]}},
    }
