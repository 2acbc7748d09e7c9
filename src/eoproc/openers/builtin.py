"""The built-in openers; each imports its library only when it opens something."""

from __future__ import annotations

import io
import json
from typing import Any

from .base import FunctionOpener, ResultSource

DATAARRAY_MARK = "eoproc:DataArray"
"""Set by the server's encoder on a dataset that holds one returned DataArray."""
UNNAMED = "__xarray_dataarray_variable__"


def _content(source: ResultSource) -> bytes:
    if source.content is None:
        raise ValueError(f"the output {source.name!r} was not downloaded")
    return source.content


def _xarray_object(dataset: Any) -> Any:
    """A dataset, or the DataArray the process returned."""
    name = dataset.attrs.get(DATAARRAY_MARK)
    if name is None:
        return dataset
    array = dataset[name]
    array.name = None if name == UNNAMED else name
    return array


def open_zarr(source: ResultSource, **kwargs: Any) -> Any:
    """A Zarr store over HTTP, opened lazily: only the chunks used are fetched."""
    import xarray as xr

    options = dict(kwargs.pop("storage_options", None) or {})
    headers = {**source.headers, **(options.pop("headers", None) or {})}
    dataset = xr.open_zarr(
        source.url or "", storage_options={**options, "headers": headers}, **kwargs
    )
    return _xarray_object(dataset)


def open_netcdf(source: ResultSource, **kwargs: Any) -> Any:
    import xarray as xr

    with xr.open_dataset(io.BytesIO(_content(source)), **kwargs) as dataset:
        return _xarray_object(dataset.load())


def open_parquet(source: ResultSource, **kwargs: Any) -> Any:
    """A GeoDataFrame for GeoParquet (``geo`` metadata), else a pandas DataFrame."""
    import pyarrow.parquet as pq

    data = _content(source)
    metadata = pq.read_schema(io.BytesIO(data)).metadata or {}
    if b"geo" in metadata:
        import geopandas

        return geopandas.read_parquet(io.BytesIO(data), **kwargs)
    import pandas as pd

    return pd.read_parquet(io.BytesIO(data), **kwargs)


def open_csv(source: ResultSource, **kwargs: Any) -> Any:
    import pandas as pd

    return pd.read_csv(io.BytesIO(_content(source)), **kwargs)


def open_geojson(source: ResultSource, **kwargs: Any) -> Any:
    import geopandas

    return geopandas.read_file(io.BytesIO(_content(source)), **kwargs)


def open_image(source: ResultSource, **kwargs: Any) -> Any:
    from PIL import Image

    image = Image.open(io.BytesIO(_content(source)), **kwargs)
    image.load()
    return image


def open_npy(source: ResultSource, **kwargs: Any) -> Any:
    import numpy as np

    return np.load(io.BytesIO(_content(source)), allow_pickle=False, **kwargs)


def open_json(source: ResultSource, **kwargs: Any) -> Any:
    if source.content is None:
        return source.value
    return json.loads(source.content, **kwargs)


def open_text(source: ResultSource, **kwargs: Any) -> Any:
    return _content(source).decode(kwargs.get("encoding", "utf-8"))


def open_bytes(source: ResultSource, **kwargs: Any) -> Any:
    return _content(source)


XARRAY = ("xarray",)
BUILTIN_OPENERS = (
    FunctionOpener(
        "zarr",
        ("application/vnd+zarr", "application/zarr", "application/x-zarr"),
        open_zarr,
        requires=(*XARRAY, "zarr", "fsspec", "aiohttp"),
        streams=True,
    ),
    FunctionOpener(
        "netcdf", ("application/x-netcdf", "application/netcdf"), open_netcdf, requires=XARRAY
    ),
    FunctionOpener(
        "parquet",
        ("application/vnd.apache.parquet", "application/x-parquet"),
        open_parquet,
        requires=("pandas", "pyarrow"),
    ),
    FunctionOpener("csv", ("text/csv",), open_csv, requires=("pandas",)),
    FunctionOpener("geojson", ("application/geo+json",), open_geojson, requires=("geopandas",)),
    FunctionOpener("npy", ("application/x-npy",), open_npy, requires=("numpy",)),
    FunctionOpener("image", ("image/*",), open_image, requires=("PIL",)),
    FunctionOpener("json", ("application/json", "application/problem+json"), open_json, extra=""),
    FunctionOpener("text", ("text/*",), open_text, extra=""),
    FunctionOpener("bytes", ("application/octet-stream", "application/zip"), open_bytes, extra=""),
)
