"""Python type annotations from the JSON schemas of process inputs and outputs.

Used by :mod:`.codegen`; annotations are strings written into the generated
module (with ``from __future__ import annotations``), built only from ``Any``,
``Literal`` and builtins, so that the module type-checks under ``mypy --strict``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from typing import Any

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_JSON_LITERAL = (str, int, float, bool, type(None))


def annotation(schema: Any) -> str:
    """The annotation for values of ``schema`` (``Any`` where it says nothing usable)."""
    if not isinstance(schema, Mapping):
        return "Any"
    nullable = bool(schema.get("nullable"))
    text = _annotation(schema)
    if nullable and text != "Any" and not text.endswith("| None"):
        text = f"{text} | None"
    return text


def _annotation(schema: Mapping[str, Any]) -> str:
    enum = schema.get("enum")
    if "const" in schema:
        enum = [schema["const"]]
    if isinstance(enum, list) and enum and all(_literal_ok(v) for v in enum):
        values = [v for v in enum if v is not None]
        text = f"Literal[{', '.join(_literal(v) for v in values)}]" if values else "None"
        return f"{text} | None" if None in enum and values else text
    for key in ("anyOf", "oneOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            return union([annotation(b) for b in branches])
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return annotation(schema["allOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        return union([_annotation({**schema, "type": k}) for k in kind])
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "null":
        return "None"
    if kind == "array":
        items = schema.get("items")
        if isinstance(items, list):  # a tuple (draft 4 style)
            return f"list[{union([annotation(i) for i in items]) if items else 'Any'}]"
        return f"list[{annotation(items)}]"
    if kind == "object" or "properties" in schema:
        return "dict[str, Any]"
    return "Any"


def union(parts: list[str]) -> str:
    """``A | B`` of distinct parts, ``Any`` if any part is ``Any``, ``None`` last."""
    seen: list[str] = []
    for part in parts:
        for piece in _top_level(part):
            if piece not in seen:
                seen.append(piece)
    if "Any" in seen or not seen:
        return "Any"
    if "None" in seen:
        seen = [p for p in seen if p != "None"] + ["None"]
    return " | ".join(seen)


def _top_level(text: str) -> list[str]:
    """The members of a union annotation, split outside brackets."""
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and text.startswith(" | ", index):
            pieces.append(text[start:index])
            start = index + 3
    pieces.append(text[start:])
    return pieces


def default_literal(schema: Any) -> str | None:
    """The Python literal of the schema's scalar ``default`` (None: no usable default)."""
    if not isinstance(schema, Mapping) or "default" not in schema:
        return None
    value = schema["default"]
    if isinstance(value, _JSON_LITERAL) and not (isinstance(value, float) and value != value):
        return _literal(value)
    return None


def identifier(name: str, taken: set[str]) -> str:
    """A Python identifier for ``name`` (snake case, no keyword), unique in ``taken``."""
    text = re.sub(r"\W+", "_", name).strip("_") or "value"
    if text[0].isdigit():
        text = f"p_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in taken:
        text = f"{text}_"
    while text in taken:
        text = f"{text}_"
    taken.add(text)
    return text


def class_name(name: str) -> str:
    """``CamelCase`` of an identifier (``primes_between`` -> ``PrimesBetween``)."""
    parts = re.split(r"[^0-9A-Za-z]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return f"P{text}" if not text or text[0].isdigit() else text


def docstring(text: str, indent: str) -> str:
    """``text`` as a triple-quoted docstring indented by ``indent``."""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    lines = [line.rstrip() for line in body.splitlines()]
    if len(lines) <= 1:
        return f'{indent}"""{body}"""'
    inner = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}\n{inner}\n{indent}"""'


def _literal_ok(value: Any) -> bool:
    return isinstance(value, str | int | bool | type(None)) and not isinstance(value, float)


def _literal(value: Any) -> str:
    return repr(value)
