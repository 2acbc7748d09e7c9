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


def add_html(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with ``text/html`` 200 answers on every page's ``GET`` operation."""
    document = copy.deepcopy(document)
    for path, operations in document.get("paths", {}).items():
        sample = path.replace("{processID}", "p").replace("{jobID}", "j")
        operation = operations.get("get")
        if operation is None or match_page(sample) is None:
            continue
        answer = operation.get("responses", {}).get("200")
        if answer is None:
            continue
        answer.setdefault("content", {})["text/html"] = HTML_CONTENT
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "f" for p in parameters):
            parameters.append(F_PARAMETER)
    return document
