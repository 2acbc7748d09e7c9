"""A published process: a typed Python function with its OGC description."""

from __future__ import annotations

import asyncio
import inspect
import pickle
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from eoproc.models import (
    JobControlOptions,
    OgcModel,
    ProcessDescription,
    ProcessSummary,
    TransmissionMode,
)

from .context import JobContext
from .docstrings import docstring_description
from .encoders import encode_output, encoder_for_value
from .errors import InputProblem, InputValidationError
from .signature import RETURN_VALUE, Signature, inspect_function
from .validation import validate_inputs

DEFAULT_JOB_CONTROL_OPTIONS: tuple[JobControlOptions, ...] = (
    JobControlOptions.sync_execute,
    JobControlOptions.async_execute,
    JobControlOptions.dismiss,
)

JOB_CONTROL_MODES: dict[str, tuple[JobControlOptions, ...]] = {
    "async": (JobControlOptions.async_execute, JobControlOptions.dismiss),
    "sync": (JobControlOptions.sync_execute, JobControlOptions.dismiss),
    "both": DEFAULT_JOB_CONTROL_OPTIONS,
}
"""The job control options a server publishes by mode (``--job-control``)."""


def job_control_for(mode: str) -> list[JobControlOptions]:
    """The job control options of ``mode`` (``async``, ``sync`` or ``both``)."""
    try:
        return list(JOB_CONTROL_MODES[mode])
    except KeyError:
        raise ValueError(
            f"job control must be one of {', '.join(JOB_CONTROL_MODES)}, not {mode!r}"
        ) from None


