"""Print results as YAML (default), JSON or rich tables."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import Any

from .streams import console, is_utf

# Tables written to a file or pipe are not cut to 80 columns.
TABLE_WIDTH_NOT_TTY = 160


class OutputFormat(StrEnum):
    """The output formats of every command."""

    yaml = "yaml"
    json = "json"
    table = "table"


def to_data(value: Any) -> Any:
    """A JSON-compatible form of a model, a list of models, or plain data."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    return value


def dump_yaml(data: Any) -> str:
    """YAML with sorted keys in block style, lossless on any console encoding.

    On a console that cannot show every character (cp1252, say) a string is
    written as it is when the console's encoding has all its characters
    (``München``), else escaped (``"\\u0141\\xF3d\\u017A"``).
    """
    import yaml

    dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    if not is_utf(sys.stdout):
        dumper = _encoding_dumper(getattr(sys.stdout, "encoding", None) or "ascii")
    text: str = yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
    )
    return text


def _encoding_dumper(encoding: str) -> Any:
    """A YAML dumper escaping the strings that ``encoding`` cannot write (only those)."""
    import yaml

    class EncodingDumper(yaml.SafeDumper):
        def analyze_scalar(self, scalar: str) -> Any:
            try:
                scalar.encode(encoding)
            except (UnicodeEncodeError, LookupError):
                self.allow_unicode = False
            else:
                self.allow_unicode = True
            return super().analyze_scalar(scalar)

    return EncodingDumper


def dump_json(data: Any) -> str:
    """Indented JSON, ASCII-escaped when the console cannot show every character."""
    return json.dumps(data, indent=2, ensure_ascii=not is_utf(sys.stdout)) + "\n"


def output(value: Any, fmt: OutputFormat, kind: str = "object") -> None:
    """Print ``value`` to stdout in format ``fmt``; ``kind`` chooses the table layout."""
    data = to_data(value)
    if fmt is OutputFormat.json:
        sys.stdout.write(dump_json(data))
    elif fmt is OutputFormat.table:
        from .tables import make_table

        out = console()
        if not out.is_terminal and "COLUMNS" not in os.environ:
            out.width = TABLE_WIDTH_NOT_TTY
        out.print(make_table(kind, data, out.width))
    else:
        sys.stdout.write(dump_yaml(data))
    sys.stdout.flush()
