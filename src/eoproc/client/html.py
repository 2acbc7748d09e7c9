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
    from eoproc.models import (
        JobList,
        JobResults,
        LandingPage,
        ProcessDescription,
        ProcessList,
        StatusInfo,
    )

    from .config import ClientConfig

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


def _size(value: Any) -> str:
    if not isinstance(value, int):
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


def results_html(results: JobResults) -> str:
    """A table of a job's outputs: value or link, media type, size (links are clickable)."""
    rows = []
    for output_id, value in results.root.items():
        media_type, size = "", ""
        if isinstance(value, dict) and isinstance(value.get("href"), str):
            href = escape(value["href"], quote=True)
            cell = f"<a href='{href}'>{escape(value['href'])}</a>"
            media_type = escape(str(value.get("type") or ""))
            size = _size(value.get("length"))
        elif isinstance(value, dict) and "mediaType" in value and "value" in value:
            cell = "(inline)"
            media_type = escape(str(value["mediaType"]))
        else:
            cell = _text(json.dumps(value, default=str), 300)
            media_type = "application/json"
        rows.append((escape(output_id), cell, media_type, size))
    return _table(
        ("Output", "Value", "Media type", "Size"),
        rows,
        f"{len(rows)} output{'s' if len(rows) != 1 else ''}",
    )


def _media_types(schema: Any) -> str:
    """The media types an output's schema names (``contentMediaType``, in ``oneOf`` too)."""
    if not isinstance(schema, dict):
        return ""
    found = [schema["contentMediaType"]] if "contentMediaType" in schema else []
    for item in schema.get("oneOf") or []:
        if isinstance(item, dict) and "contentMediaType" in item:
            found.append(item["contentMediaType"])
    return escape(", ".join(str(f) for f in found)) or escape(str(schema.get("type") or ""))


def process_description_html(process: ProcessDescription) -> str:
    """The process's id, title and description, then tables of its inputs and outputs."""
    body = process.to_dict()
    head = (
        f"<div><b>{escape(process.id)}</b> {_text(process.title)} "
        f"<small>version {escape(process.version)}</small><br>{_text(process.description, 500)}"
    )
    inputs = [
        (
            escape(name),
            _text(item.get("title")),
            escape(str((item.get("schema") or {}).get("type", ""))),
            escape(str(item.get("minOccurs", 1))),
            escape(json.dumps((item.get("schema") or {}).get("default", ""), default=str)),
        )
        for name, item in (body.get("inputs") or {}).items()
    ]
    outputs = [
        (escape(name), _text(item.get("title")), _media_types(item.get("schema")))
        for name, item in (body.get("outputs") or {}).items()
    ]
    return (
        head
        + _table(("Input", "Title", "Type", "Min", "Default"), inputs, "Inputs")
        + _table(("Output", "Title", "Media type / type"), outputs, "Outputs")
        + "</div>"
    )


def landing_page_html(page: LandingPage) -> str:
    """The service's title and description, and its links."""
    rows = [
        (
            f"<a href='{escape(link.href, quote=True)}'>{escape(link.href)}</a>",
            escape(link.rel or ""),
            _text(link.title),
        )
        for link in page.links
    ]
    title = escape(page.title or "OGC API - Processes service")
    return (
        f"<div><b>{title}</b><br>{_text(page.description, 500)}"
        + _table(("Link", "Relation", "Title"), rows, "Links")
        + "</div>"
    )


def client_html(name: str, config: ClientConfig) -> str:
    """A client's server, profile and authentication; ``name`` is its class name."""
    rows = [
        ("API URL", escape(config.api_url)),
        ("Profile", escape(config.profile.name)),
        ("Authentication", escape(str(config.auth.type))),
    ]
    return _table(("", ""), rows, name)


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
    from eoproc.models import (
        JobList,
        JobResults,
        LandingPage,
        ProcessDescription,
        ProcessList,
        StatusInfo,
    )

    formatter.for_type(ProcessList, process_list_html)
    formatter.for_type(ProcessDescription, process_description_html)
    formatter.for_type(LandingPage, landing_page_html)
    formatter.for_type(JobList, job_list_html)
    formatter.for_type(StatusInfo, status_html)
    formatter.for_type(JobResults, results_html)
    return True
