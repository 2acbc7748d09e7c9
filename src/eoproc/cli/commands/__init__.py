"""The commands of the CLI, registered by :func:`eoproc.cli.new_cli`."""

from .configure import configure
from .jobs import dismiss_job, execute_process, get_job, get_job_results, list_jobs
from .processes import (
    create_request,
    get_capabilities,
    get_conformance,
    get_process,
    list_processes,
    validate_request,
)

__all__ = [
    "configure",
    "create_request",
    "dismiss_job",
    "execute_process",
    "get_capabilities",
    "get_conformance",
    "get_job",
    "get_job_results",
    "get_process",
    "list_jobs",
    "list_processes",
    "validate_request",
]
