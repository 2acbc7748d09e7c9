"""Encoders of ``pathlib.Path`` (a file or a directory) and ``bytes``."""

from __future__ import annotations

import mimetypes
import shutil
from pathlib import Path
from typing import Any

from .base import Encoder

OCTET_STREAM = "application/octet-stream"
ZARR = "application/vnd+zarr"
ZIP = "application/zip"


def path_media_type(path: Path) -> str:
    """The media type of a file or directory, from its name (a directory: Zarr or zip)."""
    if path.is_dir():
        return ZARR if path.suffix == ".zarr" else ZIP
    return mimetypes.guess_type(path.name)[0] or OCTET_STREAM


def write_path(value: Any, stem: Path, media_type: str) -> Path:
    """Keep a path inside the job's directory; copy one from elsewhere into it."""
    source = Path(value)
    if not source.exists():
        raise FileNotFoundError(f"the returned path {source.name!r} does not exist")
    root = stem.parent.resolve()
    resolved = source.resolve()
    if resolved == root:
        raise ValueError(
            "a process returned its whole output directory: return a file or a "
            "sub-directory of it (e.g. ctx.output_dir / 'results')"
        )
    if resolved.is_relative_to(root):
        return resolved
    target = stem.with_name(source.name)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)
    return target


def write_bytes(value: Any, stem: Path, media_type: str) -> Path:
    suffix = mimetypes.guess_extension(media_type.partition(";")[0].strip()) or ".bin"
    path = stem.with_suffix(suffix)
    path.write_bytes(bytes(value))
    return path


PATH = Encoder("path", (), (OCTET_STREAM,), write_path, extra="", any_media_type=True)
BYTES = Encoder("bytes", (), (OCTET_STREAM,), write_bytes, extra="", any_media_type=True)
