"""Progress bars for notebooks (an updating HTML ``<progress>``) and terminals (rich)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from eoproc.models import StatusInfo


class ProgressBar(Protocol):
    """A progress display: ``update(done, total, message)`` then ``close()``."""

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """Show ``done`` of ``total`` (``None``: unknown) and an optional message."""

    def close(self) -> None:
        """Leave the final state on screen."""


def in_notebook() -> bool:
    """Whether we run in a Jupyter kernel (an IPython shell with a kernel)."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _size(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


class NotebookBar:
    """An HTML progress bar updated in place in a Jupyter output cell."""

    def __init__(self, title: str, unit: str = "%") -> None:
        from IPython.display import HTML, display

        self._html = HTML
        self.title = title
        self.unit = unit
        self.handle: Any = display(HTML(self.html(0, None, None)), display_id=True)

    def html(self, done: float, total: float | None, message: str | None) -> str:
        """The bar as HTML."""
        if self.unit == "bytes":
            amount = f"{_size(done)} / {_size(total)}" if total else _size(done)
        else:
            amount = f"{done:.0f}%"
        maximum = total if total else 100
        value = f"value='{min(done, maximum)}'" if total or self.unit != "bytes" else ""
        note = f" — {escape(message)}" if message else ""
        return (
            f"<div><b>{escape(self.title)}</b> <progress {value} max='{maximum}' "
            f"style='width:30em'></progress> {amount}{note}</div>"
        )

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        if self.handle is not None:
            self.handle.update(self._html(self.html(done, total, message)))

    def close(self) -> None:
        pass


class TerminalBar:
    """A rich progress bar on stderr."""

    def __init__(self, title: str, unit: str = "%") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TransferSpeedColumn,
        )

        columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
        if unit == "bytes":
            columns += [DownloadColumn(binary_units=True), TransferSpeedColumn()]
        else:
            columns += [TaskProgressColumn(), TextColumn("{task.fields[message]}")]
        self.title = title
        self.progress = Progress(*columns, console=Console(stderr=True), transient=False)
        self.task = self.progress.add_task(
            title, total=100 if unit != "bytes" else None, message=""
        )
        self.progress.start()

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        fields: dict[str, Any] = {"completed": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        self.progress.update(self.task, **fields)

    def close(self) -> None:
        self.progress.stop()


def progress_bar(title: str, unit: str = "%") -> ProgressBar:
    """A notebook bar in Jupyter, else a terminal bar (``unit``: ``"%"`` or ``"bytes"``)."""
    if in_notebook():
        return NotebookBar(title, unit)
    return TerminalBar(title, unit)


def wants_bars() -> bool:
    """Whether progress bars are shown by default: in Jupyter, or on a terminal's stderr."""
    return in_notebook() or sys.stderr.isatty()


def download_bars(progress: bool | None) -> Callable[[str], ProgressBar] | None:
    """A maker of download progress bars (``progress=None``: in Jupyter or on a terminal)."""
    if progress is False or (progress is None and not wants_bars()):
        return None
    return lambda name: progress_bar(f"Downloading {name}", unit="bytes")


def job_bar(
    job_id: str, on_progress: Callable[[StatusInfo], Any] | None
) -> tuple[Callable[[StatusInfo], Any], ProgressBar]:
    """A progress bar of a job, and a callback that moves it (and calls ``on_progress``)."""
    bar = progress_bar(f"Job {job_id}")

    def notify(status: StatusInfo) -> Any:
        done = 100 if status.status.value == "successful" else (status.progress or 0)
        bar.update(done, 100, status.message or status.status.value)
        return on_progress(status) if on_progress is not None else None

    return notify, bar
