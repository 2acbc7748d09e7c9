"""From a function's signature to the specs of its inputs and outputs.

Each parameter becomes an :class:`InputSpec` (a pydantic ``TypeAdapter`` for the
real Python type, the OGC input description, and the schema keywords given as
overrides, which are enforced too); the return annotation becomes one or more
:class:`OutputSpec`.

An input's title and description come from ``inputs=``, else from
``Field(title=..., description=...)``, else from the docstring's ``Args:``
section (description only), else the title is made from the name.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Annotated, Any, NotRequired, Required, Union, get_args, get_origin

import typing_extensions
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from eoproc.models import InputDescription, Link, OgcModel, OutputDescription

from .context import JobContext
from .docstrings import docstring_arguments
from .schema import OPENAPI_KEYWORDS, to_openapi_schema

RETURN_VALUE = "return_value"
"""The name of the single output of a function that returns one value."""

DESCRIPTION_KEYS = frozenset(
    {"title", "description", "keywords", "metadata", "additionalParameters"}
)
OVERRIDE_SCHEMA_KEYS = OPENAPI_KEYWORDS - {"title", "description", "default"}
_NO_DEFAULT: Any = inspect.Parameter.empty


def default_title(name: str) -> str:
    """``"max_val"`` -> ``"Max Val"``, as pydantic titles fields."""
    return name.title().replace("_", " ").strip()


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
class OutputSpec:
    """One output of a process."""

    name: str
    description: OutputDescription
    adapter: TypeAdapter[Any] | None
    reference: bool = False
    """A file or link: the output may be transmitted by reference."""


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
        if _is_context(hint):
            context_param = name
            continue
        override = input_overrides.pop(name, {})
        inputs[name] = _input_spec(name, hint, param.default, override, documented.get(name))
    if input_overrides:
        raise TypeError(
            f"{function.__qualname__}: inputs= names unknown parameters {sorted(input_overrides)}"
        )
    return_hint = hints.get("return", Any)
    outputs, split = _output_specs(function, return_hint, output_overrides)
    adapter = TypeAdapter(return_hint) if split and _is_split_type(return_hint) else None
    return Signature(inputs, outputs, context_param, split, adapter)


def _is_context(hint: Any) -> bool:
    hint = _strip_optional(_strip_annotated(hint))
    return isinstance(hint, type) and issubclass(hint, JobContext)


def _strip_annotated(hint: Any) -> Any:
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    return hint


def _strip_optional(hint: Any) -> Any:
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return _strip_annotated(args[0])
    return hint


def _is_list(hint: Any) -> bool:
    origin = get_origin(_strip_optional(_strip_annotated(hint)))
    return origin in (list, collections.abc.Sequence, collections.abc.MutableSequence)


def _split_override(
    name: str, override: Mapping[str, Any], extra: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split an override into description members and schema keywords."""
    described: dict[str, Any] = {}
    schema: dict[str, Any] = dict(override.get("schema") or {})
    for key, value in override.items():
        if key in DESCRIPTION_KEYS or key in extra:
            described[key] = value
        elif key in OVERRIDE_SCHEMA_KEYS:
            schema[key] = value
        elif key != "schema":
            hint = " (give defaults in the signature)" if key == "default" else ""
            raise TypeError(f"override of {name!r}: unknown or unsupported key {key!r}{hint}")
    if "default" in schema:
        raise TypeError(f"override of {name!r}: give defaults in the signature, not in the schema")
    return described, schema


def _input_spec(
    name: str, hint: Any, default: Any, override: Mapping[str, Any], documented: str | None
) -> InputSpec:
    if isinstance(default, FieldInfo):
        field_info = default
        default = field_info.get_default(call_default_factory=True)
        if default is PydanticUndefined:
            default = _NO_DEFAULT
        hint = Annotated[hint, field_info]
    described, enforced = _split_override(name, override, frozenset({"maxOccurs"}))
    validator = _validator(name, enforced) if enforced else None
    max_occurs = described.pop("maxOccurs", None)
    if (
        max_occurs is not None
        and max_occurs != "unbounded"
        and not (isinstance(max_occurs, int) and max_occurs >= 1)
    ):
        raise TypeError(f"input {name!r}: maxOccurs must be a positive integer or 'unbounded'")
    multiple = _is_list(hint) if max_occurs is None else max_occurs != 1
    if multiple and not _is_list(hint):
        raise TypeError(f"input {name!r}: maxOccurs > 1 needs a list type hint, not {hint!r}")
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    schema = to_openapi_schema(adapter.json_schema(mode="validation"))
    title, description = _pop_title(schema, hint)
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


def _pop_title(schema: dict[str, Any], hint: Any) -> tuple[str | None, str | None]:
    """Move the top-level title and description off the schema (they go on the description).

    Those a class gives itself (pydantic's title and description of a model or an
    enum: its name and docstring) describe the type, not the input: they stay.
    """
    core = _strip_optional(_strip_annotated(hint))
    own_title = core.__name__ if isinstance(core, type) else None
    own_description = inspect.cleandoc(core.__doc__ or "") if isinstance(core, type) else None
    title = schema.get("title")
    description = schema.get("description")
    if title is not None and title != own_title:
        del schema["title"]
    else:
        title = None
    if description is not None and description != own_description:
        del schema["description"]
    else:
        description = None
    return title, description


def _jsonable(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.dump_python(value, mode="json", by_alias=True, warnings=False)
    except Exception:  # a default outside the type (e.g. None for `str`)
        return to_jsonable_python(value)


def _is_split_type(hint: Any) -> bool:
    hint = _strip_annotated(hint)
    if typing_extensions.is_typeddict(hint):
        return True
    return isinstance(hint, type) and issubclass(hint, BaseModel) and not issubclass(hint, OgcModel)


def is_reference_type(hint: Any) -> bool:
    """Whether values of this type are files or links, or lists of them (by reference)."""
    hint = _strip_optional(_strip_annotated(hint))
    if _is_list(hint):
        return is_reference_type(get_args(hint)[0] if get_args(hint) else Any)
    return isinstance(hint, type) and issubclass(hint, (Link, PurePath))


def _member_types(hint: Any) -> dict[str, Any]:
    """The member types of a TypedDict or model, by (alias) name."""
    hint = _strip_annotated(hint)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return {(f.alias or n): f.annotation for n, f in hint.model_fields.items()}
    members = typing.get_type_hints(hint, include_extras=True)
    return {
        n: get_args(t)[0] if get_origin(t) in (Required, NotRequired) else t
        for n, t in members.items()
    }


def _output_specs(
    function: Callable[..., Any], hint: Any, overrides: Mapping[str, Mapping[str, Any]] | None
) -> tuple[dict[str, OutputSpec], bool]:
    if hint is None or hint is type(None):
        if overrides:
            raise TypeError(
                f"{function.__qualname__}: outputs= given but the function returns None"
            )
        return {}, False
    overrides = dict(overrides or {})
    if len(overrides) > 1 or (not overrides and _is_split_type(hint)):
        return _split_output_specs(function, hint, overrides), True
    name, override = next(iter(overrides.items())) if overrides else (RETURN_VALUE, {})
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    schema = to_openapi_schema(adapter.json_schema(mode="serialization"))
    spec = _output_spec(name, schema, hint, override, adapter)
    return {name: spec}, False


def _split_output_specs(
    function: Callable[..., Any], hint: Any, overrides: dict[str, Mapping[str, Any]]
) -> dict[str, OutputSpec]:
    if not _is_split_type(hint):  # several outputs of a plain mapping: schemas from outputs=
        return {name: _output_spec(name, {}, Any, o, None) for name, o in overrides.items()}
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    properties = to_openapi_schema(adapter.json_schema(mode="serialization")).get("properties", {})
    unknown = set(overrides) - set(properties)
    if unknown:
        raise TypeError(
            f"{function.__qualname__}: outputs= names unknown members {sorted(unknown)}"
        )
    member_types = _member_types(hint)
    return {
        name: _output_spec(
            name, dict(schema), member_types.get(name, Any), overrides.get(name, {}), None
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
    described, extra_schema = _split_override(name, override, frozenset())
    title, description = _pop_title(schema, hint)
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
