"""Processes returning every kind of data output, and the objects they return.

The ``make_*`` functions build the (deterministic) objects, so that a test can
compare what the client opens with what the process returned.
"""

from __future__ import annotations

from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import xarray as xr
from PIL import Image

from eoproc.processes import JobContext, ProcessRegistry

registry = ProcessRegistry()

LAZY_SHAPE = (24, 64, 64)
"""time, y, x of the dataset read lazily: one 16 KiB float32 chunk per time step."""


def make_dataset() -> xr.Dataset:
    rng = np.random.default_rng(42)
    times = pd.date_range("2025-01-01", periods=4, freq="D")
    dataset = xr.Dataset(
        {
            "ndvi": (("time", "y", "x"), rng.random((4, 3, 5), dtype=np.float32)),
            "mask": (("y", "x"), rng.integers(0, 2, (3, 5)).astype(np.uint8)),
        },
        coords={"time": times, "y": [10.0, 20.0, 30.0], "x": np.arange(5) * 0.5},
        attrs={"title": "test cube", "history": "made by a test"},
    )
    dataset["ndvi"].attrs["units"] = "1"
    return dataset


def make_lazy_dataset() -> xr.Dataset:
    rng = np.random.default_rng(7)
    t, y, x = LAZY_SHAPE
    data = rng.random(LAZY_SHAPE, dtype=np.float32)
    dataset = xr.Dataset(
        {"v": (("time", "y", "x"), data)},
        coords={"time": np.arange(t), "y": np.arange(y), "x": np.arange(x)},
    )
    return dataset.chunk({"time": 1, "y": y, "x": x})


def make_dataarray() -> xr.DataArray:
    return xr.DataArray(
        np.arange(12, dtype=np.int32).reshape(3, 4),
        dims=("y", "x"),
        coords={"y": [1, 2, 3]},
        name="counts",
        attrs={"units": "pixels"},
    )


def make_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "field": ["a", "b", "c"],
            "area": [1.5, 2.25, 3.0],
            "crop": [3, 1, 2],
            "ok": [True, False, True],
        }
    )


def make_geoframe() -> geopandas.GeoDataFrame:
    from shapely.geometry import Point

    return geopandas.GeoDataFrame(
        {"name": ["x", "y"], "value": [1.0, 2.0]},
        geometry=[Point(4.35, 50.85), Point(11.4, 47.3)],
        crs="EPSG:4326",
    )


def make_array() -> np.ndarray:
    return np.linspace(0, 1, 24, dtype=np.float64).reshape(2, 3, 4)


def make_image() -> Image.Image:
    pixels = (np.arange(16 * 8 * 3) % 256).astype(np.uint8).reshape(8, 16, 3)
    return Image.fromarray(pixels, "RGB")


BIG_SIZE = 3 * 1024 * 1024 + 17


def big_content() -> bytes:
    return bytes(range(256)) * (BIG_SIZE // 256) + bytes(range(BIG_SIZE % 256))


@registry.process
def dataset() -> xr.Dataset:
    return make_dataset()


@registry.process
def lazy_dataset() -> xr.Dataset:
    return make_lazy_dataset()


@registry.process
def dataarray() -> xr.DataArray:
    return make_dataarray()


@registry.process(
    outputs={"return_value": {"mediaType": ["application/vnd.apache.parquet", "text/csv"]}}
)
def table() -> pd.DataFrame:
    return make_frame()


@registry.process
def geotable() -> geopandas.GeoDataFrame:
    return make_geoframe()


@registry.process
def array() -> np.ndarray:
    return make_array()


@registry.process(outputs={"return_value": {"mediaType": "application/json"}})
def small_array() -> np.ndarray:
    return make_array()


@registry.process
def image() -> Image.Image:
    return make_image()


@registry.process(outputs={"return_value": {"mediaType": "application/x-eoproc-test"}})
def blob() -> bytes:
    return b"\x00\x01 opaque"


@registry.process
def report(ctx: JobContext) -> Path:
    path = ctx.output_dir / "report.txt"
    path.write_text("all good\n")
    return path


@registry.process
def big(ctx: JobContext) -> Path:
    path = ctx.output_dir / "big.bin"
    path.write_bytes(big_content())
    return path
