"""JSON Schema (as pydantic writes it) to the standard's OpenAPI-3.0 flavour.

Pydantic produces JSON Schema 2020-12; ``schema.yaml`` of OGC API - Processes 1.0
is the OpenAPI 3.0 schema object, which knows neither ``$defs`` nor ``null`` types,
and closes the set of keywords (``additionalProperties: false``). This module
rewrites one into the other:

- local ``$ref``s to ``$defs`` are inlined (a recursive reference becomes
  ``{"type": "object"}``, the most one can say without ``$ref``);
- ``anyOf``/``oneOf`` with a ``{"type": "null"}`` branch and ``type`` lists with
  ``"null"`` become ``nullable: true``;
- numeric ``exclusiveMinimum``/``exclusiveMaximum`` become ``minimum``/``maximum``
  with the boolean flag;
- a nullable ``enum`` lists ``null`` too (as OpenAPI 3.0.3 asks);
- ``prefixItems`` (tuples) become ``items`` (the common schema, or an ``anyOf``
  of the distinct ones) with ``minItems``/``maxItems``;
- ``const`` becomes a one-value ``enum``; ``examples`` the single ``example``;
  ``format: base64`` the OpenAPI ``format: byte``;
- every other keyword the standard lacks is dropped.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

OPENAPI_KEYWORDS = frozenset(
    {
        "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "maxProperties", "minProperties", "required", "enum", "type", "not", "allOf",
        "oneOf", "anyOf", "items", "properties", "additionalProperties", "description",
        "format", "default", "nullable", "readOnly", "writeOnly", "example", "deprecated",
        "contentMediaType", "contentEncoding", "contentSchema",
    }
)  # fmt: skip
"""The keywords of ``schema.yaml`` (besides ``$ref``)."""

_SUBSCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
_NULL = {"type": "null"}


def to_openapi_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a JSON schema made by pydantic into the standard's schema object."""
    defs = dict(schema.get("$defs") or {})
    return _convert(dict(schema), defs, ())


def _convert(
    node: dict[str, Any], defs: dict[str, Any], expanding: tuple[str, ...]
) -> dict[str, Any]:
    node = {k: v for k, v in node.items() if k != "$defs"}
    ref = node.pop("$ref", None)
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if ref.startswith("#/$defs/") and name in defs:
            if name in expanding:
                target: dict[str, Any] = {"type": "object"}
            else:
                target = _convert(copy.deepcopy(defs[name]), defs, (*expanding, name))
            target.update(_convert(node, defs, expanding))  # siblings (default, title) win
            return target
        node["$ref"] = ref  # an external reference is kept as is
        return node

    result: dict[str, Any] = {}
    nullable = False

    node_type = node.get("type")
    if isinstance(node_type, list):
        types = [t for t in node_type if t != "null"]
        nullable = len(types) < len(node_type)
        if len(types) == 1:
            node["type"] = types[0]
        else:
            del node["type"]
            if types:
                node["anyOf"] = [{"type": t} for t in types]
    elif node_type == "null":
        del node["type"]
        nullable = True

    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list) and _NULL in branches:
            nullable = True
            rest = [b for b in branches if b != _NULL]
            del node[key]
            if len(rest) == 1:
                merged = _convert(dict(rest[0]), defs, expanding)
                merged.update({k: v for k, v in node.items() if k != key})
                node = merged
            elif rest:
                node[key] = rest

    for key, value in node.items():
        if key in _SUBSCHEMA_LISTS and isinstance(value, list):
            result[key] = [_convert(dict(v), defs, expanding) for v in value]
        elif key in ("not", "items", "additionalProperties") and isinstance(value, Mapping):
            result[key] = _convert(dict(value), defs, expanding)
        elif key == "items" and isinstance(value, bool):
            continue  # 2020-12 ``items: false`` after prefixItems: the max is in maxItems
        elif key == "properties" and isinstance(value, Mapping):
            result[key] = {
                name: _convert(dict(sub), defs, expanding) for name, sub in value.items()
            }
        elif key == "prefixItems" and isinstance(value, list):
            continue  # below, once ``items`` is known
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            result["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            result[key] = True
        elif key == "const":
            result["enum"] = [value]
        elif key == "examples" and isinstance(value, list) and value:
            result["example"] = value[0]
        elif key == "format" and value == "base64":
            result["format"] = "byte"
            result.setdefault("contentEncoding", "base64")
        elif key in OPENAPI_KEYWORDS or key == "$ref":
            result.setdefault(key, value)

    prefix_items = node.get("prefixItems")
    if isinstance(prefix_items, list) and prefix_items:
        _convert_prefix_items(result, [_convert(dict(v), defs, expanding) for v in prefix_items])
    if nullable:
        result["nullable"] = True
        if isinstance(result.get("enum"), list) and None not in result["enum"]:
            result["enum"] = [*result["enum"], None]  # OpenAPI 3.0.3: enum must list null too
    if result.get("type") == "array" and "items" not in result:
        result["items"] = {}
    return result


def _convert_prefix_items(result: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """A tuple as an OpenAPI 3.0 array: one ``items`` schema and the length limits."""
    open_ended = "items" in result  # ``tuple[int, *tuple[str, ...]]``: more items may follow
    distinct: list[dict[str, Any]] = []
    for item in [*items, result["items"]] if open_ended else items:
        if item not in distinct:
            distinct.append(item)
    result["items"] = distinct[0] if len(distinct) == 1 else {"anyOf": distinct}
    result.setdefault("minItems", len(items))
    if not open_ended:
        result.setdefault("maxItems", len(items))
