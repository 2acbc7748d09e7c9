"""Validation of inputs: typed values, or one error listing every problem."""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated, Any, Literal

import pytest
from pydantic import Base64Bytes, BaseModel, Field

from eoproc.processes import InputProblem, InputValidationError, ProcessRegistry
from eoproc.processes.demo import demo


class Spec(BaseModel):
    threshold: float
    factor: float = 1.0


registry = ProcessRegistry()


@registry.process(
    inputs={
        "mode": {"enum": ["fast", "slow"], "title": "Mode", "description": "How to run"},
        "email": {"format": "email"},
        "level": {"minimum": 1, "maximum": 5},
        "tags": {"pattern": "^[a-z]+$"},
        "few": {"maxOccurs": 2},
    }
)
def tool(
    count: int,
    day: date = date(2025, 1, 1),
    spec: Spec | None = None,
    tags: list[str] | None = None,
    numbers: list[int] | None = None,
    mode: str = "fast",
    email: str | None = None,
    level: int = 3,
    blob: Base64Bytes | None = None,
    obj: dict[str, Any] | None = None,
    few: list[int] | None = None,
    kind: Literal["a", "b"] = "a",
    ratio: Annotated[float, Field(gt=0, le=1)] = 0.5,
) -> None: ...


def problems_of(inputs: dict[str, Any], process_id: str = "tool") -> list[InputProblem]:
    with pytest.raises(InputValidationError) as caught:
        registry.validate_inputs(process_id, inputs)
    return caught.value.problems


def test_typed_values() -> None:
    values = registry.validate_inputs(
        "tool",
        {"count": "3", "day": "2025-03-04", "spec": {"threshold": 0.5}, "kind": "b"},
    )
    assert values == {"count": 3, "day": date(2025, 3, 4), "spec": Spec(threshold=0.5), "kind": "b"}


def test_acceptance_example_names_both_problems() -> None:
    with pytest.raises(InputValidationError) as caught:
        demo.validate_inputs("primes_between", {"max_val": "x", "bogus": 1})
    error = caught.value
    assert [p.path for p in error.problems] == ["max_val", "bogus"]
    assert "valid integer" in error.problems[0].message
    assert "unknown input" in error.problems[1].message
    text = str(error)
    assert "max_val" in text and "bogus" in text and "\n" not in text
    assert isinstance(error, ValueError)


def test_every_problem_is_listed_with_its_path() -> None:
    problems = problems_of(
        {"day": "not a date", "spec": {"threshold": "high", "factor": "x"}, "ratio": 0, "zzz": 1}
    )
    assert [p.path for p in problems] == [
        "day", "spec.threshold", "spec.factor", "ratio", "zzz", "count"
    ]  # fmt: skip
    assert problems[-1].message == "required input is missing"
    assert problems[0].to_dict() == {"path": "day", "message": problems[0].message}


def test_inputs_must_be_a_mapping() -> None:
    with pytest.raises(InputValidationError, match="inputs must be an object"):
        registry.validate_inputs("tool", [1, 2])  # type: ignore[arg-type]


def test_list_inputs_take_a_single_value_or_an_array() -> None:
    described = registry.describe("tool").inputs
    assert described is not None
    assert described["numbers"].maxOccurs == "unbounded"
    assert described["numbers"].schema_.to_dict() == {"type": "integer", "nullable": True}
    assert described["few"].maxOccurs == 2
    values = registry.validate_inputs("tool", {"count": 1, "numbers": 7, "few": [1, 2]})
    assert values["numbers"] == [7]
    assert registry.validate_inputs("tool", {"count": 1, "numbers": [7, "8"]})["numbers"] == [7, 8]
    assert [(p.path, p.message) for p in problems_of({"count": 1, "few": [1, 2, 3]})] == [
        ("few", "at most 2 values are allowed")
    ]
    assert [p.path for p in problems_of({"count": 1, "numbers": [1, "x"]})] == ["numbers[1]"]
    assert [p.path for p in problems_of({"count": 1, "numbers": "x"})] == ["numbers"]


def test_qualified_values_are_accepted() -> None:
    data = base64.b64encode(b"\x00\x01binary").decode()
    values = registry.validate_inputs(
        "tool",
        {
            "count": {"value": 4},
            "blob": {"value": data, "mediaType": "application/octet-stream", "encoding": "base64"},
            "numbers": [{"value": 1, "mediaType": "text/plain"}, 2],
            "obj": {"value": 1},  # an object input: this is the object itself
        },
    )
    assert values["count"] == 4
    assert values["blob"] == b"\x00\x01binary"
    assert values["numbers"] == [1, 2]
    assert values["obj"] == {"value": 1}
    qualified_obj = {"value": {"a": 1}, "mediaType": "application/json"}
    assert registry.validate_inputs("tool", {"count": 1, "obj": qualified_obj})["obj"] == {"a": 1}


def test_overrides_are_advertised() -> None:
    described = registry.describe("tool").inputs
    assert described is not None
    mode = described["mode"]
    assert (mode.title, mode.description) == ("Mode", "How to run")
    assert mode.schema_.enum == ["fast", "slow"]
    assert described["email"].schema_.format == "email"
    assert (described["level"].schema_.minimum, described["level"].schema_.maximum) == (1, 5)
    assert described["tags"].schema_.pattern == "^[a-z]+$"


def test_overrides_are_enforced() -> None:
    problems = problems_of(
        {"count": 1, "mode": "medium", "email": "nobody", "level": 9, "tags": ["ok", "NOT", "ok"]}
    )
    assert [p.path for p in problems] == ["mode", "email", "level", "tags[1]"]
    assert "'medium' is not one of ['fast', 'slow']" in problems[0].message
    assert "email" in problems[1].message
    assert "9 is greater than the maximum of 5" in problems[2].message
    values = registry.validate_inputs(
        "tool", {"count": 1, "mode": "slow", "email": "a@b.org", "level": 5, "tags": "single"}
    )
    assert values["tags"] == ["single"]


def test_unknown_process() -> None:
    from eoproc.processes import UnknownProcessError

    with pytest.raises(UnknownProcessError, match=r"Unknown process 'nope'.*tool") as caught:
        registry.validate_inputs("nope", {})
    assert isinstance(caught.value, LookupError)
