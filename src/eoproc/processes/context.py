"""The job context a process function sees: progress, cancellation, output directory."""

from __future__ import annotations

import math
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

ProgressCallback = Callable[[int | None, str | None], None]
"""Receives the progress in percent (an int 0..100, or None) and a message (or None)."""

_current: ContextVar[JobContext | None] = ContextVar("eoproc_job_context", default=None)


class JobCancelled(Exception):
    """The job was cancelled (dismissed) while running."""


class JobContext:
    """What a running job offers its process function.

    A process gets it either by declaring a parameter annotated ``JobContext``
    (injected, never an input) or by calling :meth:`JobContext.current` (a
    ``contextvars`` lookup; outside of a job this is a fresh no-op context).

    Args:
        job_id: The id of the job ("" when run outside of a job).
        output_dir: Where the job writes its files; created on first access of
            :attr:`output_dir`. When ``None``, a fresh private temporary
            directory is made for this context on first access.
        on_progress: Called by :meth:`progress` with ``(percent, message)``.
        is_cancelled: Polled by :attr:`cancelled`; the job is cancelled when it
            returns true (or after :meth:`cancel`).
    """

    def __init__(
        self,
        job_id: str = "",
        output_dir: Path | None = None,
        on_progress: ProgressCallback | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.job_id = job_id
        self._output_dir = Path(output_dir) if output_dir is not None else None
        self._output_dir_ready = False
        self._on_progress = on_progress
        self._is_cancelled = is_cancelled
        self._cancel_requested = threading.Event()
        self._lock = threading.Lock()
        self.last_progress: int | None = None
        self.last_message: str | None = None

    def __repr__(self) -> str:
        return f"JobContext(job_id={self.job_id!r}, output_dir={self._output_dir!r})"

    @classmethod
    def current(cls) -> JobContext:
        """The context of the job running in this thread/task, or a new no-op context."""
        ctx = _current.get()
        return ctx if ctx is not None else cls()

    @contextmanager
    def activate(self) -> Iterator[JobContext]:
        """Make this the :meth:`current` context inside the ``with`` block."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    @property
    def output_dir(self) -> Path:
        """The job's own output directory (created on first access)."""
        with self._lock:
            if self._output_dir is None:
                prefix = f"eoproc-{self.job_id}-" if self.job_id else "eoproc-"
                self._output_dir = Path(tempfile.mkdtemp(prefix=prefix))
            elif not self._output_dir_ready:
                self._output_dir.mkdir(parents=True, exist_ok=True)
            self._output_dir_ready = True
            return self._output_dir

    def progress(self, percent: float | None, message: str | None = None) -> None:
        """Report progress in percent (clamped to 0..100; ``None`` = unknown) and a message."""
        value: int | None = None
        if percent is not None:
            if math.isnan(percent):
                raise ValueError("progress must be a number between 0 and 100, not NaN")
            value = round(min(100.0, max(0.0, float(percent))))
        self.last_progress = value
        if message is not None:
            self.last_message = message
        if self._on_progress is not None:
            self._on_progress(value, message)

    def cancel(self) -> None:
        """Ask the job to stop; :attr:`cancelled` is true from now on."""
        self._cancel_requested.set()

    @property
    def cancelled(self) -> bool:
        """Whether the job has been asked to stop."""
        if self._cancel_requested.is_set():
            return True
        return bool(self._is_cancelled is not None and self._is_cancelled())

    def check_cancelled(self) -> None:
        """Raise :class:`JobCancelled` if the job has been asked to stop."""
        if self.cancelled:
            what = f"Job {self.job_id!r}" if self.job_id else "The job"
            raise JobCancelled(f"{what} was cancelled")
