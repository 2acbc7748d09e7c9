"""Schemas derived from type hints, in the standard's OpenAPI-3.0 flavour."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, TypeAdapter

from eoproc.processes import ProcessRegistry
from eoproc.processes.schema import to_openapi_schema


class Colour(enum.Enum):
    red = "red"
    green = "green"


class Point(BaseModel):
    """A point on the map."""

    x: float
    y: float = 0.0
    colour: Colour = Colour.red


class Region(BaseModel):
    name: str
    corners: list[Point]
    centre: Point | None = None


class Tree(BaseModel):
    label: str
    children: list[Tree] = []


def input_schemas(function: Callable[..., Any], **options: Any) -> dict[str, dict[str, Any]]:
    registry = ProcessRegistry()
    registry.process(**options)(function)
    description = registry.describe(function.__name__).to_dict()
    return {name: spec["schema"] for name, spec in description["inputs"].items()}


def test_scalars() -> None:
    def f(a: int, b: float, c: str, d: bool) -> None: ...

    assert input_schemas(f) == {
        "a": {"type": "integer"},
        "b": {"type": "number"},
        "c": {"type": "string"},
        "d": {"type": "boolean"},
    }


def test_literal_and_enum() -> None:
    def f(
        mode: Literal["fast", "slow"], colour: Colour = Colour.green, one: Literal[1] = 1
    ) -> None: ...

    schemas = input_schemas(f)
    assert schemas["mode"] == {"type": "string", "enum": ["fast", "slow"]}
    assert schemas["colour"]["enum"] == ["red", "green"]
    assert schemas["colour"]["default"] == "green"
    assert schemas["one"] == {"type": "integer", "enum": [1], "default": 1}


def test_tuple_becomes_array_with_length() -> None:
    def f(
        bbox: tuple[float, float, float, float], pair: tuple[int, str], many: tuple[int, ...]
    ): ...

    schemas = input_schemas(f)
    assert schemas["bbox"] == {
        "type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4
    }  # fmt: skip
    assert schemas["pair"]["items"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert schemas["many"] == {"type": "array", "items": {"type": "integer"}}


def test_optional_becomes_nullable() -> None:
    def f(a: int | None = None, colour: Colour | None = None) -> None: ...

    schemas = input_schemas(f)
    assert schemas["a"] == {"type": "integer", "nullable": True, "default": None}
    assert schemas["colour"]["nullable"] is True
    assert schemas["colour"]["enum"] == ["red", "green", None]


def test_dates() -> None:
    def f(day: date = date(2025, 1, 1), moment: datetime | None = None) -> None: ...

    schemas = input_schemas(f)
    assert schemas["day"] == {"type": "string", "format": "date", "default": "2025-01-01"}
    assert schemas["moment"] == {
        "type": "string", "format": "date-time", "nullable": True, "default": None
    }  # fmt: skip


def test_nested_models_are_inlined() -> None:
    def f(region: Region) -> None: ...

    schema = input_schemas(f)["region"]
    assert "$defs" not in str(schema) and "$ref" not in str(schema)
    point = schema["properties"]["corners"]["items"]
    assert point["description"] == "A point on the map."
    assert point["properties"]["colour"]["enum"] == ["red", "green"]
    assert point["properties"]["colour"]["default"] == "red"
    assert schema["properties"]["centre"]["nullable"] is True
    assert schema["properties"]["centre"]["properties"]["x"] == {"title": "X", "type": "number"}
    assert schema["required"] == ["name", "corners"]


def test_recursive_model_stops_at_object() -> None:
    def f(tree: Tree) -> None: ...

    schema = input_schemas(f)["tree"]
    assert schema["properties"]["children"]["items"] == {"type": "object"}


def test_annotated_field_constraints() -> None:
    def f(
        low: Annotated[int, Field(ge=0, le=10)] = 5,
        ratio: Annotated[float, Field(gt=0, lt=1, title="Ratio", description="A share")] = 0.5,
        code: Annotated[str, Field(min_length=2, max_length=3, pattern="^[A-Z]+$")] = "AB",
    ) -> None: ...

    schemas = input_schemas(f)
    assert schemas["low"] == {"type": "integer", "minimum": 0, "maximum": 10, "default": 5}
    assert schemas["ratio"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1,
        "exclusiveMaximum": True,
        "default": 0.5,
    }
    assert schemas["code"] == {
        "type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[A-Z]+$", "default": "AB"
    }  # fmt: skip


def test_field_title_and_description_go_on_the_input() -> None:
    def f(ratio: Annotated[float, Field(title="Ratio", description="A share")] = 0.5) -> None: ...

    registry = ProcessRegistry()
    registry.process(f)
    described = registry.describe("f").inputs["ratio"]  # type: ignore[index]
    assert (described.title, described.description) == ("Ratio", "A share")
    assert described.schema_.title is None and described.schema_.description is None


def test_conversion_drops_unknown_keywords() -> None:
    converted = to_openapi_schema(
        {"$schema": "x", "type": "integer", "examples": [3, 4], "const": 3, "discriminator": {}}
    )
    assert converted == {"type": "integer", "example": 3, "enum": [3]}


def test_conversion_of_type_lists_and_null() -> None:
    assert to_openapi_schema({"type": ["string", "null"]}) == {"type": "string", "nullable": True}
    assert to_openapi_schema({"type": ["string", "integer"]}) == {
        "anyOf": [{"type": "string"}, {"type": "integer"}]
    }


@pytest.mark.parametrize(
    "hint",
    [int, Literal["a", "b"], Colour | None, tuple[int, str], date, Region, Tree, dict[str, int],
     Annotated[float, Field(gt=0, examples=[1.5])], list[Point] | None, bytes],
)  # fmt: skip
def test_every_converted_schema_validates(
    hint: Any, ogc_validate: Callable[[str, Any], None]
) -> None:
    ogc_validate("schema", to_openapi_schema(TypeAdapter(hint).json_schema()))
