"""One job of a deployed process: stage the inputs, run cwltool, deliver the outputs.

Everything happens in the job's results directory: the CWL run's working
files under ``.cwl/`` (removed when the run ends, however it ends), the final
outputs under ``outputs/``. A ``File`` or ``Directory`` output is returned as a
link to its file there, which the job service serves as ``results/{output}``
(a directory as a zip); an array of files is gathered in one directory.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from eoproc.processes.context import JobContext

from .describe import parameters
from .engine import StepProgress, execute, write_document
from .package import AppPackage, select_process, without_containers

IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
WORK_DIR = ".cwl"
OUTPUT_DIR = "outputs"


class InputStagingError(ValueError):
    """An input cannot be turned into a file for the CWL run."""


def run_package(
    package: AppPackage,
    inputs: Mapping[str, Any],
    ctx: JobContext,
    wanted: list[str],
    *,
    kinds: Mapping[str, str | None],
    use_container: bool,
) -> dict[str, Any]:
    """Run ``package`` on ``inputs`` for the job of ``ctx``; the ``wanted`` outputs.

    ``kinds`` tells how each input is staged (see :func:`.describe.kind`).
    """
    job_dir = ctx.output_dir
    work = job_dir / WORK_DIR
    document = package.cwl if use_container else without_containers(package.cwl)
    cwl_process, _ = select_process(package.cwl, package.target)
    steps = _step_names(cwl_process)
    ctx.progress(1, "Staging the inputs")
    try:
        path = write_document(document, work)
        job_order = {
            name: _stage(name, value, kinds.get(name), work / "inputs")
            for name, value in inputs.items()
        }
        progress = StepProgress(lambda p, m: ctx.progress(p, m), steps)
        ctx.progress(5, "Running the CWL " + ("workflow" if steps != ["run"] else "tool"))
        outputs = execute(
            path,
            package.target,
            job_order,
            work,
            job_dir / OUTPUT_DIR,
            use_container=use_container,
            progress=progress,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {name: deliver(name, outputs.get(name), job_dir) for name in wanted if name in outputs}


def _step_names(cwl_process: Mapping[str, Any]) -> list[str]:
    """The top-level step names of a Workflow; ``["run"]`` for a single tool."""
    if cwl_process.get("class") != "Workflow":
        return ["run"]
    return list(parameters(cwl_process, "steps"))


# -- inputs ----------------------------------------------------------------------------


def _stage(name: str, value: Any, kind: str | None, directory: Path) -> Any:
    """The CWL job-order value of one input."""
    if kind is None:
        if (
            isinstance(value, Mapping)
            and "value" in value
            and set(value)
            <= {
                "value",
                "mediaType",
                "encoding",
                "schema",
            }
        ):
            return value["value"]
        return value
    if isinstance(value, list):
        return [_stage_file(f"{name}_{i}", item, kind, directory) for i, item in enumerate(value)]
    return _stage_file(name, value, kind, directory)


def _stage_file(name: str, value: Mapping[str, Any], kind: str, directory: Path) -> dict[str, Any]:
    content = value["value"]
    media = str(value.get("mediaType") or "application/octet-stream")
    if value.get("encoding") == "base64":
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputStagingError(f"input {name!r}: not valid base64 ({exc})") from None
    else:
        data = str(content).encode("utf-8")
    directory.mkdir(parents=True, exist_ok=True)
    if kind == "Directory":
        archive = directory / f"{name}.zip"
        archive.write_bytes(data)
        target = directory / name
        try:
            with zipfile.ZipFile(archive) as zipped:
                _extract(zipped, target)
        except zipfile.BadZipFile:
            raise InputStagingError(
                f"input {name!r}: a Directory is given as a zip archive"
            ) from None
        return {"class": "Directory", "location": target.as_uri()}
    suffix = mimetypes.guess_extension(media.split(";")[0].strip()) or ""
    path = directory / f"{name}{suffix}"
    path.write_bytes(data)
    return {"class": "File", "location": path.as_uri()}


def _extract(zipped: zipfile.ZipFile, target: Path) -> None:
    """Extract an archive, refusing members that would land outside ``target``."""
    root = target.resolve()
    for member in zipped.namelist():
        if not (root / member).resolve().is_relative_to(root):
            raise InputStagingError(f"the archive member {member!r} leaves its directory")
    zipped.extractall(root)


# -- outputs ---------------------------------------------------------------------------


def deliver(name: str, value: Any, job_dir: Path) -> Any:
    """The output value a job returns: files and directories as links into ``job_dir``."""
    if isinstance(value, Mapping) and value.get("class") in ("File", "Directory"):
        return _link(value, job_dir)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, Mapping) and v.get("class") in ("File", "Directory") for v in value)
    ):
        gathered = job_dir / OUTPUT_DIR / f"{name}.items"
        gathered.mkdir(parents=True, exist_ok=True)
        for item in value:
            source = _local_path(item)
            shutil.move(str(source), gathered / source.name)
        return {"href": gathered.relative_to(job_dir).as_posix(), "type": "application/zip"}
    return value


def _local_path(value: Mapping[str, Any]) -> Path:
    location = str(value.get("location") or value.get("path") or "")
    if location.startswith("file:"):
        return Path(unquote(urlparse(location).path))
    return Path(location)


def _link(value: Mapping[str, Any], job_dir: Path) -> dict[str, Any]:
    path = _local_path(value)
    href = path.resolve().relative_to(job_dir.resolve()).as_posix()
    if value.get("class") == "Directory":
        return {"href": href, "type": "application/zip"}
    return {"href": href, "type": media_type_of(value, path)}


def media_type_of(value: Mapping[str, Any], path: Path) -> str:
    """The media type of a CWL File: its IANA ``format``, else guessed from its name."""
    fmt = value.get("format")
    if isinstance(fmt, str) and fmt.startswith(IANA_MEDIA_TYPES):
        return fmt[len(IANA_MEDIA_TYPES) :]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"
