"""The problems of Part 2 (deploy, replace, undeploy), as problem details.

The ``type`` URIs are those OGC API - Processes - Part 2 defines where it
defines one (duplicated process, immutable process, unsupported media type,
workflow not found); the others are eoproc's.
"""

from __future__ import annotations

from collections.abc import Sequence

from eoproc.server.service import ServiceError

OGC_EXCEPTIONS_2 = "http://www.opengis.net/def/exceptions/ogcapi-processes-2/1.0"


class InvalidPackage(ServiceError):
    """The application package cannot be deployed (malformed, invalid CWL, refused)."""

    status = 400
    type = "https://eoproc.dev/problems/invalid-package"
    title = "Invalid application package"

    def __init__(self, detail: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(detail, extra={"problems": list(problems)} if problems else None)


class WorkflowNotFound(InvalidPackage):
    """The ``w`` parameter names no process of the CWL document."""

    type = f"{OGC_EXCEPTIONS_2}/workflow-not-found"
    title = "Workflow not found"


class DuplicateProcess(ServiceError):
    status = 409
    type = f"{OGC_EXCEPTIONS_2}/duplicated-process"
    title = "Duplicated process"


class ImmutableProcess(ServiceError):
    status = 403
    type = f"{OGC_EXCEPTIONS_2}/immutable-process"
    title = "Immutable process"


class UnsupportedPackageType(ServiceError):
    status = 415
    type = f"{OGC_EXCEPTIONS_2}/unsupported-media-type"
    title = "Unsupported media type"


class PackageTooLarge(ServiceError):
    status = 413
    type = "https://eoproc.dev/problems/package-too-large"
    title = "Application package too large"


class DeployForbidden(ServiceError):
    """The user lacks the role that deploying, replacing and undeploying need."""

    status = 403
    type = "https://eoproc.dev/problems/forbidden"
    title = "Forbidden"


class ProcessBusy(ServiceError):
    """A process with queued or running jobs cannot be undeployed."""

    status = 409
    type = "https://eoproc.dev/problems/process-busy"
    title = "Process has active jobs"
