"""HTML tables for notebooks: process lists, job lists, job status and results.

The models stay free of presentation code: :func:`register_ipython_formatters`
tells a running IPython how to show them (the clients call it when IPython is
loaded). The functions can also be used directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eoproc.models import JobList, JobResults, ProcessList, StatusInfo

_STATUS_COLOURS = {
    "accepted": "#6c757d",
    "running": "#0d6efd",
    "successful": "#198754",
    "failed": "#dc3545",
    "dismissed": "#fd7e14",
}


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str) -> str:
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td style='text-align:left'>{c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption style='text-align:left'>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _text(value: Any, limit: int = 120) -> str:
    if value is None:
        return ""
    text = str(value).strip().splitlines()[0] if str(value).strip() else ""
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")


def _status(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "inherit")
    return f"<span style='color:{colour};font-weight:bold'>{escape(status)}</span>"


def _progress(progress: int | None) -> str:
    if progress is None:
        return ""
    return f"<progress value='{progress}' max='100'></progress> {progress}%"


def process_list_html(processes: ProcessList) -> str:
    """A table of the processes: id, title, version, description."""
    rows = [
        (escape(p.id), _text(p.title), escape(p.version), _text(p.description))
        for p in processes.processes
    ]
    return _table(
        ("ID", "Title", "Version", "Description"),
        rows,
        f"{len(rows)} process{'es' if len(rows) != 1 else ''}",
    )


def _job_row(job: StatusInfo) -> tuple[str, ...]:
    def when(value: Any) -> str:
        return escape(value.isoformat(timespec="seconds")) if value is not None else ""

    return (
        escape(job.jobID),
        escape(job.processID or ""),
        _status(job.status.value),
        _progress(job.progress),
        _text(job.message),
        when(job.created),
        when(job.finished),
    )


_JOB_HEADERS = ("Job ID", "Process", "Status", "Progress", "Message", "Created", "Finished")


def job_list_html(jobs: JobList) -> str:
    """A table of the jobs with status (coloured) and progress."""
    rows = [_job_row(job) for job in jobs.jobs]
    return _table(_JOB_HEADERS, rows, f"{len(rows)} job{'s' if len(rows) != 1 else ''}")


def status_html(job: StatusInfo) -> str:
    """A one-row table of a job's status."""
    return _table(_JOB_HEADERS, [_job_row(job)], f"Job {job.jobID}")


def results_html(results: JobResults) -> str:
    """A table of a job's outputs (links are clickable)."""
    rows = []
    for output_id, value in results.root.items():
        if isinstance(value, dict) and isinstance(value.get("href"), str):
            href = escape(value["href"], quote=True)
            cell = f"<a href='{href}'>{escape(value['href'])}</a>"
        else:
            cell = _text(json.dumps(value, default=str), 300)
        rows.append((escape(output_id), cell))
    return _table(("Output", "Value"), rows, f"{len(rows)} output{'s' if len(rows) != 1 else ''}")


def register_ipython_formatters(shell: Any = None) -> bool:
    """Show the models as HTML tables in IPython/Jupyter; False if there is no shell."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    from eoproc.models import JobList, JobResults, ProcessList, StatusInfo

    formatter.for_type(ProcessList, process_list_html)
    formatter.for_type(JobList, job_list_html)
    formatter.for_type(StatusInfo, status_html)
    formatter.for_type(JobResults, results_html)
    return True
