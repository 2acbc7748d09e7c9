"""How job results are kept: small outputs inline in the store, large ones as files.

A stored results document is ``{"values": {output: value}, "files": {output:
{"file": name, "size": bytes, "type": media type}}}``; files live in the job's
results directory. Encoding runs in the worker process, so the server never
re-serialises a job's outputs.
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


def encode_results(results: dict[str, Any], job_dir: Path, inline_limit: int = INLINE_LIMIT) -> str:
    """The stored JSON of ``results``; writes outputs larger than ``inline_limit`` to files."""
    values: list[str] = []
    files: dict[str, dict[str, Any]] = {}
    for index, (output_id, value) in enumerate(results.items()):
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
