"""Encoder of PIL images (PNG, or TIFF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import Encoder

PNG = "image/png"
TIFF = "image/tiff"


def write_image(value: Any, stem: Path, media_type: str) -> Path:
    if media_type == TIFF:
        path = stem.with_suffix(".tif")
        value.save(path, format="TIFF")
        return path
    path = stem.with_suffix(".png")
    value.save(path, format="PNG")
    return path


IMAGE = Encoder("image", ("PIL.Image",), (PNG, TIFF), write_image)
