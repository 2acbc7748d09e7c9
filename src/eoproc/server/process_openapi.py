"""One OpenAPI operation per published process, beside the generic execute operation.

``POST /processes/{that id}/execution`` (as pygeoapi publishes them) gets the
process's own inputs as its request body schema and its outputs as the schema
of its results, so that tools, generated clients and fuzzers know what each
process accepts. The document is rebuilt whenever :func:`processes_revision`
changes: a service may say so itself (:class:`HasProcessesRevision`, e.g. after
a deployment); otherwise the ids and versions of its processes are compared.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

from eoproc.models import InputDescription, OutputDescription, ProcessDescription

from .service import Service

PROCESS_EXTENSION = "x-ogc-process"
"""The OpenAPI extension naming the process of a per-process operation."""

_UNBOUNDED = "unbounded"


@runtime_checkable
class HasProcessesRevision(Protocol):
    """Optional capability of a :class:`Service`: a value that changes with its processes.

    A service whose processes change at run time (deployment, undeployment,
    replacement) returns a new value after each change; the OpenAPI document
    is then rebuilt on its next request.
    """

    def processes_revision(self) -> object:
        """Any hashable value; a different one after every change of the processes."""
        ...


def processes_revision(service: Service) -> object:
    """The service's own revision, or the ids and versions of its processes."""
    if isinstance(service, HasProcessesRevision):
        return service.processes_revision()
    return tuple((p.id, p.version) for p in service.list_processes())


def add_process_operations(
    document: dict[str, Any], processes: list[ProcessDescription]
) -> dict[str, Any]:
    """A copy of ``document`` (OpenAPI 3.0) with one execute operation per process.

    The generic ``execute`` operation is the template: its parameters, headers and
    error responses are kept; the body and the 200 answer become the process's.
    """
    from .openapi_doc import to_oas30

    document = copy.deepcopy(document)
    paths = document.setdefault("paths", {})
    generic = paths.get("/processes/{processID}/execution", {}).get("post", {})
    taken = {
        op.get("operationId")
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
    }
    for process in processes:
        operation_id = _unique(f"execute_{_identifier(process.id)}", taken)
        operation = {
            key: copy.deepcopy(value)
            for key, value in generic.items()
            if key not in ("operationId", "requestBody", "parameters", "summary", "description")
        }
        operation["parameters"] = [
            p for p in copy.deepcopy(generic.get("parameters", [])) if p.get("in") != "path"
        ]
        operation["operationId"] = operation_id
        operation["summary"] = f"Execute {process.title or process.id}"
        if process.description:
            operation["description"] = process.description
        operation[PROCESS_EXTENSION] = process.id
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": to_oas30(execute_schema(process))}},
        }
        responses = operation.setdefault("responses", {})
        responses["200"] = {
            "description": "Results (synchronous execution): the results document, or with "
            '`"response": "raw"` the content of the one output (any media type)',
            "content": {
                "application/json": {"schema": to_oas30(results_schema(process, raw=True))},
                "*/*": {"schema": {"type": "string", "format": "binary"}},
            },
        }
        paths[f"/processes/{quote(process.id, safe='')}/execution"] = {"post": operation}
    return document


def execute_schema(process: ProcessDescription) -> dict[str, Any]:
    """The JSON schema of an execute request for ``process``: its inputs by name."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, described in (process.inputs or {}).items():
        properties[name] = _input_schema(described)
        if (described.minOccurs or 0) >= 1:
            required.append(name)
    inputs: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        inputs["required"] = required
    modes = [str(mode) for mode in process.outputTransmission or ()] or ["value", "reference"]
    text = {"type": "string", "nullable": True}
    selection = {  # every member may be null: the server takes null as not given
        "type": "object",
        "properties": {
            "transmissionMode": {"type": "string", "enum": [*modes, None], "nullable": True},
            "format": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "mediaType": text,
                    "encoding": text,
                    "schema": {"anyOf": [{"type": "string"}, {"type": "object"}], "nullable": True},
                },
            },
        },
    }
    outputs: dict[str, Any] = {
        "type": "object",
        "properties": {name: selection for name in process.outputs or {}},
        "additionalProperties": False,
    }
    if not required:  # the server takes a null member as not given
        inputs["nullable"] = True
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "inputs": inputs,
            "outputs": {**outputs, "nullable": True},
            "response": {"type": "string", "enum": ["document", "raw", None], "nullable": True},
        },
        "additionalProperties": False,
    }
    # No `subscriber` here: whether the server may call a host back depends on DNS and its
    # address policy, which no schema can say; the generic operation documents it.
    if required:
        schema["required"] = ["inputs"]
    return schema


def results_schema(process: ProcessDescription, *, raw: bool = False) -> dict[str, Any]:
    """The JSON schema of the results document of ``process``: its outputs by name.

    Each output is its value, a link to it (outputs written as files), or a file's
    content as a qualified value (``value`` with ``mediaType`` and ``encoding``). With
    ``raw``, also the value of any one output alone (a raw JSON answer).
    """
    link = {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}}}
    qualified = {  # a file output asked for by value: its content with media type and encoding
        "type": "object",
        "required": ["value"],
        "properties": {"mediaType": {"type": "string"}, "encoding": {"type": "string"}},
    }
    outputs = {name: _schema_of(described) for name, described in (process.outputs or {}).items()}
    properties = {name: {"anyOf": [schema, link, qualified]} for name, schema in outputs.items()}
    document = {"type": "object", "properties": properties}
    if not raw:
        return document
    return {"anyOf": [document, *outputs.values()]}


def _input_schema(described: InputDescription) -> dict[str, Any]:
    one = _schema_of(described)
    max_occurs = described.maxOccurs
    if max_occurs == _UNBOUNDED or (isinstance(max_occurs, int) and max_occurs > 1):
        many: dict[str, Any] = {"type": "array", "items": one}
        many["minItems"] = max(1, described.minOccurs or 0)
        if isinstance(max_occurs, int):
            many["maxItems"] = max_occurs
        if (described.minOccurs or 0) > 1:
            return many
        return {"anyOf": [one, many]}
    return one


def _schema_of(described: InputDescription | OutputDescription) -> dict[str, Any]:
    schema = described.schema_.model_dump(mode="json", by_alias=True, exclude_none=True)
    if described.title and "title" not in schema:
        schema["title"] = described.title
    if described.description and "description" not in schema:
        schema["description"] = described.description
    return schema


def _identifier(process_id: str) -> str:
    name = re.sub(r"\W+", "_", process_id).strip("_")
    return name or "process"


def _unique(name: str, taken: set[Any]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate
