"""Pure helpers for a job's outputs: which one, where it is, how it comes, where it goes."""

from __future__ import annotations

import base64
import shutil
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROGRESS_MIN_BYTES = 8 * 1024 * 1024
"""Downloads at least this large show a progress bar (when bars are wanted)."""
ZIP = "application/zip"


@dataclass(frozen=True)
class OutputRef:
    """An output given by reference: its id, URL and the media type its link gives."""

    output_id: str
    href: str
    media_type: str | None


def part_path(path: Path) -> Path:
    """Where a download is written until it is complete."""
    return path.with_name(path.name + ".part")


def pick_output(job_id: str, results: Mapping[str, Any], output: str | None) -> tuple[str, Any]:
    """The id and value of ``output`` (or of the only output) in a job's results."""
    if output is None:
        if len(results) == 1:
            return next(iter(results.items()))
        names = ", ".join(results) or "none"
        raise ValueError(f"job {job_id} has several outputs ({names}): say which with output=")
    if output not in results:
        names = ", ".join(results) or "none"
        raise KeyError(f"job {job_id} has no output {output!r} (its outputs: {names})")
    return output, results[output]


def is_link(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("href"), str)


def qualified_bytes(value: Any) -> tuple[bytes, str] | None:
    """The bytes and media type of a qualified value (``{"value", "mediaType", ...}``)."""
    if not (isinstance(value, dict) and "value" in value and "mediaType" in value):
        return None
    data = value["value"]
    if value.get("encoding") == "base64" and isinstance(data, str):
        return base64.b64decode(data), str(value["mediaType"])
    if isinstance(data, str):
        return data.encode(), str(value["mediaType"])
    return None


def output_refs(results: Mapping[str, Any]) -> list[OutputRef]:
    """Every output given by reference (each link of a list of links too)."""
    refs = []
    for output_id, value in results.items():
        for item in value if isinstance(value, list) else [value]:
            if is_link(item):
                refs.append(OutputRef(output_id, item["href"], item.get("type")))
    return refs


def is_zipped_directory(ref: OutputRef, content_type: str | None) -> bool:
    """Whether a download is the zip of a directory output (e.g. a Zarr store)."""
    served = (content_type or "").split(";")[0].strip().lower()
    declared = (ref.media_type or "").split(";")[0].strip().lower()
    return served == ZIP and declared not in ("", ZIP)


def unzip_directory(archive: Path) -> Path:
    """Unpack the zip of a directory beside it (``scene.zarr.zip`` -> ``scene.zarr/``)."""
    target = archive.with_name(archive.name.removesuffix(".zip"))
    if target == archive:
        target = archive.with_name(archive.name + ".d")
    partial = target.with_name(target.name + ".unpacking")
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(partial)  # zipfile drops absolute paths and '..' parts
    if target.exists():
        shutil.rmtree(target)
    partial.replace(target)
    archive.unlink()
    return target
