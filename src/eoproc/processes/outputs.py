"""The outputs of a process, from the return annotation and ``outputs=``.

A function returns one output, ``return_value`` (or the single name given in
``outputs=``), unless it returns a TypedDict or a pydantic model (other than the
standard's own models such as ``Link``), or ``outputs=`` names several outputs:
then each member is an output of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from eoproc.models import OutputDescription

from .hints import (
    default_title,
    is_reference_type,
    is_split_type,
    member_types,
    pop_title,
    split_override,
)
from .schema import to_openapi_schema

RETURN_VALUE = "return_value"
"""The name of the single output of a function that returns one value."""


@dataclass
class OutputSpec:
    """One output of a process."""

    name: str
    description: OutputDescription
    adapter: TypeAdapter[Any] | None
    reference: bool = False
    """A file or link: the output may be transmitted by reference."""


def output_specs(
    function: Callable[..., Any], hint: Any, overrides: Mapping[str, Mapping[str, Any]] | None
) -> tuple[dict[str, OutputSpec], bool]:
    if hint is None or hint is type(None):
        if overrides:
            raise TypeError(
                f"{function.__qualname__}: outputs= given but the function returns None"
            )
        return {}, False
    overrides = dict(overrides or {})
    if len(overrides) > 1 or (not overrides and is_split_type(hint)):
        return _split_output_specs(function, hint, overrides), True
    name, override = next(iter(overrides.items())) if overrides else (RETURN_VALUE, {})
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    schema = to_openapi_schema(adapter.json_schema(mode="serialization"))
    spec = _output_spec(name, schema, hint, override, adapter)
    return {name: spec}, False


def _split_output_specs(
    function: Callable[..., Any], hint: Any, overrides: dict[str, Mapping[str, Any]]
) -> dict[str, OutputSpec]:
    if not is_split_type(hint):  # several outputs of a plain mapping: schemas from outputs=
        return {name: _output_spec(name, {}, Any, o, None) for name, o in overrides.items()}
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    properties = to_openapi_schema(adapter.json_schema(mode="serialization")).get("properties", {})
    unknown = set(overrides) - set(properties)
    if unknown:
        raise TypeError(
            f"{function.__qualname__}: outputs= names unknown members {sorted(unknown)}"
        )
    types_of = member_types(hint)
    return {
        name: _output_spec(
            name, dict(schema), types_of.get(name, Any), overrides.get(name, {}), None
        )
        for name, schema in properties.items()
    }


def _output_spec(
    name: str,
    schema: dict[str, Any],
    hint: Any,
    override: Mapping[str, Any],
    adapter: TypeAdapter[Any] | None,
) -> OutputSpec:
    described, extra_schema = split_override(name, override, frozenset())
    title, description = pop_title(schema, hint)
    schema.update(extra_schema)
    model = OutputDescription.model_validate(
        {
            "title": title or default_title(name),
            **({"description": description} if description else {}),
            **described,
            "schema": schema,
        }
    )
    return OutputSpec(
        name=name, description=model, adapter=adapter, reference=is_reference_type(hint)
    )
