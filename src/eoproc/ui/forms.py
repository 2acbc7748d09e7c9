"""The fields of an execute form, built from a process description's input schemas.

Each input becomes a :class:`Field` tree that the ``process.html`` template
renders: numbers with their bounds, enums as selects, booleans, dates, fixed
tuples and bounding boxes, arrays with add/remove, nested objects as
fieldsets, and a JSON text area for whatever a form cannot express. The
browser checks the collected values against the same schemas (``validate.js``)
before the server checks them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BBOX_LABELS = ("West", "South", "East", "North")
_MAX_TUPLE = 6


@dataclass
class Field:
    """One form control (or group of controls) for a schema."""

    kind: str
    label: str
    key: str = ""
    description: str = ""
    required: bool = False
    default: Any = None
    attrs: dict[str, str] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    item: Field | None = None
    items: list[Field] = field(default_factory=list)

    @property
    def default_text(self) -> str:
        """The default as the text of a text control."""
        if self.default is None:
            return ""
        if self.kind == "json":
            return json.dumps(self.default, indent=2)
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)


def _schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    for key in ("allOf", "oneOf", "anyOf"):
        branches = [b for b in schema.get(key) or () if isinstance(b, dict)]
        if key == "allOf" or len(branches) == 1:
            for branch in branches:
                found = _schema_type(branch)
                if found:
                    return found
    return None


def _number_attrs(schema: dict[str, Any], integer: bool) -> dict[str, str]:
    attrs = {"step": "1" if integer else "any", "inputmode": "numeric" if integer else "decimal"}
    for bound in ("minimum", "maximum"):
        value = schema.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            whole = integer and float(value).is_integer()
            attrs[bound[:3]] = str(int(value)) if whole else str(value)
    return attrs


def build_field(
    schema: Any, label: str, key: str = "", *, required: bool = False, description: str = ""
) -> Field:
    """The field of one value of ``schema``."""
    schema = schema if isinstance(schema, dict) else {}
    default = schema.get("default")
    common = {"label": label, "key": key, "required": required, "default": default}
    common["description"] = description or str(schema.get("description") or "")
    kind = _schema_type(schema)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        options = [(json.dumps(v), "(none)" if v is None else str(v)) for v in enum]
        return Field("enum", options=options, **common)
    if kind == "boolean":
        nullable_default = default is None and not required
        return Field("tristate" if nullable_default else "boolean", **common)
    if kind in ("integer", "number"):
        return Field(kind, attrs=_number_attrs(schema, kind == "integer"), **common)
    if kind == "string":
        return _string_field(schema, common)
    if kind == "array":
        return _array_field(schema, common, label)
    if kind == "object":
        return _object_field(schema, common)
    return Field("json", **common)


def _string_field(schema: dict[str, Any], common: dict[str, Any]) -> Field:
    fmt = schema.get("format")
    if fmt == "date":
        return Field("date", attrs={"type": "date"}, **common)
    if fmt == "date-time":
        return Field("datetime", attrs={"type": "datetime-local", "step": "1"}, **common)
    if fmt == "byte" or schema.get("contentEncoding") == "base64":
        return Field("binary", **common)
    attrs = {"type": "url" if fmt in ("uri", "url") else "text"}
    for name, attr in (("minLength", "minlength"), ("maxLength", "maxlength")):
        if isinstance(schema.get(name), int):
            attrs[attr] = str(schema[name])
    return Field("string", attrs=attrs, **common)


def _array_field(schema: dict[str, Any], common: dict[str, Any], label: str) -> Field:
    raw_items = schema.get("items")
    items: dict[str, Any] = raw_items if isinstance(raw_items, dict) else {}
    low, high = schema.get("minItems"), schema.get("maxItems")
    item_type = _schema_type(items)
    numeric = item_type in ("number", "integer")
    if numeric and low == high and isinstance(low, int) and 2 <= low <= _MAX_TUPLE:
        names = BBOX_LABELS if low == 4 and "bbox" in label.lower() else None
        parts = [build_field(items, names[i] if names else f"{label} {i + 1}") for i in range(low)]
        kind = "bbox" if names else "tuple"
        return Field(kind, children=parts, **common)
    if not items or item_type is None:
        return Field("json", **common)
    item = build_field(items, f"{label} item")
    defaults = common["default"] if isinstance(common["default"], list) else []
    present = []
    for value in defaults:
        one = build_field({**items, "default": value}, f"{label} item")
        present.append(one)
    return Field("array", item=item, items=present, **common)


def _object_field(schema: dict[str, Any], common: dict[str, Any]) -> Field:
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return Field("json", **common)
    if schema.get("format") == "ogc-bbox" and "bbox" in properties:
        corners = [build_field({"type": "number"}, name) for name in BBOX_LABELS]
        crs = build_field({"type": "string"}, "CRS (optional)", "crs")
        return Field("ogc-bbox", children=[*corners, crs], **common)
    needed = set(schema.get("required") or ())
    defaults = common["default"] if isinstance(common["default"], dict) else {}
    children = []
    for name, sub in properties.items():
        sub = dict(sub) if isinstance(sub, dict) else {}
        if name in defaults:
            sub["default"] = defaults[name]
        title = str(sub.get("title") or name)
        children.append(build_field(sub, title, name, required=name in needed))
    return Field("object", children=children, **common)


def input_fields(inputs: dict[str, Any]) -> list[Field]:
    """The fields of a process's inputs (an input with ``maxOccurs`` > 1 is an array)."""
    found = []
    for name, spec in inputs.items():
        spec = spec if isinstance(spec, dict) else {}
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
        max_occurs = spec.get("maxOccurs", 1)
        if max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1):
            schema = {"type": "array", "items": schema}
            if isinstance(max_occurs, int):
                schema["maxItems"] = max_occurs
        required = int(spec.get("minOccurs", 1) or 0) > 0
        title = str(spec.get("title") or name)
        description = str(spec.get("description") or "")
        found.append(build_field(schema, title, name, required=required, description=description))
    return found


def input_schemas(inputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What the browser checks each input against: its schema and whether it is required."""
    found = {}
    for name, spec in inputs.items():
        spec = spec if isinstance(spec, dict) else {}
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
        max_occurs = spec.get("maxOccurs", 1)
        if max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1):
            schema = {"type": "array", "items": schema}
        found[name] = {"schema": schema, "required": int(spec.get("minOccurs", 1) or 0) > 0}
    return found
