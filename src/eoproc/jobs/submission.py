"""Checking a submission against the process registry, and the new job's id and members."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from eoproc.models import ExecuteRequest
from eoproc.server.service import InvalidInput, NoSuchProcess

from .errors import store_errors
from .store import CountingStore, JobStore


def check_inputs(registry: Any, process_id: str, inputs: Mapping[str, Any]) -> None:
    """Raise :class:`NoSuchProcess` or :class:`InvalidInput` (with its problems)."""
    from eoproc.processes.errors import InputValidationError

    try:
        registry.validate_inputs(process_id, dict(inputs))
    except LookupError:
        raise NoSuchProcess(f"Process {process_id!r} does not exist.") from None
    except InputValidationError as exc:
        problems = [problem.to_dict() for problem in exc.problems]
        raise InvalidInput(str(exc), extra={"problems": problems}) from None


def requested_outputs(registry: Any, process_id: str, request: ExecuteRequest) -> str | None:
    """The JSON of the outputs the request asks for (``None``: all of them), checked."""
    if not request.outputs:
        return None
    from eoproc.processes.errors import InputValidationError

    outputs = {
        output_id: output.model_dump(mode="json", by_alias=True, exclude_unset=True)
        for output_id, output in request.outputs.items()
    }
    try:  # the ids, and the media types asked (format.mediaType)
        registry.check_outputs(process_id, outputs)
    except InputValidationError as exc:
        problems = [problem.to_dict() for problem in exc.problems]
        raise InvalidInput(str(exc), extra={"problems": problems}) from None
    return json.dumps(outputs)


def inputs_json(request: ExecuteRequest) -> str:
    """The JSON of the request's inputs (through the model where plain JSON fails)."""
    try:
        return json.dumps(request.inputs or {})
    except (TypeError, ValueError):
        return json.dumps(request.model_dump(mode="json", by_alias=True)["inputs"])


def retries(registry: Any, process_id: str) -> int:
    """How often a job of ``process_id`` may run again after an interruption."""
    count = getattr(registry, "retries", None)
    return int(count(process_id)) if callable(count) else 0


async def new_job_id(store: JobStore, job_ids: str) -> str:
    """A fresh job id: a UUID, or ``job_N`` from the store's counter (``job_ids="counter"``)."""
    if job_ids == "uuid":
        return str(uuid.uuid4())
    if not isinstance(store, CountingStore):
        raise RuntimeError(f"the job store {type(store).__name__} has no job counter")
    with store_errors():
        return f"job_{await store.next_job_number()}"
