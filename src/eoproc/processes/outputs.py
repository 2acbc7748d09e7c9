"""The outputs of a process, from the return annotation and ``outputs=``.

A function returns one output, ``return_value`` (or the single name given in
``outputs=``), unless it returns a TypedDict or a pydantic model (other than the
standard's own models such as ``Link``), or ``outputs=`` names several outputs:
then each member is an output of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import TypeAdapter

from eoproc.models import OutputDescription

from .encoders import encoder_for_type
from .hints import (
    default_title,
    is_list,
    is_reference_type,
    is_split_type,
    member_types,
    pop_title,
    split_override,
    strip_annotated,
    strip_optional,
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
    data: bool = False
    """A data output: the value is encoded as a file (see :mod:`.encoders`)."""
    media_types: tuple[str, ...] = ()
    """The media types a data output offers, the default first (none: any, e.g. a Path)."""


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
    data = _data_spec(function, name, hint, override)
    if data is not None:
        return {name: data}, False
    adapter: TypeAdapter[Any] = TypeAdapter(hint)
    schema = to_openapi_schema(adapter.json_schema(mode="serialization"))
    spec = _output_spec(name, schema, hint, override, adapter)
    return {name: spec}, False


def _split_output_specs(
    function: Callable[..., Any], hint: Any, overrides: dict[str, Mapping[str, Any]]
) -> dict[str, OutputSpec]:
    if not is_split_type(hint):  # several outputs of a plain mapping: schemas from outputs=
        return {
            name: _data_spec(function, name, Any, o) or _output_spec(name, {}, Any, o, None)
            for name, o in overrides.items()
        }
    if has_data_members(hint):
        return _data_member_specs(function, hint, overrides)
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


def has_data_members(hint: Any) -> bool:
    """Whether a TypedDict or model has members that are encoded as files (data)."""
    return is_split_type(hint) and any(
        _encoder_of(member) is not None for member in member_types(hint).values()
    )


def _encoder_of(hint: Any) -> Any:
    """The encoder of a type hint; annotated ``bytes`` (e.g. ``Base64Binary``) stay JSON."""
    encoder = encoder_for_type(strip_optional(strip_annotated(hint)))
    if encoder is not None and encoder.kind == "bytes" and _annotated(hint):
        return None
    return encoder


def _annotated(hint: Any) -> bool:
    """Whether ``hint`` (or the type in ``T | None``) is ``Annotated[...]``."""
    if get_origin(hint) in (Union, UnionType):
        return any(_annotated(arg) for arg in get_args(hint) if arg is not type(None))
    return get_origin(hint) is Annotated


def _data_member_specs(
    function: Callable[..., Any], hint: Any, overrides: dict[str, Mapping[str, Any]]
) -> dict[str, OutputSpec]:
    specs: dict[str, OutputSpec] = {}
    for name, member in member_types(hint).items():
        override = overrides.get(name, {})
        data = _data_spec(function, name, member, override)
        if data is None:
            adapter: TypeAdapter[Any] = TypeAdapter(member)
            schema = to_openapi_schema(adapter.json_schema(mode="serialization"))
            data = _output_spec(name, schema, member, override, adapter)
        specs[name] = data
    return specs


def _data_spec(
    function: Callable[..., Any], name: str, hint: Any, override: Mapping[str, Any]
) -> OutputSpec | None:
    """The spec of a data output (a type with an encoder, or ``mediaType`` declared)."""
    override = dict(override)
    declared = override.pop("mediaType", None)
    if is_list(hint) and _encoder_of(get_args(strip_optional(strip_annotated(hint)))[0]):
        raise TypeError(
            f"{function.__qualname__}: output {name!r} is a list of files or data objects; "
            "return a directory (a Path) or one output per object"
        )
    encoder = _encoder_of(hint)
    if declared is None and encoder is None:
        return None
    media_types = (declared,) if isinstance(declared, str) else tuple(declared or ())
    if not media_types:
        media_types = () if encoder.any_media_type else encoder.media_types
    elif encoder is not None:
        wrong = [m for m in media_types if not encoder.offers(m)]
        if wrong:
            raise TypeError(
                f"{function.__qualname__}: output {name!r} ({encoder.kind}) cannot be "
                f"encoded as {', '.join(wrong)}"
            )
    alternatives = [_media_schema(media_type) for media_type in media_types]
    schema: dict[str, Any] = {}
    if alternatives:
        schema = alternatives[0] if len(alternatives) == 1 else {"oneOf": alternatives}
    spec = _output_spec(
        name, schema or {"type": "string", "contentEncoding": "binary"}, Any, override, None
    )
    spec.data = spec.reference = True
    spec.media_types = media_types
    return spec


def _media_schema(media_type: str) -> dict[str, Any]:
    if media_type == "application/json":
        return {"contentMediaType": media_type}
    return {"type": "string", "contentEncoding": "binary", "contentMediaType": media_type}


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
