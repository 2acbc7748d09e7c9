"""The examples of ``docs/client.md`` run as written against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.live_server import LiveServer

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "client.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_guide_example(
    index: int,
    live_server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("EOPROC_API_URL", live_server.url)
    monkeypatch.setenv("S2GOS_API_URL", live_server.url)
    exec(compile(BLOCKS[index], f"{GUIDE.name} example {index + 1}", "exec"), {})
    printed = capsys.readouterr().out
    for expected in re.findall(r"print\(.*\)  # (.*)", BLOCKS[index]):
        literal = expected.split(" ...")[0]
        assert literal in printed, f"{expected!r} not in {printed!r}"


def test_the_guide_has_examples() -> None:
    assert len(BLOCKS) >= 5
