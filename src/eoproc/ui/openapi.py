"""The HTML pages in the OpenAPI document: ``text/html`` answers and the ``f`` parameter."""

from __future__ import annotations

import copy
from typing import Any

from .middleware import match_page

F_PARAMETER: dict[str, Any] = {
    "name": "f",
    "in": "query",
    "required": False,
    "description": "The representation: `json` or `html` (overrides `Accept`; "
    "without either, JSON).",
    "schema": {"type": "string", "enum": ["json", "html"]},
}
HTML_CONTENT: dict[str, Any] = {"schema": {"type": "string"}}
BAD_FORMAT: dict[str, Any] = {
    "description": "Invalid parameter (e.g. an unknown `f`)",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
}


def add_html(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with ``text/html`` answers on every operation that has a page.

    The ``GET`` resources (200 and errors, and the ``f`` parameter), executing
    (200 and 201: the results, or the job's page) and dismissing (200).
    """
    document = copy.deepcopy(document)
    for path, operations in document.get("paths", {}).items():
        sample = path.replace("{processID}", "p").replace("{jobID}", "j")
        for method, operation in operations.items():
            if not isinstance(operation, dict) or match_page(sample, method.upper()) is None:
                continue
            responses = operation.get("responses", {})
            for code in ("200", "201"):
                if code in responses:
                    responses[code].setdefault("content", {})["text/html"] = HTML_CONTENT
            if method != "get" or "200" not in responses:
                continue
            responses.setdefault("400", copy.deepcopy(BAD_FORMAT))  # an unknown ``f``
            for code, answer in responses.items():  # errors are pages too, for browsers
                if code != "200" and answer.get("content"):
                    answer["content"]["text/html"] = HTML_CONTENT
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == "f" for p in parameters):
                parameters.append(F_PARAMETER)
    return document
