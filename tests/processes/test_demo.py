"""The demo processes, as the walkthroughs in the seeds show them."""

from __future__ import annotations

import base64
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eoproc.processes import InputValidationError, JobCancelled, JobContext
from eoproc.processes.demo import demo

SEED_SUMMARIES = [
    {
        "description": "Sleeps for `duration` seconds. Fails on purpose if `fail` is `True`. "
        "Returns the effective amount of sleep in seconds.",
        "id": "sleep_a_while",
        "title": "Sleep Processor",
        "version": "0.0.0",
    },
    {
        "description": "Returns the list of prime numbers between a `min_val` and `max_val`.",
        "id": "primes_between",
        "title": "Prime Processor",
        "version": "0.0.0",
    },
    {
        "description": "Simulate a set scene images slices for testing. Creates an xarray dataset "
        "with `periodicity` time slices and writes it as Zarr into a temporary location. "
        "Requires installed `dask`, `xarray`, and `zarr` packages.",
        "id": "simulate_scene",
        "title": "Generate scene for testing",
        "version": "0.0.0",
    },
    {"id": "return_base_model", "title": "BaseModel Test", "version": "0.0.0"},
]


def test_list_matches_the_seed() -> None:
    assert demo.ids() == [
        "sleep_a_while", "primes_between", "simulate_scene", "return_base_model", "echo"
    ]  # fmt: skip
    keys = ("description", "id", "title", "version")
    summaries = [{k: v for k, v in s.to_dict().items() if k in keys} for s in demo.summaries()[:4]]
    assert summaries == SEED_SUMMARIES


def test_primes_between_description_matches_the_seed() -> None:
    described = demo.describe("primes_between").to_dict()
    assert described["inputs"] == {
        "min_val": {
            "minOccurs": 0,
            "schema": {"default": 0, "minimum": 0.0, "type": "integer"},
            "title": "Min Val",
        },
        "max_val": {
            "minOccurs": 0,
            "schema": {"default": 100, "maximum": 100.0, "type": "integer"},
            "title": "Max Val",
        },
    }
    assert described["outputs"] == {
        "return_value": {
            "schema": {"items": {"type": "integer"}, "type": "array"},
            "title": "Return Value",
        }
    }


@pytest.mark.parametrize("process_id", demo.ids())
def test_descriptions_validate(process_id: str, ogc_validate: Callable[[str, Any], None]) -> None:
    ogc_validate("process", demo.describe(process_id).to_dict())
    ogc_validate("processSummary", demo.get(process_id).summary().to_dict())


def test_primes_between() -> None:
    primes = [11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79]
    assert demo.run("primes_between", {"min_val": 10, "max_val": 80}) == {"return_value": primes}
    assert demo.run("primes_between", {})["return_value"][-1] == 97
    with pytest.raises(ValueError, match="max_val must be at least 2"):
        demo.run("primes_between", {"min_val": 0, "max_val": 1})
    with pytest.raises(ValueError, match="must be greater than min_val"):
        demo.run("primes_between", {"min_val": 50, "max_val": 50})
    with pytest.raises(InputValidationError) as caught:
        demo.run("primes_between", {"min_val": -1, "max_val": 101})
    assert [p.path for p in caught.value.problems] == ["min_val", "max_val"]


def test_sleep_a_while_reports_progress_and_returns_the_sleep() -> None:
    seen: list[int | None] = []
    ctx = JobContext("sleepy", on_progress=lambda p, m: seen.append(p))
    result = demo.run("sleep_a_while", {"duration": 0.3}, ctx)
    assert result["return_value"] >= 0.3
    assert seen[0] == 0 and seen[-1] == 100
    assert len(seen) >= 4 and seen == sorted(seen)


def test_sleep_a_while_fails_half_way() -> None:
    ctx = JobContext("failing")
    with pytest.raises(RuntimeError, match=r"^Woke up too early$"):
        demo.run("sleep_a_while", {"duration": 0.4, "fail": True}, ctx)
    assert ctx.last_progress is not None and ctx.last_progress < 100


def test_sleep_a_while_can_be_cancelled() -> None:
    ctx = JobContext("long")
    timer = threading.Timer(0.3, ctx.cancel)
    timer.start()
    try:
        with pytest.raises(JobCancelled):
            demo.run("sleep_a_while", {"duration": 600}, ctx)
    finally:
        timer.cancel()
    assert ctx.last_progress is not None and ctx.last_progress < 5


def test_return_base_model() -> None:
    outputs = demo.describe("return_base_model").to_dict()["outputs"]
    assert outputs == {
        "threshold": {"title": "Threshold", "schema": {"type": "number"}},
        "factor": {"title": "Factor", "schema": {"type": "number"}},
    }
    result = demo.run("return_base_model", {"scene_spec": {"threshold": 0.5, "factor": 2}})
    assert result == {"threshold": 0.5, "factor": 2.0}


