"""Execute requests checked and drafted locally from a process description."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from eoproc.models import ExecuteRequest, InputDescription, ProcessDescription, Schema


class RequestProblem(NamedTuple):
    """One problem of a request: where (``inputs.max_val``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def to_json_schema(schema: Schema | Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.0 schema object as a JSON Schema (draft 4) for ``jsonschema``.

    ``nullable`` becomes a ``null`` type; ``$ref`` members, which point outside
    the description, are dropped (anything is accepted there).
    """
    raw = (
        schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        if hasattr(schema, "model_dump")
        else copy.deepcopy(dict(schema))
    )
    return _convert(raw)


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: _convert(value)
        for key, value in node.items()
        if key not in ("$ref", "nullable", "example", "readOnly", "writeOnly", "deprecated")
    }
    for key in ("minimum", "maximum", "multipleOf"):  # 10.0 reads "10" in messages
        if isinstance(out.get(key), float) and out[key].is_integer():
            out[key] = int(out[key])
    if node.get("nullable") is True:
        if "type" in out:
            kind = out["type"]
            out["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _occurrences(value: Any, description: InputDescription) -> list[tuple[str, Any]]:
    """(path suffix, value) of each occurrence of an input."""
    max_occurs = description.maxOccurs
    many = max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)
    schema_is_array = description.schema_.type == "array"
    if (
        many
        and isinstance(value, list)
        and not (schema_is_array and value and not isinstance(value[0], list))
    ):
        return [(f"[{i}]", item) for i, item in enumerate(value)]
    return [("", value)]


def _unwrap(value: Any, schema: dict[str, Any]) -> Any:
    """The value inside a qualified value (``{"value": ..., "mediaType": ...}``)."""
    if isinstance(value, dict) and "value" in value and schema.get("type") != "object":
        return value["value"]
    return value


def validate_request(
    description: ProcessDescription, request: ExecuteRequest | Mapping[str, Any]
) -> list[RequestProblem]:
    """Every problem of ``request`` against ``description`` (an empty list: valid).

    Checks types, limits, enums, patterns, required and unknown inputs, the
    number of occurrences, and unknown outputs. Inputs given by reference
    (``{"href": ...}``) are not fetched.
    """
    from jsonschema import Draft4Validator
    from pydantic import ValidationError

    from .payloads import build_request

    try:
        execute = build_request(request)
    except ValidationError as error:
        return [
            RequestProblem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()
        ]
    problems: list[RequestProblem] = []
    given = execute.inputs or {}
    declared = description.inputs or {}
    for name in given:
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            problems.append(RequestProblem(f"inputs.{name}", f"unknown input (known: {known})"))
    for name, input_description in declared.items():
        if name not in given:
            if input_description.minOccurs > 0 and input_description.schema_.default is None:
                problems.append(RequestProblem(f"inputs.{name}", "required input is missing"))
            continue
        value = given[name]
        occurrences = _occurrences(value, input_description)
        problems.extend(_check_count(name, occurrences, input_description))
        schema = to_json_schema(input_description.schema_)
        validator = Draft4Validator(schema)
        for suffix, item in occurrences:
            if isinstance(item, dict) and "href" in item:
                continue
            for violation in sorted(
                validator.iter_errors(_unwrap(item, schema)), key=lambda e: list(e.absolute_path)
            ):
                where = "".join(
                    f"[{p}]" if isinstance(p, int) else f".{p}" for p in violation.absolute_path
                )
                problems.append(RequestProblem(f"inputs.{name}{suffix}{where}", violation.message))
    for name in execute.outputs or {}:
        if description.outputs is not None and name not in description.outputs:
            known = ", ".join(sorted(description.outputs)) or "none"
            problems.append(RequestProblem(f"outputs.{name}", f"unknown output (known: {known})"))
    return problems


def _check_count(
    name: str, occurrences: list[tuple[str, Any]], description: InputDescription
) -> list[RequestProblem]:
    count = len(occurrences)
    if count < description.minOccurs:
        return [
            RequestProblem(
                f"inputs.{name}", f"needs at least {description.minOccurs} values, got {count}"
            )
        ]
    max_occurs = description.maxOccurs
    if isinstance(max_occurs, int) and count > max_occurs:
        return [RequestProblem(f"inputs.{name}", f"takes at most {max_occurs} values, got {count}")]
    return []


def create_request(description: ProcessDescription) -> ExecuteRequest:
    """A request with every input: its default, else its first enum value, else an
    empty value of its type (``""``, ``0``, ``0.0``, ``False``, ``[]``, ``{}``)."""
    from eoproc.models import ExecuteRequest

    inputs = {
        name: template_value(to_json_schema(d.schema_))
        for name, d in (description.inputs or {}).items()
    }
    return ExecuteRequest(inputs=inputs)


_EMPTY: dict[str, Any] = {"string": "", "integer": 0, "number": 0.0, "boolean": False}


def template_value(schema: Mapping[str, Any]) -> Any:
    """The value a request template shows for ``schema``."""
    if "default" in schema:
        return copy.deepcopy(schema["default"])
    if schema.get("enum"):
        return schema["enum"][0]
    for combinator in ("oneOf", "anyOf", "allOf"):
        if schema.get(combinator):
            return template_value(schema[combinator][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        items = schema.get("items")
        return [template_value(items) if isinstance(items, Mapping) else None for _ in range(count)]
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        required = schema.get("required")
        wanted = [
            name
            for name, member in properties.items()
            if required is None or name in required or "default" in member
        ]
        return {name: template_value(properties[name]) for name in wanted}
    if kind in _EMPTY:
        minimum = schema.get("minimum")
        if kind in ("integer", "number") and minimum is not None:
            return int(minimum) if kind == "integer" else float(minimum)
        return _EMPTY[kind]
    return None
