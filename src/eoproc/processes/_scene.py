"""The simulated scene of ``simulate_scene`` (needs the ``scene`` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

try:
    import dask.array as da
    import numpy as np
    import xarray as xr
    import zarr  # noqa: F401  (xarray needs it to write Zarr)
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        f"simulate_scene needs the 'scene' extra ({error.name or error} is missing): "
        "pip install 'eoproc[scene]'"
    ) from error


def make_scene(
    var_names: Sequence[str],
    bbox: tuple[float, float, float, float],
    resolution: float,
    start_date: date,
    end_date: date,
    periodicity: int,
) -> xr.Dataset:
    """Random float32 variables on a lat/lon grid, one (lazy) chunk per time slice."""
    west, south, east, north = bbox
    lon = np.arange(west + resolution / 2, east, resolution)
    lat = np.arange(north - resolution / 2, south, -resolution)
    times = np.arange(
        np.datetime64(start_date, "D"),
        np.datetime64(end_date, "D") + 1,
        np.timedelta64(periodicity, "D"),
    ).astype("datetime64[ns]")
    shape = (len(times), len(lat), len(lon))
    rng = da.random.default_rng()
    variables = {
        name: (
            ("time", "lat", "lon"),
            rng.random(shape, chunks=(1, len(lat), len(lon)), dtype=np.float32),
        )
        for name in var_names
    }
    return xr.Dataset(
        variables,
        coords={"time": times, "lat": lat, "lon": lon},
        attrs={"title": "Simulated scene", "source": "eoproc simulate_scene"},
    )
