"""The demo processes, as the Sen4CAP and S2GOS walkthroughs show them.

``demo`` is the registry; serve it with ``eoproc.processes.demo:demo``.
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from typing_extensions import TypedDict

from eoproc.models import Bbox

from .context import JobContext
from .registry import ProcessRegistry
from .types import Base64Binary

demo = ProcessRegistry()

TICK = 0.1
"""Seconds between two cancellation checks of a sleeping process."""


def _nap(seconds: float, ctx: JobContext, *, fail: bool = False) -> None:
    """Sleep ``seconds`` in ticks, checking cancellation and reporting progress.

    With ``fail``, raise ``RuntimeError("Woke up too early")`` half way.
    """
    steps = max(1, math.ceil(seconds / TICK))
    began = time.monotonic()
    for step in range(1, steps + 1):
        ctx.check_cancelled()
        time.sleep(max(0.0, began + seconds * step / steps - time.monotonic()))
        ctx.check_cancelled()
        if fail and step / steps >= 0.5:
            raise RuntimeError("Woke up too early")
        ctx.progress(100 * step / steps)


@demo.process(title="Sleep Processor")
def sleep_a_while(
    ctx: JobContext,
    duration: Annotated[float, Field(ge=0)] = 10.0,
    fail: bool = False,
) -> float:
    """Sleeps for `duration` seconds. Fails on purpose if `fail` is `True`.
    Returns the effective amount of sleep in seconds.
    """
    started = time.monotonic()
    ctx.progress(0, "Falling asleep")
    _nap(duration, ctx, fail=fail)
    ctx.progress(100, "Woke up")
    return time.monotonic() - started


@demo.process(title="Prime Processor")
def primes_between(
    min_val: Annotated[int, Field(ge=0)] = 0,
    max_val: Annotated[int, Field(le=100)] = 100,
) -> list[int]:
    """Returns the list of prime numbers between a `min_val` and `max_val`."""
    if max_val < 2:
        raise ValueError(f"max_val must be at least 2, got {max_val}")
    if max_val <= min_val:
        raise ValueError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
    sieve = [True] * (max_val + 1)
    sieve[0] = sieve[1] = False
    for n in range(2, math.isqrt(max_val) + 1):
        if sieve[n]:
            sieve[n * n :: n] = [False] * len(sieve[n * n :: n])
    return [n for n in range(min_val, max_val + 1) if sieve[n]]


def _check_bbox(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    west, south, east, north = bbox
    if not (west < east and south < north):
        raise ValueError("bbox must be (west, south, east, north) with west < east, south < north")
    return bbox


_VAR_NAMES = r"^\s*[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*$"


@demo.process(
    title="Generate scene for testing",
    inputs={
        "var_names": {"description": "Comma-separated names of the variables."},
        "bbox": {"description": "West, south, east, north in degrees."},
        "resolution": {"description": "Grid spacing in degrees."},
        "start_date": {"description": "Date of the first time slice."},
        "end_date": {"description": "Last date a time slice may have."},
        "periodicity": {"description": "Days between two time slices."},
    },
    outputs={
        "return_value": {
            "title": "Simulated scene",
            "description": "The scene as an xarray dataset: Zarr (default) or NetCDF.",
            "mediaType": ["application/vnd+zarr", "application/x-netcdf"],
        }
    },
)
def simulate_scene(
    var_names: Annotated[str, Field(pattern=_VAR_NAMES)] = "a, b, c",
    bbox: Annotated[tuple[float, float, float, float], AfterValidator(_check_bbox)] = (
        -180.0,
        -90.0,
        180.0,
        90.0,
    ),
    resolution: Annotated[float, Field(gt=0, le=180)] = 0.5,
    start_date: date = date(2025, 1, 1),
    end_date: date = date(2025, 2, 1),
    periodicity: Annotated[int, Field(ge=1)] = 1,
) -> Any:
    """Simulate a set scene images slices for testing.
    Creates an xarray dataset with `periodicity` time slices and writes it as Zarr
    into a temporary location. Requires installed `dask`, `xarray`, and `zarr` packages.

    Notes:
        The function returns an ``xarray.Dataset`` (one chunk per time slice); the
        framework writes it once, as a Zarr store with consolidated metadata (or
        NetCDF if the execute request asks ``format.mediaType`` so), in the job's
        results, and the server serves it by reference: ``client.open_job_result``
        opens it lazily as a Dataset again.
    """
    if end_date < start_date:
        raise ValueError(f"end_date ({end_date}) must not be before start_date ({start_date})")
    from ._scene import make_scene  # needs the `scene` extra

    ctx = JobContext.current()
    names = [name.strip() for name in var_names.split(",")]
    ctx.progress(0, "Simulating scene")
    scene = make_scene(names, bbox, resolution, start_date, end_date, periodicity)
    ctx.progress(50, "Writing scene")
    return scene


class SceneSpec(BaseModel):
    threshold: float
    factor: float


@demo.process(title="BaseModel Test")
def return_base_model(scene_spec: SceneSpec) -> SceneSpec:
    # No docstring on purpose: the walkthroughs list this process without a description.
    return scene_spec


class EchoOutputs(TypedDict):
    """The outputs of ``echo``: each input under its own name, ``null`` if not given."""

    string_input: str | None
    number_input: float | None
    integer_input: int | None
    boolean_input: bool | None
    array_input: list[Any] | None
    object_input: dict[str, Any] | None
    bbox_input: Bbox | None
    binary_input: Base64Binary | None


@demo.process(
    title="Echo Process",
    inputs={
        "array_input": {"maxOccurs": 1},
        "bbox_input": {"format": "ogc-bbox"},
        "binary_input": {"contentMediaType": "application/octet-stream"},
        "pause": {"description": "Seconds to wait before answering."},
    },
)
def echo(
    ctx: JobContext,
    string_input: str | None = None,
    number_input: float | None = None,
    integer_input: int | None = None,
    boolean_input: bool | None = None,
    array_input: list[Any] | None = None,
    object_input: dict[str, Any] | None = None,
    bbox_input: Bbox | None = None,
    binary_input: Base64Binary | None = None,
    pause: Annotated[float, Field(ge=0, le=3600)] = 0.0,
) -> EchoOutputs:
    """Echoes each input as the output of the same name (null if not given), after
    `pause` seconds. The test process OGC API - Processes recommends: one input of each
    kind (string, number, integer, boolean, array, object, bounding box, base64 binary).
    """
    _nap(pause, ctx)
    return EchoOutputs(
        string_input=string_input,
        number_input=number_input,
        integer_input=integer_input,
        boolean_input=boolean_input,
        array_input=array_input,
        object_input=object_input,
        bbox_input=bbox_input,
        binary_input=binary_input,
    )
