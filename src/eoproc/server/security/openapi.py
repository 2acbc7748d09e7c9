"""The security of the API in its OpenAPI document: schemes, requirements, 401 and 429."""

from __future__ import annotations

import copy
from typing import Any

from ..problems import PROBLEM_JSON
from .config import SecurityConfig

_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ApiError"}}}
_PUBLIC = {"getLandingPage", "getConformanceClasses"}


def add_security(document: dict[str, Any], config: SecurityConfig) -> dict[str, Any]:
    """A copy of ``document`` declaring how to authenticate and the 401/429 answers."""
    document = copy.deepcopy(document)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            executes = operation.get("operationId") == "execute" or "x-ogc-process" in operation
            if executes and config.limits.max_active_jobs:
                operation["responses"].setdefault(
                    "429",
                    {
                        "description": "Too many queued or running jobs; see Retry-After",
                        "content": _PROBLEM,
                    },
                )
            if config.authenticated:
                operation["responses"].setdefault(
                    "401", {"description": "Missing or invalid credentials", "content": _PROBLEM}
                )
                if config.public_docs and operation.get("operationId") in _PUBLIC:
                    operation["security"] = [{}, *_requirements(config)]
    if not config.authenticated:
        return document
    schemes: dict[str, Any] = {}
    if config.api_keys:
        schemes["apiKey"] = {"type": "apiKey", "in": "header", "name": config.api_key_header}
    if config.oidc is not None:
        schemes["bearer"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    document.setdefault("components", {})["securitySchemes"] = schemes
    document["security"] = _requirements(config)
    return document


def _requirements(config: SecurityConfig) -> list[dict[str, list[str]]]:
    names = (["apiKey"] if config.api_keys else []) + (["bearer"] if config.oidc else [])
    return [{name: []} for name in names]
