"""Encoders of numpy arrays (``.npy``, or JSON) and xarray objects (Zarr, NetCDF)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .base import Encoder

NPY = "application/x-npy"
JSON = "application/json"
ZARR = "application/vnd+zarr"
NETCDF = "application/x-netcdf"
DATAARRAY_MARK = "eoproc:DataArray"
"""Dataset attribute telling that the stored dataset holds one returned DataArray."""
UNNAMED = "__xarray_dataarray_variable__"


def write_npy(value: Any, stem: Path, media_type: str) -> Path:
    import numpy as np

    path = stem.with_suffix(".npy")
    np.save(path, value, allow_pickle=False)
    return path


def array_to_json(value: Any) -> Any:
    return value.tolist()


def _as_dataset(value: Any) -> Any:
    import xarray as xr

    if isinstance(value, xr.DataArray):
        name = value.name if value.name is not None else UNNAMED
        dataset = value.to_dataset(name=name)
        dataset.attrs[DATAARRAY_MARK] = str(name)
        return dataset
    return value


def write_xarray(value: Any, stem: Path, media_type: str) -> Path:
    dataset = _as_dataset(value)
    if media_type == NETCDF:
        path = stem.with_suffix(".nc")
        dataset.to_netcdf(path)
        return path
    path = stem.with_suffix(".zarr")
    with warnings.catch_warnings():  # Zarr v3 warns that consolidated metadata is an extension
        warnings.filterwarnings("ignore", message=".*[Cc]onsolidated metadata.*")
        import dask

        # the job computes in its own process, with local threads, whatever Dask client
        # or scheduler the host process may have set as its default
        with dask.config.set(scheduler="threads"):
            dataset.to_zarr(path, mode="w", consolidated=True)
    return path


NUMPY = Encoder(
    "numpy", ("numpy.ndarray",), (NPY,), write_npy, json_media_types=(JSON,), to_json=array_to_json
)
XARRAY = Encoder("xarray", ("xarray.Dataset", "xarray.DataArray"), (ZARR, NETCDF), write_xarray)
