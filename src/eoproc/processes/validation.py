"""Validation of the inputs of a request, collecting every problem."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from .errors import InputProblem, InputValidationError
from .signature import InputSpec

QUALIFIED_KEYS = frozenset({"value", "mediaType", "encoding", "schema"})
"""The members of a qualified value (``qualifiedInputValue.yaml``)."""


def validate_inputs(
    process_id: str, specs: Mapping[str, InputSpec], inputs: Mapping[str, Any]
) -> dict[str, Any]:
    """The typed values of the given inputs, or :class:`InputValidationError` listing every problem.

    Inputs that are not given are left out (the function's defaults apply).
    """
    if not isinstance(inputs, Mapping):
        problem = InputProblem("", f"inputs must be an object, not {type(inputs).__name__}")
        raise InputValidationError([problem], process_id)
    problems: list[InputProblem] = []
    values: dict[str, Any] = {}
    for name, raw in inputs.items():
        spec = specs.get(name)
        if spec is None:
            known = ", ".join(specs) or "none"
            problems.append(InputProblem(name, f"unknown input (the inputs are: {known})"))
            continue
        found = list(_check_input(spec, raw, values))
        problems.extend(found)
    for name, spec in specs.items():
        if spec.required and name not in inputs:
            problems.append(InputProblem(name, "required input is missing"))
    if problems:
        raise InputValidationError(problems, process_id)
    return values


def _check_input(spec: InputSpec, raw: Any, values: dict[str, Any]) -> Iterator[InputProblem]:
    """Validate one input; store its typed value in ``values`` or yield its problems."""
    wrapped = False
    if spec.multiple:
        if not isinstance(raw, list | tuple):
            raw, wrapped = [raw], True
        items = [unwrap_qualified(item, spec.object_schema) for item in raw]
        if spec.max_occurs is not None and len(items) > spec.max_occurs:
            yield InputProblem(spec.name, f"at most {spec.max_occurs} values are allowed")
            return
        value: Any = items
    else:
        items = [unwrap_qualified(raw, spec.object_schema)]
        value = items[0]
    try:
        typed = spec.adapter.validate_python(value)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            loc = list(detail["loc"])
            if wrapped and loc and loc[0] == 0:
                loc = loc[1:]
            yield InputProblem(path_of(spec.name, loc), detail["msg"])
        return
    validator = spec.validator
    if validator is not None:
        problems = [
            InputProblem(path_of(spec.name, [*prefix, *error.absolute_path]), error.message)
            for prefix, item in _enumerate_items(items, spec.multiple and not wrapped)
            for error in validator.iter_errors(item)
        ]
        if problems:
            yield from problems
            return
    values[spec.name] = typed


def _enumerate_items(items: list[Any], indexed: bool) -> Iterable[tuple[list[int], Any]]:
    if indexed:
        return (([index], item) for index, item in enumerate(items))
    return (([], item) for item in items)


def unwrap_qualified(value: Any, object_schema: bool) -> Any:
    """The bare value of a qualified value (``{"value": ..., "mediaType": ...}``).

    For an input whose schema is an object, ``{"value": ...}`` alone is taken
    as the object itself; a media type, encoding or schema marks it as qualified.
    """
    if (
        isinstance(value, Mapping)
        and "value" in value
        and set(value) <= QUALIFIED_KEYS
        and (len(value) > 1 or not object_schema)
    ):
        return value["value"]
    return value


def path_of(name: str, loc: Iterable[Any]) -> str:
    """``("max_val", ["a", 0, "b"])`` -> ``"max_val.a[0].b"``."""
    path = name
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
