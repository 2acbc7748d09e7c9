"""From a function's signature to the specs of its inputs and outputs.

Each parameter becomes an :class:`InputSpec` (a pydantic ``TypeAdapter`` for the
real Python type, the OGC input description, and the schema keywords given as
overrides, which are enforced too); the return annotation becomes one or more
:class:`OutputSpec` (see :mod:`.outputs`).

An input's title and description come from ``inputs=``, else from
``Field(title=..., description=...)``, else from the docstring's ``Args:``
section (description only), else the title is made from the name.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from pydantic import TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from eoproc.models import InputDescription

from .docstrings import docstring_arguments
from .hints import (
    default_title,
    is_context,
    is_list,
    is_split_type,
    pop_title,
    split_override,
)
from .outputs import RETURN_VALUE, OutputSpec, has_data_members, output_specs
from .schema import to_openapi_schema

__all__ = ["RETURN_VALUE", "InputSpec", "OutputSpec", "Signature", "inspect_function"]

_NO_DEFAULT: Any = inspect.Parameter.empty


@dataclass
class InputSpec:
    """One input of a process."""

    name: str
    adapter: TypeAdapter[Any]
    description: InputDescription
    default: Any = _NO_DEFAULT
    multiple: bool = False
    """``maxOccurs > 1``: the value is a list, and a single value counts as a list of one."""
    max_occurs: int | None = None
    object_schema: bool = False
    """The (item) schema is an object: ``{"value": ...}`` alone is not a qualified value."""
    enforced: dict[str, Any] = field(default_factory=dict)
    """Schema keywords given in ``inputs=``, checked with jsonschema on the JSON (item) value."""
    validator: Draft4Validator | None = None
    """The validator of :attr:`enforced` (``None`` when there is nothing to enforce)."""

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT


@dataclass
class Signature:
    """Everything derived from one function and its overrides."""

    inputs: dict[str, InputSpec]
    outputs: dict[str, OutputSpec]
    context_param: str | None
    split_outputs: bool
    """The function returns a mapping or model whose members are the outputs."""
    return_adapter: TypeAdapter[Any] | None = None
    """The adapter of the return type (for split outputs: the TypedDict or model)."""


def inspect_function(
    function: Callable[..., Any],
    input_overrides: Mapping[str, Mapping[str, Any]] | None,
    output_overrides: Mapping[str, Mapping[str, Any]] | None,
) -> Signature:
    """Derive the inputs and outputs of ``function`` (see the module docstring)."""
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except NameError as error:
        raise TypeError(
            f"cannot resolve the type hints of {function.__qualname__}: {error}"
        ) from None
    input_overrides = dict(input_overrides or {})
    inputs: dict[str, InputSpec] = {}
    context_param: str | None = None
    documented = docstring_arguments(function)
    for name, param in inspect.signature(function).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            raise TypeError(
                f"{function.__qualname__}: parameter {name!r} must be a keyword argument"
            )
        hint = hints.get(name, Any)
        if is_context(hint):
            context_param = name
            continue
        override = input_overrides.pop(name, {})
        inputs[name] = _input_spec(name, hint, param.default, override, documented.get(name))
    if input_overrides:
        raise TypeError(
            f"{function.__qualname__}: inputs= names unknown parameters {sorted(input_overrides)}"
        )
    return_hint = hints.get("return", Any)
    outputs, split = output_specs(function, return_hint, output_overrides)
    typed = split and is_split_type(return_hint) and not has_data_members(return_hint)
    adapter = TypeAdapter(return_hint) if typed else None
    return Signature(inputs, outputs, context_param, split, adapter)


def _input_spec(
    name: str, hint: Any, default: Any, override: Mapping[str, Any], documented: str | None
) -> InputSpec:
    if isinstance(default, FieldInfo):
        field_info = default
        default = field_info.get_default(call_default_factory=True)
        if default is PydanticUndefined:
            default = _NO_DEFAULT
        hint = Annotated[hint, field_info]
    described, enforced = split_override(name, override, frozenset({"maxOccurs"}))
    validator = _validator(name, enforced) if enforced else None
    max_occurs = described.pop("maxOccurs", None)
    if (
        max_occurs is not None
        and max_occurs != "unbounded"
        and not (isinstance(max_occurs, int) and max_occurs >= 1)
    ):
        raise TypeError(f"input {name!r}: maxOccurs must be a positive integer or 'unbounded'")
    multiple = is_list(hint) if max_occurs is None else max_occurs != 1
    if multiple and not is_list(hint):
        raise TypeError(f"input {name!r}: maxOccurs > 1 needs a list type hint, not {hint!r}")
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    schema = to_openapi_schema(adapter.json_schema(mode="validation"))
    title, description = pop_title(schema, hint)
    description = description or documented
    occurs: dict[str, Any] = {}
    if multiple:
        min_items, max_items = schema.get("minItems"), schema.get("maxItems")
        nullable = schema.get("nullable")
        schema = dict(schema.get("items") or {})
        if nullable:
            schema["nullable"] = True
        limit = max_occurs if isinstance(max_occurs, int) else max_items
        occurs["maxOccurs"] = limit if isinstance(limit, int) else "unbounded"
        if isinstance(min_items, int) and min_items > 1 and default is _NO_DEFAULT:
            occurs["minOccurs"] = min_items
    elif default is not _NO_DEFAULT:
        schema["default"] = _jsonable(adapter, default)
    if default is not _NO_DEFAULT:
        occurs["minOccurs"] = 0
    schema.update(enforced)
    description_model = InputDescription.model_validate(
        {
            "title": title or default_title(name),
            **({"description": description} if description else {}),
            **described,
            **occurs,
            "schema": schema,
        }
    )
    return InputSpec(
        name=name,
        adapter=adapter,
        description=description_model,
        default=default,
        multiple=multiple,
        max_occurs=max_occurs if isinstance(max_occurs, int) else None,
        object_schema=schema.get("type") == "object",
        enforced=enforced,
        validator=validator,
    )


def _validator(name: str, enforced: dict[str, Any]) -> Draft4Validator:
    """A jsonschema validator of the override keywords (OpenAPI 3.0 is Draft 4 here)."""
    try:
        Draft4Validator.check_schema(enforced)
    except SchemaError as error:
        raise TypeError(f"override of {name!r} is not a valid schema: {error.message}") from None
    return Draft4Validator(enforced, format_checker=FormatChecker())


def _jsonable(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.dump_python(value, mode="json", by_alias=True, warnings=False)
    except Exception:  # a default outside the type (e.g. None for `str`)
        return to_jsonable_python(value)
