"""The demo processes plus one whose title and description hold markup (escaping test).

Served by the UI tests as ``tests.ui.procs:registry``.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from typing_extensions import TypedDict

from eoproc.models import Link
from eoproc.processes import JobContext, ProcessRegistry
from eoproc.processes.demo import demo

registry = ProcessRegistry(list(demo))

EVIL_TITLE = "<script>window.pwned = true</script><b>Bold</b> & co"


@registry.process(title=EVIL_TITLE)
def evil(text: str = "<img src=x onerror=alert(1)>") -> str:
    """Returns <script>alert("text")</script> unchanged."""
    return text


class Files(TypedDict):
    """A picture, a table and rows: what the results section previews."""

    picture: Link
    table: Link
    rows: list[dict[str, Any]]


@registry.process(title="Picture and table")
def picture_and_table(ctx: JobContext, size: int = 48) -> Files:
    """Writes a PNG gradient and a CSV table into the job's output directory."""
    (ctx.output_dir / "picture.png").write_bytes(png_gradient(size))
    lines = ["band,mean,valid"] + [f"B{i:02d},{i * 0.25:.2f},{i % 2 == 0}" for i in range(1, 13)]
    (ctx.output_dir / "table.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Files(
        picture=Link(href="picture.png", type="image/png", title="Gradient"),
        table=Link(href="table.csv", type="text/csv", title="Band statistics"),
        rows=[{"band": "B01", "mean": 0.25}, {"band": "B02", "mean": 0.5}],
    )


def png_gradient(size: int) -> bytes:
    """A ``size`` x ``size`` RGB PNG with a red-blue gradient."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // size, 80, y * 255 // size)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
