"""Application packages as received: a CWL document, or an OGC Application Package.

:func:`read_body` turns a request body (by its media type) into the CWL
document and the given process description; :func:`check_self_contained`
refuses what would make the server read its own files or fetch more at load
time; :class:`AppPackage` is a deployed process as stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import InvalidPackage, UnsupportedPackageType, WorkflowNotFound

OGCAPPPKG = "application/ogcapppkg+json"
CWL_JSON = "application/cwl+json"
CWL_YAML = "application/cwl+yaml"
CWL = "application/cwl"
YAML_TYPES = frozenset({CWL, CWL_YAML, "application/yaml", "application/x-yaml", "text/yaml"})
JSON_TYPES = frozenset({CWL_JSON, "application/json"})
MEDIA_TYPES = (OGCAPPPKG, CWL_YAML, CWL_JSON, CWL)
"""The media types a deploy (or replace) body may have."""
PROCESS_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_REFERENCE_KEYS = ("$import", "$include", "$mixin")


def media_type_of(content_type: str | None) -> str:
    """The bare media type of a ``Content-Type`` header (lower case)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


@dataclass
class Received:
    """What a deploy body holds: the CWL document, the given description, the unit's link."""

    cwl: dict[str, Any] | None
    description: dict[str, Any] | None = None
    href: str | None = None
    """The execution unit is a link to fetch (then ``cwl`` is ``None``)."""


