"""Processes of ``results_transfer.py``: a big file output and a big Zarr output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eoproc.processes import JobContext, ProcessRegistry

registry = ProcessRegistry()

BLOCK = 8 * 1024 * 1024


@registry.process
def big_file(ctx: JobContext, mib: int = 1024) -> Path:
    """A file of ``mib`` MiB (random bytes: nothing on the way can compress them)."""
    import os

    block = os.urandom(BLOCK)
    path = ctx.output_dir / "big.bin"
    with path.open("wb") as file:
        for _ in range(mib * 1024 * 1024 // BLOCK):
            file.write(block)
    return path


@registry.process(outputs={"return_value": {"mediaType": "application/vnd+zarr"}})
def big_zarr(steps: int = 256, side: int = 1024) -> Any:
    """A float32 cube of ``steps`` x ``side`` x ``side`` (1 GiB by default), one chunk
    (4 MiB) per time step, as Zarr."""
    import dask.array as da
    import numpy as np
    import xarray as xr

    data = da.random.default_rng(1).random(
        (steps, side, side), chunks=(1, side, side), dtype=np.float32
    )
    return xr.Dataset(
        {"v": (("time", "y", "x"), data)},
        coords={"time": np.arange(steps), "y": np.arange(side), "x": np.arange(side)},
    )
