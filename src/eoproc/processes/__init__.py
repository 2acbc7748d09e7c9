"""The process framework: publish typed Python functions as OGC API processes.

::

    from eoproc.processes import JobContext, ProcessRegistry

    registry = ProcessRegistry()

    @registry.process(title="Prime Processor")
    def primes_between(min_val: int = 0, max_val: int = 100) -> list[int]:
        ...

The signature becomes the process description (inputs from parameters, outputs
from the return annotation), :meth:`ProcessRegistry.validate_inputs` checks a
request's inputs, and :meth:`ProcessRegistry.run` runs a process in the current
process with a :class:`JobContext` active.
"""

from .context import JobCancelled, JobContext, ProgressCallback
from .errors import InputProblem, InputValidationError, UnknownProcessError
from .process import DEFAULT_JOB_CONTROL_OPTIONS, RETURN_VALUE, Process
from .registry import ProcessRegistry, load_registry
from .types import Base64Binary

__all__ = [
    "DEFAULT_JOB_CONTROL_OPTIONS",
    "RETURN_VALUE",
    "Base64Binary",
    "InputProblem",
    "InputValidationError",
    "JobCancelled",
    "JobContext",
    "Process",
    "ProcessRegistry",
    "ProgressCallback",
    "UnknownProcessError",
    "load_registry",
]