def parse_cwl_text(text: str | bytes, where: str = "the CWL document") -> dict[str, Any]:
    """A CWL document (YAML or JSON text) as a mapping; :class:`InvalidPackage` if it is not."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidPackage(f"{where} is not valid YAML or JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidPackage(f"{where} must be an object (a CWL process), not {_kind(document)}")
    return document


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__


def read_body(body: bytes, content_type: str | None) -> Received:
    """The content of a deploy or replace body; raises 415 or 400 problems."""
    media = media_type_of(content_type)
    if media in YAML_TYPES:
        return Received(parse_cwl_text(body))
    if media not in JSON_TYPES and media != OGCAPPPKG:
        raise UnsupportedPackageType(
            f"A process is deployed from {', '.join(MEDIA_TYPES)}, not {media or 'no media type'}."
        )
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidPackage(f"The body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidPackage(f"The body must be a JSON object, not {_kind(document)}.")
    if media == OGCAPPPKG or "executionUnit" in document:
        return _read_ogcapppkg(document)
    return Received(document)


def _read_ogcapppkg(document: dict[str, Any]) -> Received:
    """An OGC Application Package (``ogcapppkg.yaml``): execution unit and description."""
    description = None
    if "processDescription" in document:
        wrapper = document["processDescription"]
        process = wrapper.get("process") if isinstance(wrapper, dict) else None
        if not isinstance(process, dict):
            raise InvalidPackage("processDescription must be an object with a 'process' object.")
        description = process
    unit = document.get("executionUnit")
    if unit is None:
        raise InvalidPackage("An OGC Application Package needs an 'executionUnit'.")
    units = unit if isinstance(unit, list) else [unit]
    problems: list[str] = []
    for item in units:
        try:
            received = _read_unit(item)
        except InvalidPackage as exc:
            problems.append(exc.detail)
            continue
        received.description = description
        return received
    raise InvalidPackage(
        "No execution unit of the package is a CWL document: " + "; ".join(problems),
        problems=problems,
    )


def _read_unit(unit: Any) -> Received:
    if not isinstance(unit, dict):
        raise InvalidPackage(f"an execution unit must be an object, not {_kind(unit)}")
    if "cwlVersion" in unit or "$graph" in unit:
        return Received(unit)
    if "value" in unit:
        media = media_type_of(unit.get("mediaType")) or CWL_JSON
        if media not in YAML_TYPES | JSON_TYPES:
            raise InvalidPackage(f"an execution unit of media type {media} is not CWL")
        value = unit["value"]
        if isinstance(value, dict):
            return Received(value)
        if isinstance(value, str):
            return Received(parse_cwl_text(value, "the execution unit"))
        raise InvalidPackage("the value of a CWL execution unit must be an object or a string")
    if isinstance(unit.get("href"), str):
        media = media_type_of(unit.get("type")) or CWL
        if media not in YAML_TYPES | JSON_TYPES:
            raise InvalidPackage(f"an execution unit of type {media} is not CWL")
        return Received(None, href=unit["href"])
    if unit.get("type") in ("docker", "oci"):
        raise InvalidPackage(
            "execution units of type docker/oci are not supported: wrap the image in a CWL "
            "CommandLineTool with a DockerRequirement"
        )
    raise InvalidPackage("an execution unit must be CWL by value ('value') or by link ('href')")


def select_process(document: Mapping[str, Any], w: str | None) -> tuple[dict[str, Any], str | None]:
    """The process to deploy and its fragment id (``None``: the document is the process).

    A ``$graph`` holds several: ``w`` names one, else ``main``, else the first.
    """
    graph = document.get("$graph")
    if graph is None:
        own = document.get("id")
        if w is not None and (not isinstance(own, str) or own.lstrip("#") != w):
            raise WorkflowNotFound(f"The CWL document has no process {w!r}.")
        return dict(document), None
    if not isinstance(graph, list) or not graph:
        raise InvalidPackage("$graph must be a non-empty list of processes.")
    by_id = {
        str(item.get("id", "")).lstrip("#"): item
        for item in graph
        if isinstance(item, dict) and item.get("id")
    }
    if w is not None:
        if w not in by_id:
            raise WorkflowNotFound(
                f"The CWL document has no process {w!r} (it has: {', '.join(by_id) or 'none'})."
            )
        return dict(by_id[w]), w
    if "main" in by_id:
        return dict(by_id["main"]), "main"
    first = next(iter(by_id), None)
    if first is None:
        raise InvalidPackage("The processes of $graph need an 'id'.")
    return dict(by_id[first]), first


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every ``(path, key, value)`` of a JSON-like tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, str(key), value
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]")


def check_self_contained(document: Mapping[str, Any]) -> None:
    """Refuse references that would read the server's files or fetch documents at load time.

    No ``$import``/``$include``/``$mixin``, steps must be inline (or ``#id`` in a
    ``$graph``), and ``location``/``path`` of default files must be http(s) URLs.
    """
    problems: list[str] = []
    for path, key, value in _walk(document):
        where = f"{path}.{key}" if path else key
        if key in _REFERENCE_KEYS:
            problems.append(f"{where}: references to other documents are not allowed")
        elif key == "run" and isinstance(value, str) and not value.startswith("#"):
            problems.append(f"{where}: steps must be given inline (or as #id of a $graph)")
        elif (
            key in ("location", "path")
            and isinstance(value, str)
            and not re.match(r"^https?://", value, re.IGNORECASE)
        ):
            problems.append(f"{where}: only http(s) locations are allowed, not {value!r}")
    if problems:
        raise InvalidPackage(
            "The package refers to files or documents it does not contain: "
            + "; ".join(problems)
            + ".",
            problems=problems,
        )


def needs_container(document: Mapping[str, Any]) -> bool:
    """Whether a process of the document *requires* a container (``DockerRequirement``)."""
    for _, key, value in _walk(document):
        if key != "requirements":
            continue
        if isinstance(value, dict) and "DockerRequirement" in value:
            return True
        if isinstance(value, list) and any(
            isinstance(r, dict) and r.get("class") == "DockerRequirement" for r in value
        ):
            return True
    return False


def without_containers(node: Any) -> Any:
    """A copy of a CWL tree whose ``DockerRequirement`` requirements became hints."""
    if isinstance(node, list):
        return [without_containers(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: without_containers(value) for key, value in node.items()}
    requirements = copy.get("requirements")
    moved: list[Any] = []
    if isinstance(requirements, dict) and "DockerRequirement" in requirements:
        moved.append({"class": "DockerRequirement", **requirements.pop("DockerRequirement")})
    elif isinstance(requirements, list):
        moved = [
            r for r in requirements if isinstance(r, dict) and r.get("class") == "DockerRequirement"
        ]
        copy["requirements"] = [r for r in requirements if r not in moved]
    if moved:
        hints = copy.get("hints")
        if isinstance(hints, dict):
            for item in moved:
                hints[item["class"]] = {k: v for k, v in item.items() if k != "class"}
        else:
            copy["hints"] = [*(hints or []), *moved]
    return copy


def runnable(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as cwltool loads it: without ``$schemas`` (fetched from the internet)."""
    return {key: value for key, value in document.items() if key != "$schemas"}


@dataclass
class AppPackage:
    """A deployed process: its CWL, the process to run in it, description and original body."""

    process_id: str
    cwl: dict[str, Any]
    target: str | None
    description: dict[str, Any]
    body: str
    media_type: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps(
            {
                "id": self.process_id,
                "cwl": self.cwl,
                "target": self.target,
                "description": self.description,
                "body": self.body,
                "media_type": self.media_type,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> AppPackage:
        """Read the stored form."""
        data = json.loads(text)
        return cls(
            data["id"],
            data["cwl"],
            data.get("target"),
            data["description"],
            data.get("body", ""),
            data.get("media_type", CWL_JSON),
        )