def test_echo_returns_each_input_given() -> None:
    inputs = {
        "string_input": "hello",
        "number_input": 1.5,
        "integer_input": 7,
        "boolean_input": True,
        "array_input": [1, "two", None],
        "object_input": {"a": {"b": [1]}},
        "bbox_input": {"bbox": [1, 2, 3, 4], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "binary_input": {
            "value": base64.b64encode(b"\x89PNG").decode(),
            "mediaType": "image/png",
            "encoding": "base64",
        },
    }
    result = demo.run("echo", {**inputs, "pause": 0.1})
    assert result == {
        **inputs,
        "bbox_input": {"bbox": [1.0, 2.0, 3.0, 4.0], "crs": inputs["bbox_input"]["crs"]},
        "binary_input": base64.b64encode(b"\x89PNG").decode(),
    }
    assert demo.run("echo", {"string_input": "x"}, outputs=["number_input"]) == {
        "number_input": None
    }


def test_echo_without_outputs_returns_every_defined_output() -> None:
    # /req/core/process-execute-default-outputs: no `outputs` = every output; an input
    # not given is echoed as null
    result = demo.run("echo", {"string_input": "only"})
    assert list(result) == demo.get("echo").output_ids
    assert result["string_input"] == "only"
    assert all(value is None for name, value in result.items() if name != "string_input")


def test_echo_rejects_bad_values() -> None:
    with pytest.raises(InputValidationError) as caught:
        demo.validate_inputs(
            "echo", {"bbox_input": {"bbox": [1, 2, 3]}, "binary_input": "%%%", "pause": -1}
        )
    assert [p.path for p in caught.value.problems] == [
        "bbox_input.bbox", "binary_input", "pause"
    ]  # fmt: skip


def test_simulate_scene_writes_zarr_into_the_job_output_dir(tmp_path: Path) -> None:
    xarray = pytest.importorskip("xarray")
    ctx = JobContext("scene", output_dir=tmp_path / "job")
    inputs = {
        "var_names": "x, y",
        "bbox": [0, 40, 20, 50],
        "resolution": 5,
        "start_date": "2025-01-01",
        "end_date": "2025-01-05",
        "periodicity": 2,
    }
    result = demo.run("simulate_scene", inputs, ctx)
    assert result == {
        "return_value": {
            "href": "simulate_scene.zarr",
            "rel": "enclosure",
            "type": "application/vnd+zarr",
        }
    }
    dataset = xarray.open_zarr(tmp_path / "job" / "simulate_scene.zarr")
    assert sorted(dataset.data_vars) == ["x", "y"]
    assert dict(dataset.sizes) == {"time": 3, "lat": 2, "lon": 4}
    assert dataset["x"].encoding["chunks"] == (1, 2, 4)  # one chunk per time slice
    assert [str(t)[:10] for t in dataset.time.values] == ["2025-01-01", "2025-01-03", "2025-01-05"]
    assert float(dataset.lat[0]) == 47.5 and float(dataset.lon[0]) == 2.5


def test_simulate_scene_as_netcdf_and_bad_inputs(tmp_path: Path) -> None:
    xarray = pytest.importorskip("xarray")
    ctx = JobContext("scene", output_dir=tmp_path)
    small = {"resolution": 30, "end_date": "2025-01-01"}
    netcdf = {"return_value": {"format": {"mediaType": "application/x-netcdf"}}}
    result = demo.run("simulate_scene", small, ctx, outputs=netcdf)
    assert result["return_value"]["href"] == "simulate_scene.nc"
    with xarray.open_dataset(tmp_path / "simulate_scene.nc") as dataset:
        assert sorted(dataset.data_vars) == ["a", "b", "c"]
    with pytest.raises(InputValidationError) as caught:
        demo.validate_inputs("simulate_scene", {"bbox": [10, 0, 0, 10], "var_names": "a,,b"})
    assert [p.path for p in caught.value.problems] == ["bbox", "var_names"]
    with pytest.raises(ValueError, match="must not be before start_date"):
        demo.run("simulate_scene", {**small, "start_date": "2025-02-01"}, ctx)


def test_simulate_scene_default_goes_to_a_private_directory() -> None:
    pytest.importorskip("xarray")
    small = {"resolution": 30, "end_date": "2025-01-01"}
    first = JobContext()
    second = JobContext()
    demo.run("simulate_scene", small, first)
    demo.run("simulate_scene", small, second)
    assert (first.output_dir / "simulate_scene.zarr").is_dir()
    assert (second.output_dir / "simulate_scene.zarr").is_dir()
    assert first.output_dir != second.output_dir


def test_simulate_scene_without_the_scene_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "eoproc.processes._scene", raising=False)
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(ImportError, match=r"needs the 'scene' extra.*eoproc\[scene\]"):
        demo.run("simulate_scene", {"resolution": 30, "end_date": "2025-01-01"})
