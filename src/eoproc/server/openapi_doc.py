"""The server's OpenAPI 3.0 document (the standard's ``oas30`` class).

FastAPI writes OpenAPI 3.1 with JSON Schema 2020-12 constructs; this module
declares the bodies and error responses FastAPI cannot infer from the routes
(the query parameters are declared in :mod:`.params`), and rewrites the
generated document into valid OpenAPI 3.0.3.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from eoproc.models import ApiError, ExecuteRequest

from .problems import PROBLEM_JSON

OPENAPI_VERSION = "3.0.3"
_REF = "#/components/schemas/{model}"
_ERROR_TEXT = {
    400: "Invalid request (parameters, body or inputs)",
    404: "No such resource (process, job or results)",
    405: "Method not allowed",
    410: "The job was dismissed already",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The Idempotency-Key was used before with another request",
    500: "Internal error, or the failed job's error",
    503: "Service unavailable (queue full or shutting down); see Retry-After",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Problem-details responses for ``codes`` (500 is always included)."""
    problem = {PROBLEM_JSON: {"schema": {"$ref": _REF.format(model="ApiError")}}}
    return {code: {"description": _ERROR_TEXT[code], "content": problem} for code in (*codes, 500)}


EXECUTE_BODY: dict[str, Any] = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": _REF.format(model="ExecuteRequest")}}},
}


def _nullable(branches: list[Any]) -> dict[str, Any] | None:
    others = [b for b in branches if b != {"type": "null"}]
    if len(others) == len(branches) or not others:
        return None
    if len(others) == 1:
        only = others[0]
        if "$ref" in only:
            return {"allOf": [only], "nullable": True}
        return {**only, "nullable": True}
    return {"anyOf": others, "nullable": True}


def to_oas30(node: Any) -> Any:
    """Rewrite JSON Schema 2020-12 constructs into their OpenAPI 3.0 equivalents."""
    if isinstance(node, list):
        return [to_oas30(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: to_oas30(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            merged = _nullable(node[key])
            if merged is not None:
                rest = {k: v for k, v in node.items() if k != key}
                node = {**merged, **rest}
    if isinstance(node.get("type"), list):
        types = [t for t in node["type"] if t != "null"]
        if len(types) < len(node["type"]):
            node["nullable"] = True
        node["type"] = types[0] if len(types) == 1 else "string"
    if node.get("type") == "null":
        node.pop("type")
        node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, flag in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            node[flag] = value
            node[bound] = True
    if "examples" in node and isinstance(node["examples"], list):
        examples = node.pop("examples")
        if examples:
            node.setdefault("example", examples[0])
    for key in (
        "$schema",
        "$id",
        "contentMediaType",
        "contentEncoding",
        "prefixItems",
        "unevaluatedProperties",
        "$defs",
        "propertyNames",
        "dependentRequired",
    ):
        node.pop(key, None)
    if "$ref" in node and len(node) > 1:
        ref = node.pop("$ref")
        node = {"allOf": [{"$ref": ref}], **node}
    return node


def _paths_to_oas30(paths: dict[str, Any]) -> dict[str, Any]:
    """Rewrite the schemas inside paths (not the ``examples`` of media types)."""
    for operations in paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                if "schema" in parameter:
                    parameter["schema"] = to_oas30(parameter["schema"])
            bodies = [operation.get("requestBody", {})]
            bodies += list(operation.get("responses", {}).values())
            for body in bodies:
                for media in body.get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = to_oas30(media["schema"])
    return paths


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of ``app``."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=OPENAPI_VERSION,
        description=app.description,
        routes=app.routes,
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ApiError, ExecuteRequest):
        schema = model.model_json_schema(ref_template=_REF, mode="validation")
        for name, definition in schema.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components[model.__name__] = schema
    document["components"]["schemas"] = {
        name: to_oas30(schema) for name, schema in components.items()
    }
    document["paths"] = _paths_to_oas30(document.get("paths", {}))
    document.pop("webhooks", None)
    return document
