"""The opener registry: your openers, entry points, clear errors; notebook progress bars."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eoproc import openers as registry
from eoproc.openers import FunctionOpener, NoOpenerError, ResultSource


@pytest.fixture
def restore() -> Iterator[None]:
    before = registry.openers()
    yield
    for opener in registry.openers():
        if opener not in before:
            registry.unregister_opener(opener)


def test_a_registered_opener_wins(restore: None) -> None:
    def upper(source: ResultSource, **kwargs: object) -> str:
        return (source.content or b"").decode().upper()

    mine = registry.register_opener(FunctionOpener("upper", ("text/*",), upper, extra=""))
    assert registry.get_opener("text/plain; charset=utf-8") is mine
    source = ResultSource("text/plain", content=b"shout")
    assert registry.open_source(source) == "SHOUT"
    registry.unregister_opener(mine)
    assert registry.open_source(source) == "shout"  # the built-in text opener again


def test_errors_name_the_media_type_and_the_extra(restore: None) -> None:
    with pytest.raises(NoOpenerError, match=r"'application/x-unheard-of'.*eoproc\[data\]"):
        registry.get_opener("application/x-unheard-of")
    needy = FunctionOpener(
        "needy", ("application/x-needy",), lambda s: s, requires=("no_such_module_xyz",)
    )
    registry.register_opener(needy)
    with pytest.raises(NoOpenerError) as caught:
        registry.get_opener("application/x-needy")
    assert caught.value.missing == ["no_such_module_xyz"]
    assert "needs no_such_module_xyz: pip install 'eoproc[data]'" in str(caught.value)
    with pytest.raises(TypeError, match="not an Opener"):
        registry.register_opener("nope")  # type: ignore[arg-type]


def test_openers_from_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore: None
) -> None:
    """A real distribution on sys.path (a dist-info with entry_points.txt) adds an opener."""
    package = tmp_path / "my_openers.py"
    package.write_text(
        "from eoproc.openers import FunctionOpener\n"
        "OPENER = FunctionOpener('reverse', ('application/x-reverse',), "
        "lambda source, **kw: source.content[::-1], extra='')\n"
    )
    info = tmp_path / "my_openers-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-openers\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[eoproc.openers]\nreverse = my_openers:OPENER\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys.modules["eoproc.openers.registry"], "_loaded", False)
    source = ResultSource("application/x-reverse", content=b"abc")
    assert registry.open_source(source) == b"cba"
    assert [o.name for o in registry.openers()].count("zarr") == 2  # loaded again: no harm


def test_notebook_progress_bar() -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    from eoproc.client.progress import NotebookBar

    InteractiveShell.instance()
    try:
        bar = NotebookBar("Downloading x", unit="bytes")
        bar.update(2048, 4096)
        bar.close()
        job = NotebookBar("Job 1")
    finally:
        InteractiveShell.clear_instance()  # no shell left behind for other tests
    assert "<progress value='512' max='1024'" in bar.html(512, 1024, None)
    assert "512 B / 1.0 KiB" in bar.html(512, 1024, None)
    assert "40%" in job.html(40, 100, "working") and "working" in job.html(40, 100, "working")
