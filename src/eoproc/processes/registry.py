"""The registry of processes, and the single entry point executors call."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from eoproc.models import ProcessDescription, ProcessSummary

from .context import JobContext
from .errors import UnknownProcessError
from .process import Process

F = TypeVar("F", bound=Callable[..., Any])


class ProcessRegistry:
    """An ordered set of processes, each a typed Python function.

    ::

        registry = ProcessRegistry()

        @registry.process(title="Prime Processor")
        def primes_between(min_val: int = 0, max_val: int = 100) -> list[int]: ...

        registry.run("primes_between", {"min_val": 10, "max_val": 80})

    A registry is picklable (executors send it to worker processes) when its
    functions are module-level functions.
    """

    def __init__(self, processes: Iterator[Process] | Sequence[Process] = ()) -> None:
        self._processes: dict[str, Process] = {}
        for process in processes:
            self.add(process)

    def __repr__(self) -> str:
        return f"ProcessRegistry({self.ids()!r})"

    def __contains__(self, process_id: object) -> bool:
        return process_id in self._processes

    def __len__(self) -> int:
        return len(self._processes)

    def __iter__(self) -> Iterator[Process]:
        return iter(list(self._processes.values()))

    @overload
    def process(self, function: F, /) -> F: ...

    @overload
    def process(
        self,
        function: None = None,
        /,
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
    ) -> Callable[[F], F]: ...

    def process(self, function: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Decorator publishing a function as a process; returns the function unchanged.

        Args:
            id: The process id (default: the function's name).
            title: The title (default: none).
            description: The description (default: the docstring up to its first section).
            version: The version (default ``"0.0.0"``).
            inputs: Per input, overrides of its description: ``title``, ``description``,
                ``keywords``, ``metadata``, ``maxOccurs`` and schema keywords (``enum``,
                ``format``, ``minimum``, ``pattern``, ...), which are also enforced.
            outputs: Per output, overrides of its description (as for inputs). One key
                names the single output; several keys split a returned mapping.
            job_control_options: Default: sync-execute, async-execute, dismiss.
            keywords: Keywords of the process.
            retries: For a retry-safe function (running it again does no harm): how often a
                job interrupted by the death of its worker, server or replica is run again
                (default 0: at most once, an interrupted job fails).
        """
        if function is not None:
            if not callable(function):
                raise TypeError(
                    f"registry.process takes keyword options (e.g. id={function!r}), "
                    f"not {type(function).__name__}"
                )
            self.add(Process(function))
            return function

        def decorator(func: F) -> F:
            self.add(Process(func, **options))
            return func

        return decorator

    def add(self, process: Process) -> Process:
        """Add a process; its id must be new."""
        if process.id in self._processes:
            raise ValueError(f"a process with id {process.id!r} is already registered")
        self._processes[process.id] = process
        return process

    def ids(self) -> list[str]:
        """The process ids, in registration order."""
        return list(self._processes)

    def get(self, process_id: str) -> Process:
        """The process ``process_id``; raises :class:`UnknownProcessError`."""
        try:
            return self._processes[process_id]
        except KeyError:
            raise UnknownProcessError(process_id, self._processes) from None

    def summaries(self) -> list[ProcessSummary]:
        """Every process as listed by ``GET /processes`` (without links)."""
        return [process.summary() for process in self._processes.values()]

    def describe(self, process_id: str) -> ProcessDescription:
        """The description of ``process_id`` (without links)."""
        return self.get(process_id).describe()

    def validate_inputs(self, process_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """Typed values of ``inputs``; :class:`InputValidationError` lists every problem."""
        return self.get(process_id).validate_inputs(inputs)

    def retries(self, process_id: str) -> int:
        """How often a job of ``process_id`` may run again after an interruption."""
        return self.get(process_id).retries

    def check_outputs(self, process_id: str, outputs: Collection[str] | None) -> list[str]:
        """The requested output ids (all when ``None``); raises on unknown ones."""
        return self.get(process_id).check_outputs(outputs)

    def run(
        self,
        process_id: str,
        inputs: Mapping[str, Any],
        ctx: JobContext | None = None,
        outputs: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Run ``process_id`` here and now; see :meth:`Process.run`."""
        return self.get(process_id).run(inputs, ctx, outputs)


def load_registry(spec: str) -> ProcessRegistry:
    """The registry named by ``"module:attribute"``, e.g. ``"eoproc.processes.demo:demo"``."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected 'module:attribute', got {spec!r}")
    registry = getattr(importlib.import_module(module_name), attribute, None)
    if not isinstance(registry, ProcessRegistry):
        raise ValueError(f"{spec!r} is not a ProcessRegistry")
    return registry
