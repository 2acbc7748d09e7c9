"""Output encoders: a process's return value -> a file in the job's results, with its media type.

=====================  ==============================================  =====================
Returned value         Media types (the default first)                 File
=====================  ==============================================  =====================
``xarray.Dataset``,    ``application/vnd+zarr``,                       ``.zarr`` directory
``xarray.DataArray``   ``application/x-netcdf``                        (consolidated), ``.nc``
``pandas.DataFrame``   ``application/vnd.apache.parquet``,             ``.parquet``, ``.csv``
                       ``text/csv``
``GeoDataFrame``       ``application/vnd.apache.parquet`` (GeoParquet) ``.parquet``,
                       ``application/geo+json``                        ``.geojson``
``numpy.ndarray``      ``application/x-npy``, ``application/json``     ``.npy`` (or JSON)
``PIL.Image.Image``    ``image/png``, ``image/tiff``                   ``.png``, ``.tif``
``bytes``              any declared (``application/octet-stream``)     as given
``pathlib.Path``       from its name (a directory: Zarr, or zip)       the file or directory
=====================  ==============================================  =====================

Each optional library is imported only when a value of its type is encoded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .arrays import NUMPY, XARRAY
from .base import Encoder, encoder_for_type, encoder_for_value, encoders, register_encoder
from .files import BYTES, PATH, path_media_type
from .images import IMAGE
from .tables import GEOPANDAS, PANDAS

for _encoder in (BYTES, PATH, NUMPY, XARRAY, PANDAS, GEOPANDAS, IMAGE):
    register_encoder(_encoder)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(name: str) -> str:
    """A safe file name (without suffix) for an output called ``name``."""
    return _UNSAFE.sub("_", name).strip("._") or "output"


def encode_output(
    value: Any, directory: Path, name: str, media_type: str | None = None
) -> dict[str, Any] | Any:
    """Encode one output value: a link (``href`` relative to ``directory``) or a JSON value.

    ``media_type`` chooses among the encodings the value's encoder offers
    (default: its first). Values without encoder are returned unchanged.
    """
    encoder = encoder_for_value(value)
    if encoder is None:
        return value
    chosen = media_type or encoder.media_types[0]
    if not encoder.offers(chosen):
        offered = ", ".join((*encoder.media_types, *encoder.json_media_types))
        raise ValueError(f"a {encoder.kind} output cannot be encoded as {chosen} (only {offered})")
    if chosen in encoder.json_media_types and encoder.to_json is not None:
        return encoder.to_json(value)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        path = encoder.write(value, directory / file_stem(name), chosen)
    except ImportError as error:
        raise ImportError(
            f"encoding a {encoder.kind} output as {chosen} needs {error.name or 'a library'} "
            f"({error}): "
            f"pip install 'eoproc[{encoder.extra or 'data'}]'"
        ) from error
    if encoder.kind == "path" and media_type is None:
        chosen = path_media_type(path)
    href = path.resolve().relative_to(directory.resolve()).as_posix()
    return {"href": href, "type": chosen, "rel": "enclosure"}


__all__ = [
    "Encoder",
    "encode_output",
    "encoder_for_type",
    "encoder_for_value",
    "encoders",
    "file_stem",
    "path_media_type",
    "register_encoder",
]