class Process:
    """A function published as a process (made by :meth:`ProcessRegistry.process`).

    Picklable as long as ``function`` is (a module-level function is): only the
    function and the options are pickled, the derived schemas and adapters are
    rebuilt on unpickling.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        id: str | None = None,
        title: str | None = None,
        description: str | None = None,
        version: str = "0.0.0",
        inputs: Mapping[str, Mapping[str, Any]] | None = None,
        outputs: Mapping[str, Mapping[str, Any]] | None = None,
        job_control_options: Sequence[str] | None = None,
        keywords: Sequence[str] | None = None,
        retries: int = 0,
    ) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries must be a whole number >= 0, not {retries!r}")
        self._options: dict[str, Any] = {
            "id": id,
            "title": title,
            "description": description,
            "version": version,
            "inputs": inputs,
            "outputs": outputs,
            "job_control_options": job_control_options,
            "keywords": keywords,
            "retries": retries,
        }
        self.retries = retries
        """How often a job is run again after its worker, server or replica died (0: never;
        only for retry-safe functions: running one twice must do no harm)."""
        self.function = function
        self.id: str = id or function.__name__
        self.title = title
        self.description = (
            description if description is not None else docstring_description(function)
        )
        self.version = version
        options = (
            DEFAULT_JOB_CONTROL_OPTIONS if job_control_options is None else job_control_options
        )
        self.job_control_options = [JobControlOptions(option) for option in options]
        self.declares_job_control = job_control_options is not None
        """Whether the process chose its job control options (a server's default does
        not apply to it then)."""
        self.keywords = list(keywords) if keywords else None
        try:
            self.signature: Signature = inspect_function(function, inputs, outputs)
        except TypeError as error:
            raise TypeError(f"process {self.id!r}: {error}") from error

    def __repr__(self) -> str:
        return f"Process(id={self.id!r}, function={self.function.__qualname__})"

    def __getstate__(self) -> dict[str, Any]:
        name = getattr(self.function, "__qualname__", "")
        if "<locals>" in name or "<lambda>" in name:
            raise pickle.PicklingError(
                f"process {self.id!r} cannot be sent to a worker process: its function "
                f"{name} is not defined at the top level of a module"
            )
        return {"function": self.function, "options": self._options}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["function"], **state["options"])  # type: ignore[misc]

    @property
    def input_ids(self) -> list[str]:
        return list(self.signature.inputs)

    @property
    def output_ids(self) -> list[str]:
        return list(self.signature.outputs)

    def requested_media_types(self, outputs: Collection[str] | None) -> dict[str, str]:
        """The media type asked (``format.mediaType``) per output of an execute request's
        ``outputs`` mapping (a plain list of ids asks none)."""
        if not isinstance(outputs, Mapping):
            return {}
        chosen: dict[str, str] = {}
        for name, output in outputs.items():
            output_format = output.get("format") if isinstance(output, Mapping) else None
            media_type = (
                output_format.get("mediaType") if isinstance(output_format, Mapping) else None
            )
            if isinstance(media_type, str):
                chosen[name] = media_type
        return chosen

    @property
    def output_transmission(self) -> list[TransmissionMode]:
        """``value``, plus ``reference`` when an output is a file or a link."""
        modes = [TransmissionMode.value]
        if any(spec.reference or spec.data for spec in self.signature.outputs.values()):
            modes.append(TransmissionMode.reference)
        return modes

    def _description_members(self) -> dict[str, Any]:
        members: dict[str, Any] = {"id": self.id, "version": self.version}
        if self.title is not None:
            members["title"] = self.title
        if self.description:
            members["description"] = self.description
        if self.keywords:
            members["keywords"] = self.keywords
        members["jobControlOptions"] = self.job_control_options
        members["outputTransmission"] = self.output_transmission
        return members

    def summary(self) -> ProcessSummary:
        """The process as listed by ``GET /processes`` (without links)."""
        return ProcessSummary(**self._description_members())

    def describe(self) -> ProcessDescription:
        """The process as described by ``GET /processes/{id}`` (without links)."""
        return ProcessDescription(
            **self._description_members(),
            inputs={
                n: s.description.model_copy(deep=True) for n, s in self.signature.inputs.items()
            },
            outputs={
                n: s.description.model_copy(deep=True) for n, s in self.signature.outputs.items()
            },
        )

    def validate_inputs(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Typed values of ``inputs``; :class:`InputValidationError` lists every problem."""
        return validate_inputs(self.id, self.signature.inputs, inputs)

    def check_outputs(self, outputs: Collection[str] | None) -> list[str]:
        """The ids of the requested outputs (all when ``None``); unknown ids are problems."""
        if outputs is None:
            return self.output_ids
        known = self.signature.outputs
        problems = [
            InputProblem(f"outputs.{name}", f"unknown output (the outputs are: {', '.join(known)})")
            for name in outputs
            if name not in known
        ]
        for name, media_type in self.requested_media_types(outputs).items():
            offered = known[name].media_types if name in known else ()
            if offered and media_type not in offered:
                problems.append(
                    InputProblem(
                        f"outputs.{name}.format.mediaType",
                        f"{media_type!r} is not offered "
                        f"(the media types are: {', '.join(offered)})",
                    )
                )
        if problems:
            raise InputValidationError(problems, self.id)
        return [name for name in outputs if name in known]

    def run(
        self,
        inputs: Mapping[str, Any],
        ctx: JobContext | None = None,
        outputs: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Validate ``inputs``, call the function with ``ctx`` active, return its outputs.

        The result maps output ids to JSON-compatible values. Exceptions of the
        function (and :class:`JobCancelled`) propagate unchanged. An ``async``
        function runs in a new event loop (so not from a thread that runs one).
        """
        values = self.validate_inputs(inputs)
        wanted = self.check_outputs(outputs)
        ctx = ctx if ctx is not None else JobContext()
        if self.signature.context_param is not None:
            values[self.signature.context_param] = ctx
        with ctx.activate():
            ctx.check_cancelled()
            if inspect.iscoroutinefunction(self.function):
                result = asyncio.run(self.function(**values))
            else:
                result = self.function(**values)
            return self._dump_outputs(result, wanted, self.requested_media_types(outputs), ctx)

    def _encode(self, name: str, value: Any, formats: dict[str, str], ctx: JobContext) -> Any:
        if value is None:  # an optional output without a value is null, not a file
            return None
        spec = self.signature.outputs[name]
        media_type = formats.get(name) or (spec.media_types[0] if spec.media_types else None)
        stem = self.id if name == RETURN_VALUE else name
        if isinstance(value, bytes | bytearray) and media_type is None:
            media_type = "application/octet-stream"
        encoded = encode_output(value, ctx.output_dir, stem, media_type)
        if encoded is value and spec.data:
            raise TypeError(
                f"process {self.id!r}: output {name!r} is declared as data "
                f"({', '.join(spec.media_types) or 'a file'}) but the function returned "
                f"{type(value).__name__}"
            )
        return encoded

    def _dump_outputs(
        self, result: Any, wanted: list[str], formats: dict[str, str], ctx: JobContext
    ) -> dict[str, Any]:
        specs = self.signature.outputs
        if not specs:
            return {}
        if not self.signature.split_outputs:
            (name, spec), *_ = specs.items()
            if name not in wanted:
                return {}
            if spec.data or _is_data(result):
                return {name: self._encode(name, result, formats, ctx)}
            return {name: _dump(result, spec.adapter)}
        if self.signature.return_adapter is None and isinstance(result, BaseModel | Mapping):
            members = (
                {(f.alias or n): getattr(result, n) for n, f in type(result).model_fields.items()}
                if isinstance(result, BaseModel)
                else dict(result)
            )
            return {
                name: self._encode(name, members[name], formats, ctx)
                if specs[name].data or _is_data(members[name])
                else _dump(members[name], None)
                for name in wanted
                if name in members and name in specs
            }
        if isinstance(result, BaseModel):
            dumped = result.model_dump(mode="json", by_alias=True)
            members = {
                (f.alias or n): getattr(result, n) for n, f in type(result).model_fields.items()
            }
        elif isinstance(result, Mapping):
            members = dict(result)
            adapter = self.signature.return_adapter
            dumped = (
                adapter.dump_python(members, mode="json", by_alias=True)
                if adapter is not None
                else {name: _dump(value, None) for name, value in members.items()}
            )
        else:
            raise TypeError(
                f"process {self.id!r} must return a mapping or a model with the outputs "
                f"{', '.join(specs)}, not {type(result).__name__}"
            )
        return {
            name: members[name].to_dict() if isinstance(members[name], OgcModel) else dumped[name]
            for name in wanted
            if name in members
        }


def _is_data(value: Any) -> bool:
    """Whether a value of an output not declared as data is encoded as a file anyway
    (data objects and paths: JSON cannot hold them; bytes stay JSON, in base64)."""
    encoder = encoder_for_value(value)
    return encoder is not None and encoder.kind != "bytes"


def _dump(value: Any, adapter: TypeAdapter[Any] | None) -> Any:
    """A JSON-compatible form of one output value."""
    if isinstance(value, OgcModel):
        return value.to_dict()
    if adapter is not None:
        return adapter.dump_python(value, mode="json", by_alias=True)
    return to_jsonable_python(value, by_alias=True)


__all__ = [
    "DEFAULT_JOB_CONTROL_OPTIONS",
    "JOB_CONTROL_MODES",
    "RETURN_VALUE",
    "Process",
    "job_control_for",
]
