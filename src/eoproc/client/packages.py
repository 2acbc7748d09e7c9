"""Deploying processes (OGC API - Processes - Part 2): package bodies and operations.

A package is given as a path to a file (``app.cwl``, ``app.yaml``,
``package.json``), as CWL text, or as a mapping (a CWL document, or an OGC
Application Package with ``executionUnit``). With a process id the CWL is
wrapped in an OGC Application Package whose description names that id.

The operations (:class:`DeployOperations`) are sans-IO generators; the
:class:`~eoproc.client.core.ApiCore` inherits them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .commands import Call, Operation, RetryPolicy, send
from .responses import check, model_of

if TYPE_CHECKING:
    from eoproc.models import ProcessSummary

CWL_YAML = "application/cwl+yaml"
CWL_JSON = "application/cwl+json"
OGCAPPPKG = "application/ogcapppkg+json"

PackageSource = str | Path | Mapping[str, Any]
"""What ``deploy_process`` takes: a file, CWL text, or a document."""


def _read(package: PackageSource) -> tuple[Any, str, bytes]:
    """``(document or None, media type, body)`` of ``package``."""
    if isinstance(package, Mapping):
        document = dict(package)
        media = OGCAPPPKG if "executionUnit" in document else CWL_JSON
        return document, media, json.dumps(document).encode()
    if isinstance(package, Path) or (
        isinstance(package, str) and "\n" not in package and Path(package).is_file()
    ):
        path = Path(package)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValueError(f"cannot read the package {path}: {exc.strerror or exc}") from None
        if path.suffix.lower() == ".json":
            try:
                document = json.loads(data)
            except ValueError as exc:
                raise ValueError(f"the package {path} is not valid JSON: {exc}") from None
            media = (
                OGCAPPPKG
                if isinstance(document, dict) and "executionUnit" in document
                else CWL_JSON
            )
            return document, media, data
        return None, CWL_YAML, data
    if isinstance(package, str):
        return None, CWL_YAML, package.encode()
    raise TypeError(f"a package is a path, CWL text or a mapping, not {type(package).__name__}")


def package_body(package: PackageSource, process_id: str | None = None) -> tuple[bytes, str]:
    """The body and ``Content-Type`` that deploy ``package`` (as ``process_id`` if given)."""
    document, media, body = _read(package)
    if process_id is None:
        return body, media
    if document is None:
        import yaml

        try:
            document = yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise ValueError(f"the package is not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise ValueError("the package must be a CWL document (an object)")
    if media == OGCAPPPKG:
        wrapped = dict(document)
        described = dict((wrapped.get("processDescription") or {}).get("process") or {})
    else:
        wrapped = {"executionUnit": {"value": document, "mediaType": CWL_JSON}}
        version = document.get("s:softwareVersion") or document.get("version") or "0.0.0"
        described = {"version": str(version)}
    wrapped["processDescription"] = {"process": {**described, "id": process_id}}
    return json.dumps(wrapped).encode(), OGCAPPPKG


def _process_path(process_id: str, *more: str) -> str:
    return "/".join(quote(part, safe="") for part in ("processes", process_id, *more))


class DeployOperations:
    """The operations of OGC API - Processes - Part 2, as sans-IO generators."""

    retry: RetryPolicy

    def deploy_process(
        self, package: PackageSource, *, process_id: str | None = None, w: str | None = None
    ) -> Operation[ProcessSummary]:
        """Deploy an application package (OGC API - Processes - Part 2).

        ``package`` is a path to a CWL file (``app.cwl``) or to an OGC Application
        Package (``*.json`` with ``executionUnit``), CWL text, or a mapping of either.
        ``process_id`` deploys it under that id; ``w`` picks a process of a ``$graph``.
        Returns the summary of the new process.
        """
        from eoproc.models import ProcessSummary

        body, media = package_body(package, process_id)
        params = {"w": w} if w else None
        headers = {"Content-Type": media}
        call = Call("POST", "processes", params=params, content=body, headers=headers)
        return model_of((yield from send(call, self.retry)), ProcessSummary)

    def replace_process(
        self, process_id: str, package: PackageSource, *, w: str | None = None
    ) -> Operation[None]:
        """Replace a deployed process with another package (a new version)."""
        body, media = package_body(package)
        params = {"w": w} if w else None
        headers = {"Content-Type": media}
        call = Call("PUT", _process_path(process_id), params=params, content=body, headers=headers)
        check((yield from send(call, self.retry)))

    def undeploy_process(self, process_id: str) -> Operation[None]:
        """Undeploy a deployed process (refused while it has queued or running jobs)."""
        check((yield from send(Call("DELETE", _process_path(process_id)), self.retry)))

    def get_process_package(self, process_id: str) -> Operation[str]:
        """The application package a deployed process was deployed with."""
        call = Call("GET", _process_path(process_id, "package"))
        return check((yield from send(call, self.retry))).text
