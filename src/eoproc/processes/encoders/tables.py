"""Encoders of pandas (Parquet, CSV) and geopandas (GeoParquet, GeoJSON) data frames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Encoder

PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv"
GEOJSON = "application/geo+json"


def _default_index(frame: Any) -> bool:
    import pandas as pd

    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def write_pandas(value: Any, stem: Path, media_type: str) -> Path:
    if media_type == CSV:
        path = stem.with_suffix(".csv")
        value.to_csv(path, index=not _default_index(value))
        return path
    path = stem.with_suffix(".parquet")
    value.to_parquet(path)
    return path


def write_geopandas(value: Any, stem: Path, media_type: str) -> Path:
    if media_type == GEOJSON:
        path = stem.with_suffix(".geojson")
        path.write_text(value.to_json(to_wgs84=value.crs is not None), encoding="utf-8")
        return path
    path = stem.with_suffix(".parquet")
    value.to_parquet(path)  # GeoParquet: the geometry columns and CRS in the file's metadata
    return path


PANDAS = Encoder("pandas", ("pandas.DataFrame",), (PARQUET, CSV), write_pandas)
GEOPANDAS = Encoder("geopandas", ("geopandas.GeoDataFrame",), (PARQUET, GEOJSON), write_geopandas)
