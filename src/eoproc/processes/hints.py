"""Type-hint inspection and description helpers shared by inputs and outputs."""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Mapping
from pathlib import PurePath
from typing import Annotated, Any, NotRequired, Required, Union, get_args, get_origin

import typing_extensions
from pydantic import BaseModel

from eoproc.models import Link, OgcModel

from .context import JobContext
from .schema import OPENAPI_KEYWORDS

DESCRIPTION_KEYS = frozenset(
    {"title", "description", "keywords", "metadata", "additionalParameters"}
)
OVERRIDE_SCHEMA_KEYS = OPENAPI_KEYWORDS - {"title", "description", "default"}


def default_title(name: str) -> str:
    """``"max_val"`` -> ``"Max Val"``, as pydantic titles fields."""
    return name.title().replace("_", " ").strip()


def is_context(hint: Any) -> bool:
    """Whether a parameter of this type receives the job context (and is no input)."""
    hint = strip_optional(strip_annotated(hint))
    return isinstance(hint, type) and issubclass(hint, JobContext)


def strip_annotated(hint: Any) -> Any:
    """``Annotated[T, ...]`` -> ``T``."""
    while get_origin(hint) is Annotated:
        hint = get_args(hint)[0]
    return hint


def strip_optional(hint: Any) -> Any:
    """``T | None`` -> ``T`` (other unions are kept)."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return strip_annotated(args[0])
    return hint


def is_list(hint: Any) -> bool:
    """Whether the type is a list (or sequence): such an input may occur several times."""
    origin = get_origin(strip_optional(strip_annotated(hint)))
    return origin in (list, collections.abc.Sequence, collections.abc.MutableSequence)


def split_override(
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


def pop_title(schema: dict[str, Any], hint: Any) -> tuple[str | None, str | None]:
    """Move the top-level title and description off the schema (they go on the description).

    Those a class gives itself (pydantic's title and description of a model or an
    enum: its name and docstring) describe the type, not the input: they stay.
    """
    core = strip_optional(strip_annotated(hint))
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


def is_split_type(hint: Any) -> bool:
    """Whether a returned value of this type holds several outputs (TypedDict, own model)."""
    hint = strip_annotated(hint)
    if typing_extensions.is_typeddict(hint):
        return True
    return isinstance(hint, type) and issubclass(hint, BaseModel) and not issubclass(hint, OgcModel)


def is_reference_type(hint: Any) -> bool:
    """Whether values of this type are files or links, or lists of them (by reference)."""
    hint = strip_optional(strip_annotated(hint))
    if is_list(hint):
        return is_reference_type(get_args(hint)[0] if get_args(hint) else Any)
    return isinstance(hint, type) and issubclass(hint, (Link, PurePath))


def member_types(hint: Any) -> dict[str, Any]:
    """The member types of a TypedDict or model, by (alias) name."""
    hint = strip_annotated(hint)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return {(f.alias or n): f.annotation for n, f in hint.model_fields.items()}
    members = typing.get_type_hints(hint, include_extras=True)
    return {
        n: get_args(t)[0] if get_origin(t) in (Required, NotRequired) else t
        for n, t in members.items()
    }
