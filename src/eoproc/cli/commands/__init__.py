"""The commands of the CLI, registered by :func:`eoproc.cli.new_cli`.

Each module is imported when one of its commands runs (see ``eoproc.cli.app.COMMANDS``).
"""

import importlib
from typing import Any

_MODULES = {
    "configure": "configure",
    "create_request": "processes",
    "deploy_process": "deploy",
    "dismiss_job": "jobs",
    "execute_process": "jobs",
    "generate_client": "codegen",
    "get_capabilities": "processes",
    "get_conformance": "processes",
    "get_job": "jobs",
    "get_job_results": "jobs",
    "get_process": "processes",
    "list_jobs": "jobs",
    "list_processes": "processes",
    "login": "login",
    "logout": "login",
    "replace_process": "deploy",
    "undeploy_process": "deploy",
    "validate_request": "processes",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
