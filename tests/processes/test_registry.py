"""The registry: decorator, descriptions, outputs, run, pickling."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from eoproc.models import Link
from eoproc.processes import (
    InputValidationError,
    JobContext,
    Process,
    ProcessRegistry,
    UnknownProcessError,
    load_registry,
)


class Stats(BaseModel):
    mean: float
    count: int = Field(alias="n")
    day: date


class Pair(TypedDict, total=False):
    left: int
    right: str


registry = ProcessRegistry()


@registry.process
def plain(x: int) -> int:
    """Doubles `x`.

    Second paragraph
    of the description.

    Args:
        x: the number.
    """
    return 2 * x


@registry.process(
    id="stats-v2",
    title="Statistics",
    version="2.1.0",
    keywords=["maths"],
    job_control_options=["async-execute"],
)
def stats(values: list[float]) -> Stats:
    return Stats(mean=sum(values) / len(values), n=len(values), day=date(2025, 1, 2))


@registry.process
def pair(only_left: bool = False) -> Pair:
    return Pair(left=1) if only_left else Pair(left=1, right="r")


@registry.process(outputs={"files": {"title": "Files", "description": "Where they went"}})
def where(ctx: JobContext) -> Path:
    (ctx.output_dir / "a.txt").write_text("a")
    return ctx.output_dir / "a.txt"


@registry.process(outputs={"link": {}})
def linked() -> Link:
    return Link(href="out.zarr", rel="enclosure")


@registry.process(outputs={"total": {"type": "integer"}, "label": {"type": "string"}})
def several(a: int, b: int) -> dict[str, Any]:
    return {"total": a + b, "label": f"{a}+{b}"}


@registry.process
def numpy_style(x: int, y: str = "") -> None:
    """Says nothing.

    Parameters
    ----------
    x : int
        The x
        value.
    y
        The y.
    """


@registry.process
async def waits(ctx: JobContext, seconds: float = 0.0) -> str:
    await asyncio.sleep(seconds)
    return JobContext.current().job_id + ctx.job_id


@registry.process
def nothing() -> None:
    return None


@registry.process
def broken() -> int:
    raise KeyError("the original error")


def test_decorator_returns_the_function() -> None:
    assert plain(3) == 6 and plain.__name__ == "plain"
    assert isinstance(registry.get("plain"), Process)


def test_ids_order_membership() -> None:
    assert registry.ids() == [
        "plain", "stats-v2", "pair", "where", "linked", "several", "numpy_style", "waits",
        "nothing", "broken",
    ]  # fmt: skip
    assert "plain" in registry and "stats" not in registry
    assert len(registry) == 10
    assert [p.id for p in registry] == registry.ids()


def test_defaults_from_the_function() -> None:
    summary = registry.summaries()[0].to_dict()
    assert summary == {
        "id": "plain",
        "version": "0.0.0",
        "description": "Doubles `x`.\n\nSecond paragraph of the description.",
        "jobControlOptions": ["sync-execute", "async-execute", "dismiss"],
        "outputTransmission": ["value"],
    }


def test_input_descriptions_from_the_docstring() -> None:
    assert (registry.describe("plain").inputs or {})["x"].description == "the number."
    inputs = registry.describe("numpy_style").inputs or {}
    assert {n: i.description for n, i in inputs.items()} == {"x": "The x value.", "y": "The y."}
    assert registry.describe("numpy_style").description == "Says nothing."


def test_async_functions_run_in_their_own_loop() -> None:
    assert registry.run("waits", {"seconds": 0.01}, JobContext("j")) == {"return_value": "jj"}


def test_given_options() -> None:
    summary = registry.get("stats-v2").summary().to_dict()
    assert summary["title"] == "Statistics" and summary["version"] == "2.1.0"
    assert summary["keywords"] == ["maths"] and summary["jobControlOptions"] == ["async-execute"]
    assert "description" not in summary


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.process(id="plain")(lambda: None)


def test_unknown_process() -> None:
    with pytest.raises(UnknownProcessError) as caught:
        registry.describe("nope")
    assert str(caught.value) == (
        "Unknown process 'nope' (known processes: plain, stats-v2, pair, where, linked, "
        "several, numpy_style, waits, nothing, broken)"
    )


def test_bad_overrides_fail_at_registration() -> None:
    other = ProcessRegistry()
    with pytest.raises(TypeError, match="unknown parameters"):
        other.process(inputs={"y": {}})(plain)
    with pytest.raises(TypeError, match="give defaults in the signature"):
        other.process(inputs={"x": {"default": 3}})(plain)
    with pytest.raises(TypeError, match="unsupported key 'colour'"):
        other.process(inputs={"x": {"colour": 3}})(plain)
    with pytest.raises(TypeError, match="maxOccurs > 1 needs a list"):
        other.process(inputs={"x": {"maxOccurs": 3}})(plain)
    with pytest.raises(TypeError, match="keyword argument"):
        other.process(lambda *args: None)
    with pytest.raises(TypeError, match="takes keyword options"):
        other.process("my_id")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="maxOccurs must be a positive integer"):
        other.process(inputs={"x": {"maxOccurs": 0}})(plain)
    with pytest.raises(TypeError, match="'x' is not a valid schema"):
        other.process(inputs={"x": {"minimum": "low"}})(plain)

    def unresolved(x: Missing) -> None:  # type: ignore[name-defined]  # noqa: F821
        ...

    with pytest.raises(TypeError, match=r"cannot resolve the type hints.*Missing"):
        other.process(unresolved)


def test_model_return_gives_named_outputs() -> None:
    outputs = registry.describe("stats-v2").to_dict()["outputs"]
    assert list(outputs) == ["mean", "n", "day"]
    assert outputs["day"] == {"title": "Day", "schema": {"type": "string", "format": "date"}}
    assert registry.run("stats-v2", {"values": [1, 2, 3]}) == {
        "mean": 2.0, "n": 3, "day": "2025-01-02"
    }  # fmt: skip
    assert registry.run("stats-v2", {"values": [1]}, outputs=["mean"]) == {"mean": 1.0}


def test_typed_dict_return_gives_the_outputs_returned() -> None:
    assert list(registry.describe("pair").outputs or {}) == ["left", "right"]
    assert registry.run("pair", {}) == {"left": 1, "right": "r"}
    assert registry.run("pair", {"only_left": True}) == {"left": 1}


def test_single_named_output_and_reference_transmission(tmp_path: Path) -> None:
    described = registry.describe("where").to_dict()
    assert described["outputTransmission"] == ["value", "reference"]
    assert described["outputs"]["files"]["title"] == "Files"
    assert described["outputs"]["files"]["schema"] == {
        "type": "string",
        "contentEncoding": "binary",
    }
    result = registry.run("where", {}, JobContext(output_dir=tmp_path))
    # a file, as a link relative to the job's directory: never the server's path
    assert result == {"files": {"href": "a.txt", "type": "text/plain", "rel": "enclosure"}}


def test_the_whole_output_directory_is_refused(tmp_path: Path) -> None:
    def everything(ctx: JobContext) -> Path:
        return ctx.output_dir

    local = ProcessRegistry()
    local.process(everything)
    with pytest.raises(ValueError, match="whole output directory"):
        local.run("everything", {}, JobContext(output_dir=tmp_path))


def test_a_list_of_paths_is_refused() -> None:
    def paths() -> list[Path]:
        return []

    with pytest.raises(TypeError, match="list of files"):
        ProcessRegistry().process(paths)


def test_links_are_dumped_without_unset_members() -> None:
    assert registry.get("linked").output_transmission == ["value", "reference"]
    assert registry.run("linked", {}) == {"link": {"href": "out.zarr", "rel": "enclosure"}}


def test_several_outputs_from_overrides() -> None:
    outputs = registry.describe("several").to_dict()["outputs"]
    assert outputs == {
        "total": {"title": "Total", "schema": {"type": "integer"}},
        "label": {"title": "Label", "schema": {"type": "string"}},
    }
    assert registry.run("several", {"a": 1, "b": 2}) == {"total": 3, "label": "1+2"}


def test_no_outputs() -> None:
    assert registry.describe("nothing").outputs == {}
    assert registry.run("nothing", {}) == {}


def test_run_validates_and_checks_outputs() -> None:
    with pytest.raises(InputValidationError) as caught:
        registry.run("plain", {"x": "many"})
    assert [p.path for p in caught.value.problems] == ["x"]
    with pytest.raises(InputValidationError, match=r"outputs\.nope: unknown output"):
        registry.run("plain", {"x": 1}, outputs=["nope"])


def test_run_lets_the_functions_exception_through() -> None:
    with pytest.raises(KeyError, match="the original error"):
        registry.run("broken", {})


def test_every_description_validates(ogc_validate: Callable[[str, Any], None]) -> None:
    for process_id in registry.ids():
        ogc_validate("process", registry.describe(process_id).to_dict())
        ogc_validate("processSummary", registry.get(process_id).summary().to_dict())


def test_registry_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(registry))
    assert copy.ids() == registry.ids()
    for process_id in registry.ids():
        assert copy.describe(process_id) == registry.describe(process_id)
    assert copy.run("stats-v2", {"values": [4]}) == {"mean": 4.0, "n": 1, "day": "2025-01-02"}


def test_local_functions_cannot_be_pickled_and_say_why() -> None:
    local = ProcessRegistry()

    @local.process
    def inner(x: int = 1) -> int:
        return x

    with pytest.raises(pickle.PicklingError, match="'inner' cannot be sent to a worker process"):
        pickle.dumps(local)


def test_registry_runs_in_a_spawned_worker() -> None:
    demo = load_registry("eoproc.processes.demo:demo")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        future = pool.submit(demo.run, "primes_between", {"min_val": 10, "max_val": 30})
        assert future.result(timeout=120) == {"return_value": [11, 13, 17, 19, 23, 29]}
        failing = pool.submit(registry.run, "plain", {"x": "many"})
        with pytest.raises(InputValidationError) as caught:
            failing.result(timeout=120)
        assert caught.value.problems[0].path == "x"


def test_load_registry_errors() -> None:
    with pytest.raises(ValueError, match="module:attribute"):
        load_registry("eoproc.processes.demo")
    with pytest.raises(ValueError, match="not a ProcessRegistry"):
        load_registry("eoproc.processes.demo:TICK")
