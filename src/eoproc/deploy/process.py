"""``CwlProcess``: a deployed application package, published like a Python process.

It offers what the job service and the worker need of a process (``id``,
``summary``, ``describe``, ``validate_inputs``, ``check_outputs``, ``run``),
so it sits in the process registry beside the Python processes. It is plain
data (the stored package), so it pickles small.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from jsonschema import Draft4Validator

from eoproc.models import JobControlOptions, ProcessDescription, ProcessSummary
from eoproc.processes.context import JobContext
from eoproc.processes.errors import InputProblem, InputValidationError
from eoproc.processes.validation import path_of, unwrap_qualified

from .describe import kind, parameters
from .package import AppPackage, select_process
from .runner import run_package

SUMMARY_KEYS = (
    "id",
    "version",
    "title",
    "description",
    "keywords",
    "metadata",
    "jobControlOptions",
    "outputTransmission",
)


def is_link(value: Any) -> bool:
    """Whether ``value`` is a link object (``{"href": ...}``)."""
    return isinstance(value, Mapping) and isinstance(value.get("href"), str)


class CwlProcess:
    """A process run by cwltool from its stored :class:`AppPackage`."""

    def __init__(self, package: AppPackage, *, use_container: bool = True) -> None:
        self.package = package
        self.use_container = use_container
        self.id = package.process_id
        description = package.description
        self.title: str | None = description.get("title")
        self.version: str = str(description.get("version", "0.0.0"))
        self.job_control_options = [
            JobControlOptions(option) for option in description.get("jobControlOptions", [])
        ]
        process, _ = select_process(package.cwl, package.target)
        self.kinds = {
            name: kind(item.get("type")) for name, item in parameters(process, "inputs").items()
        }
        self._validators: dict[str, Draft4Validator] = {}
        self.retries = 0
        """Re-runs after an interruption: none (a CWL run may have side effects)."""
        self.declares_job_control = False

    def __repr__(self) -> str:
        return f"CwlProcess(id={self.id!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"package": self.package, "use_container": self.use_container}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["package"], use_container=state["use_container"])  # type: ignore[misc]

    @property
    def input_ids(self) -> list[str]:
        return list(self.package.description.get("inputs", {}))

    @property
    def output_ids(self) -> list[str]:
        return list(self.package.description.get("outputs", {}))

    def summary(self) -> ProcessSummary:
        """The process as listed, marked ``mutable`` (Part 2)."""
        members = {
            k: self.package.description[k] for k in SUMMARY_KEYS if k in self.package.description
        }
        return ProcessSummary.model_validate({**members, "mutable": True})

    def describe(self) -> ProcessDescription:
        """The process description, marked ``mutable`` (Part 2)."""
        return ProcessDescription.model_validate({**self.package.description, "mutable": True})

    # -- inputs and outputs ---------------------------------------------------------

    def _validator(self, name: str) -> Draft4Validator:
        validator = self._validators.get(name)
        if validator is None:
            schema = self.package.description["inputs"][name].get("schema", {})
            validator = self._validators[name] = Draft4Validator(schema)
        return validator

    def validate_inputs(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs, checked; :class:`InputValidationError` lists every problem."""
        if not isinstance(inputs, Mapping):
            problem = InputProblem("", f"inputs must be an object, not {type(inputs).__name__}")
            raise InputValidationError([problem], self.id)
        described: dict[str, Any] = self.package.description.get("inputs", {})
        problems: list[InputProblem] = []
        for name, value in inputs.items():
            if name not in described:
                known = ", ".join(described) or "none"
                problems.append(InputProblem(name, f"unknown input (the inputs are: {known})"))
            elif self.kinds.get(name) is not None:
                problems.extend(self._check_file(name, value))
            else:
                bare = unwrap_qualified(
                    value, described[name].get("schema", {}).get("type") == "object"
                )
                problems.extend(
                    InputProblem(path_of(name, error.absolute_path), error.message)
                    for error in self._validator(name).iter_errors(bare)
                )
        for name, item in described.items():
            if item.get("minOccurs", 1) > 0 and name not in inputs:
                problems.append(InputProblem(name, "required input is missing"))
        if problems:
            raise InputValidationError(problems, self.id)
        return dict(inputs)

    def _check_file(self, name: str, value: Any) -> list[InputProblem]:
        """A File or Directory input: a qualified value (a fetched reference), or a list."""
        items = value if isinstance(value, list) else [value]
        problems: list[InputProblem] = []
        for index, item in enumerate(items):
            path = f"{name}[{index}]" if isinstance(value, list) else name
            if is_link(item):
                # references are fetched by the server (under its address policy) before
                # the job exists; one still here was not, and cwltool must not fetch it
                problems.append(
                    InputProblem(
                        path, "this server does not fetch this reference; give the file by value"
                    )
                )
            elif not (isinstance(item, Mapping) and isinstance(item.get("value"), str)):
                problems.append(
                    InputProblem(
                        path,
                        "a file is given by reference ({'href': URL}) or by value "
                        "({'value': content, 'mediaType': ..., 'encoding': 'base64'})",
                    )
                )
        return problems

    def check_outputs(self, outputs: Collection[str] | None) -> list[str]:
        """The requested output ids (all when ``None``); unknown ids are problems."""
        known = self.output_ids
        if outputs is None:
            return known
        problems = [
            InputProblem(f"outputs.{name}", f"unknown output (the outputs are: {', '.join(known)})")
            for name in outputs
            if name not in known
        ]
        if problems:
            raise InputValidationError(problems, self.id)
        return [name for name in outputs if name in known]

    # -- running --------------------------------------------------------------------

    def run(
        self,
        inputs: Mapping[str, Any],
        ctx: JobContext | None = None,
        outputs: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Run the CWL process with cwltool in this process (a worker); its outputs."""
        values = self.validate_inputs(inputs)
        wanted = self.check_outputs(outputs)
        ctx = ctx if ctx is not None else JobContext()
        with ctx.activate():
            ctx.check_cancelled()
            return run_package(
                self.package,
                values,
                ctx,
                wanted,
                kinds=self.kinds,
                use_container=self.use_container,
            )
