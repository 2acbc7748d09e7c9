"""From a CWL document to an OGC process description, and the check of a given one.

Only the CWL document as written is read (no cwltool here): inputs and outputs
in either CWL notation (a list of objects with ``id``, or a mapping), types
``string``, ``int``/``long``, ``float``/``double``, ``boolean``, ``File``,
``Directory``, ``Any``, enums, records, arrays (``T[]`` or
``{type: array, items: T}``) and optional types (``T?`` or ``[null, T]``).
``label`` becomes the title, ``doc`` the description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InvalidPackage

FILE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/octet-stream",
}
"""A ``File``: content given by reference (``{"href": ...}``) or by value."""
DIRECTORY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/zip",
}
"""A ``Directory``: a zip archive, by reference or by value (outputs: served as a zip)."""

_SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "int": {"type": "integer"},
    "long": {"type": "integer"},
    "float": {"type": "number"},
    "double": {"type": "number"},
    "boolean": {"type": "boolean"},
    "Any": {},
}
DEFAULT_JOB_CONTROL = ["async-execute", "sync-execute", "dismiss"]


def short_id(value: str) -> str:
    """``"#main/infile"`` or ``"file:///x.cwl#main/infile"`` → ``"infile"``."""
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def parameters(process: Mapping[str, Any], key: str) -> dict[str, dict[str, Any]]:
    """The ``inputs`` or ``outputs`` of a CWL process as ``{id: parameter}``."""
    raw = process.get(key) or {}
    found: dict[str, dict[str, Any]] = {}
    if isinstance(raw, Mapping):
        for name, value in raw.items():
            found[str(name)] = dict(value) if isinstance(value, Mapping) else {"type": value}
    elif isinstance(raw, list):
        for item in raw:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                raise InvalidPackage(f"every item of '{key}' must be an object with an 'id'")
            found[short_id(item["id"])] = dict(item)
    else:
        raise InvalidPackage(f"'{key}' must be a list or a mapping")
    return found


def kind(cwl_type: Any) -> str | None:
    """``"File"``, ``"Directory"`` for those types (also optional or arrays), else ``None``."""
    _, core = split_optional(cwl_type)
    if isinstance(core, str) and core.endswith("[]"):
        core = core[:-2]
    if isinstance(core, Mapping) and core.get("type") == "array":
        core = core.get("items")
    return core if core in ("File", "Directory") else None


def split_optional(cwl_type: Any) -> tuple[bool, Any]:
    """``("T?" | ["null", T])`` → ``(True, T)``; anything else ``(False, type)``."""
    if isinstance(cwl_type, str) and cwl_type.endswith("?"):
        return True, cwl_type[:-1]
    if isinstance(cwl_type, list):
        rest = [t for t in cwl_type if t != "null"]
        optional = len(rest) < len(cwl_type)
        return optional, rest[0] if len(rest) == 1 else rest
    return False, cwl_type


def schema_of(cwl_type: Any, where: str) -> dict[str, Any]:
    """The OpenAPI 3.0 schema of a CWL type (``where`` names it in errors)."""
    _, core = split_optional(cwl_type)
    if isinstance(core, list):
        return {"oneOf": [schema_of(t, where) for t in core]}
    if isinstance(core, str):
        if core.endswith("[]"):
            return {"type": "array", "items": schema_of(core[:-2], where)}
        if core == "File":
            return dict(FILE_SCHEMA)
        if core == "Directory":
            return dict(DIRECTORY_SCHEMA)
        if core in _SCALARS:
            return dict(_SCALARS[core])
        raise InvalidPackage(f"{where}: unsupported CWL type {core!r}")
    if isinstance(core, Mapping):
        type_name = core.get("type")
        if type_name == "array":
            return {"type": "array", "items": schema_of(core.get("items"), where)}
        if type_name == "enum":
            return {"type": "string", "enum": [short_id(str(s)) for s in core.get("symbols", [])]}
        if type_name == "record":
            return {"type": "object"}
    raise InvalidPackage(f"{where}: unsupported CWL type {core!r}")


def _texts(item: Mapping[str, Any]) -> dict[str, Any]:
    texts: dict[str, Any] = {}
    if isinstance(item.get("label"), str):
        texts["title"] = item["label"]
    doc = item.get("doc")
    if isinstance(doc, list):
        doc = "\n".join(str(line) for line in doc)
    if isinstance(doc, str):
        texts["description"] = doc.strip()
    return texts


def _input(name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    cwl_type = item.get("type")
    optional, _ = split_optional(cwl_type)
    schema = schema_of(cwl_type, f"input {name!r}")
    has_default = "default" in item and item["default"] is not None
    if has_default and kind(cwl_type) is None:
        schema["default"] = item["default"]
    return {
        "title": name,
        **_texts(item),
        "minOccurs": 0 if optional or has_default else 1,
        "maxOccurs": 1,
        "schema": schema,
    }


def _output(name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": name,
        **_texts(item),
        "schema": schema_of(item.get("type"), f"output {name!r}"),
    }


def describe_cwl(process: Mapping[str, Any], process_id: str) -> dict[str, Any]:
    """The process description (a ``process.yaml`` object, no links) of a CWL process."""
    inputs = {name: _input(name, item) for name, item in parameters(process, "inputs").items()}
    outputs = {name: _output(name, item) for name, item in parameters(process, "outputs").items()}
    version = process.get("s:softwareVersion") or process.get("version")
    description: dict[str, Any] = {
        "id": process_id,
        "version": str(version) if isinstance(version, str | int | float) else "0.0.0",
        **_texts(process),
        "jobControlOptions": list(DEFAULT_JOB_CONTROL),
        "outputTransmission": ["value", "reference"],
        "inputs": inputs,
        "outputs": outputs,
    }
    keywords = process.get("s:keywords")
    if isinstance(keywords, str):
        description["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
    return description


def merge_description(derived: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` (the package's ``processDescription.process``) checked against ``derived``.

    Titles, descriptions, keywords, metadata, version and job control options of
    ``given`` win; its inputs and outputs must be those of the CWL, with the same
    types. Raises :class:`InvalidPackage` listing every mismatch.
    """
    problems: list[str] = []
    merged = dict(derived)
    for key in ("title", "description", "keywords", "metadata", "version", "jobControlOptions"):
        if key in given:
            merged[key] = given[key]
    for key in ("inputs", "outputs"):
        if key not in given:
            continue
        theirs = given[key]
        if not isinstance(theirs, Mapping):
            problems.append(f"processDescription.process.{key} must be an object")
            continue
        ours: dict[str, Any] = derived[key]
        missing = [name for name in ours if name not in theirs]
        extra = [name for name in theirs if name not in ours]
        if missing:
            problems.append(f"{key} of the CWL missing in the description: {', '.join(missing)}")
        if extra:
            problems.append(f"{key} of the description not in the CWL: {', '.join(extra)}")
        combined: dict[str, Any] = {}
        for name, derived_item in ours.items():
            item = theirs.get(name)
            if not isinstance(item, Mapping):
                combined[name] = derived_item
                continue
            given_type = (item.get("schema") or {}).get("type")
            derived_type = derived_item["schema"].get("type")
            if given_type and derived_type and given_type != derived_type:
                problems.append(
                    f"{key[:-1]} {name!r}: the description says type {given_type!r}, "
                    f"the CWL {derived_type!r}"
                )
            combined[name] = {**derived_item, **item}
        merged[key] = combined
    if problems:
        raise InvalidPackage(
            "The process description does not match the CWL: " + "; ".join(problems) + ".",
            problems=problems,
        )
    return merged
