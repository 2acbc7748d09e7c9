"""How job results are kept: small outputs inline in the store, large ones as files.

A stored results document is ``{"values": {output: value}, "files": {output:
{"file": path, "size": bytes, "type": media type, ["directory": bool, "link":
the link the process returned]}}}``; files live in the job's results directory.
Encoding runs in the worker process, so the server never re-serialises a job's
outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INLINE_LIMIT = 64 * 1024
"""Outputs whose JSON is larger than this (bytes) are written to files."""

MAX_INLINE_READ = 16 * 1024 * 1024
"""File outputs up to this size are inlined in results documents when asked by value."""


def job_file(value: Any, job_dir: Path) -> Path | None:
    """The file or directory in ``job_dir`` that a link output (``{"href": ...}``) names."""
    if not isinstance(value, dict) or not isinstance(value.get("href"), str):
        return None
    href = value["href"]
    if "://" in href or href.startswith("file:"):
        return None
    root = job_dir.resolve()
    target = (root / href).resolve()
    if target == root or not target.is_relative_to(root) or not target.exists():
        return None
    return target


def tree_size(path: Path) -> int:
    """The size of a file, or the total size of the files in a directory (bytes)."""
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def encode_results(results: dict[str, Any], job_dir: Path, inline_limit: int = INLINE_LIMIT) -> str:
    """The stored JSON of ``results``; writes outputs larger than ``inline_limit`` to files.

    A link output naming a file or directory the job wrote into ``job_dir`` is
    kept as a file output (served by the server under ``results/{output}``).
    """
    values: list[str] = []
    files: dict[str, dict[str, Any]] = {}
    for index, (output_id, value) in enumerate(results.items()):
        target = job_file(value, job_dir)
        if target is not None:
            files[output_id] = {
                "file": target.relative_to(job_dir.resolve()).as_posix(),
                "size": tree_size(target),
                "type": value.get("type") or "application/octet-stream",
                "directory": target.is_dir(),
                "link": value,
            }
            continue
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        data = text.encode()
        if len(data) > inline_limit:
            job_dir.mkdir(parents=True, exist_ok=True)
            name = f"output-{index}.json"
            (job_dir / name).write_bytes(data)
            files[output_id] = {"file": name, "size": len(data), "type": "application/json"}
        else:
            values.append(f"{json.dumps(output_id)}:{text}")
    return '{"values":{' + ",".join(values) + '},"files":' + json.dumps(files) + "}"


@dataclass(frozen=True)
class StoredResults:
    """A decoded results document."""

    values: dict[str, Any]
    files: dict[str, dict[str, Any]]

    @classmethod
    def decode(cls, text: str | None) -> StoredResults:
        """Decode the stored JSON (``None``: no results)."""
        if not text:
            return cls({}, {})
        doc = json.loads(text)
        return cls(doc.get("values", {}), doc.get("files", {}))

    def output_ids(self) -> list[str]:
        """Every output id, inline or file."""
        return [*self.values, *self.files]


def read_file_output(path: Path) -> Any:
    """The value of an output kept as a file."""
    return json.loads(path.read_bytes())
