"""Wait for a job with a live progress display; Ctrl-C offers to dismiss it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from .startup import collect_while_waiting
from .streams import console, is_tty

if TYPE_CHECKING:
    from eoproc.client import Client
    from eoproc.models import StatusInfo

EXIT_INTERRUPTED = 130


def describe(status: StatusInfo) -> str:
    """One line about a job: ``job_1 (primes_between): running 40% - Sieving``."""
    process = f" ({status.processID})" if status.processID else ""
    progress = f" {status.progress}%" if status.progress is not None else ""
    message = f" - {status.message}" if status.message else ""
    return f"{status.jobID}{process}: {status.status.value}{progress}{message}"


def wait_for_job(client: Client, job_id: str, *, timeout: float | None) -> StatusInfo:
    """Wait until the job ends and return its final status.

    On a terminal a rich progress bar (on stderr) follows the job's progress and
    message; elsewhere each change is logged as one line on stderr. The client
    raises ``JobFailedError`` for failed or dismissed jobs.
    """
    collect_while_waiting()
    try:
        if is_tty(sys.stderr):
            return _wait_with_bar(client, job_id, timeout)
        return _wait_with_lines(client, job_id, timeout)
    except KeyboardInterrupt:
        _offer_dismiss(client, job_id)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _wait_with_bar(client: Client, job_id: str, timeout: float | None) -> StatusInfo:
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns: list[Any] = [
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console(stderr=True)) as progress:
        task = progress.add_task(f"{job_id}: waiting", total=None)

        def on_progress(status: StatusInfo) -> None:
            total = 100 if status.progress is not None or status.status.is_final else None
            done = 100 if status.status.value == "successful" else (status.progress or 0)
            progress.update(task, description=describe(status), total=total, completed=done)

        return client.wait_for_job(job_id, timeout=timeout, on_progress=on_progress)


def _wait_with_lines(client: Client, job_id: str, timeout: float | None) -> StatusInfo:
    last: list[str] = []

    def on_progress(status: StatusInfo) -> None:
        line = describe(status)
        if not last or last[-1] != line:
            last.append(line)
            print(line, file=sys.stderr, flush=True)

    return client.wait_for_job(job_id, timeout=timeout, on_progress=on_progress)


def _offer_dismiss(client: Client, job_id: str) -> None:
    """After Ctrl-C: ask whether to dismiss the job (only when someone can answer)."""
    print(file=sys.stderr)
    can_ask = is_tty(sys.stdin) and is_tty(sys.stderr)
    if can_ask and typer.confirm(
        f"Stopped waiting. Dismiss job {job_id}?", default=False, err=True
    ):
        client.dismiss_job(job_id)
        print(f"Job {job_id} dismissed.", file=sys.stderr)
        return
    print(f"Job {job_id} keeps running; dismiss it with `dismiss-job {job_id}`.", file=sys.stderr)
