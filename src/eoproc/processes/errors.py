"""Errors of the process framework."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem with the inputs of a request.

    ``path`` names the input and, for nested values, the place inside it
    (``"scene_spec.threshold"``, ``"array_input[2]"``); ``message`` says what is wrong.
    """

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """``{"path": ..., "message": ...}``, as problem details carry it."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputValidationError(ValueError):
    """The inputs of a request are invalid; :attr:`problems` lists every problem."""

    def __init__(self, problems: Iterable[InputProblem], process_id: str | None = None) -> None:
        self.problems: list[InputProblem] = list(problems)
        self.process_id = process_id
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        subject = f"process {self.process_id!r}" if self.process_id else "the process"
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        details = "; ".join(str(problem) for problem in self.problems)
        return f"Invalid inputs for {subject} ({count} {noun}): {details}."

    def __reduce__(
        self,
    ) -> tuple[type[InputValidationError], tuple[list[InputProblem], str | None]]:
        return (type(self), (self.problems, self.process_id))


class UnknownProcessError(LookupError):
    """No process of that id is registered."""

    def __init__(self, process_id: str, known: Iterable[str] = ()) -> None:
        self.process_id = process_id
        self.known: list[str] = list(known)
        choices = ", ".join(self.known) if self.known else "none"
        super().__init__(f"Unknown process {process_id!r} (known processes: {choices})")

    def __str__(self) -> str:
        # LookupError would quote the message like a key; keep it readable.
        return str(self.args[0])

    def __reduce__(self) -> tuple[type[UnknownProcessError], tuple[str, list[str]]]:
        return (type(self), (self.process_id, self.known))
