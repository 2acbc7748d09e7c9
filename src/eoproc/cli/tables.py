"""Rich tables for ``--format table``: one layout per kind of document."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {
    "accepted": "cyan",
    "running": "yellow",
    "successful": "green",
    "failed": "bold red",
    "dismissed": "magenta",
}


def status_text(status: Any) -> Text:
    """A job status, coloured by its meaning."""
    value = str(status or "")
    return Text(value, style=STATUS_STYLES.get(value, ""))


def progress_text(progress: Any, width: int = 10) -> Text:
    """A progress percentage with a small bar, e.g. ``#####-----  50%``."""
    if progress is None:
        return Text("")
    percent = max(0, min(100, int(progress)))
    done = round(width * percent / 100)
    text = Text("#" * done, style="green")
    text.append("-" * (width - done), style="dim")
    text.append(f" {percent:3d}%")
    return text


def short_time(value: Any) -> str:
    """``2025-11-12T10:18:38.616131Z`` as ``2025-11-12 10:18:38``."""
    if not value:
        return ""
    text = str(value).replace("T", " ")
    return text[:19] if len(text) >= 19 else text


def compact(value: Any) -> str:
    """A cell for any value: strings as they are, the rest as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def first_line(text: Any) -> str:
    """The first sentence (or line) of a description."""
    lines = str(text or "").strip().splitlines()
    if not lines:
        return ""
    head, dot, _ = lines[0].partition(". ")
    return head + dot.strip()


def _id_column(table: Table, header: str, values: list[str]) -> None:
    """A column of identifiers: never wrapped, never shortened (they get copied)."""
    width = max([len(header), *(len(v) for v in values)])
    table.add_column(header, no_wrap=True, min_width=width, style="bold")


def _processes(data: dict[str, Any]) -> RenderableType:
    processes = data.get("processes", [])
    table = Table(title="Processes")
    _id_column(table, "ID", [str(p.get("id", "")) for p in processes])
    table.add_column("Title")
    table.add_column("Version", no_wrap=True)
    table.add_column("Description")
    for process in processes:
        table.add_row(
            str(process.get("id", "")),
            process.get("title", ""),
            process.get("version", ""),
            first_line(process.get("description")),
        )
    return table


def _jobs(data: dict[str, Any], width: int) -> RenderableType:
    """Jobs; on narrow consoles the creation time, then the progress bar, give way."""
    jobs = data.get("jobs", [])
    wide, medium = width >= 110, width >= 90
    table = Table(title="Jobs")
    _id_column(table, "Job ID", [str(job.get("jobID", "")) for job in jobs])
    table.add_column("Process", min_width=6)
    table.add_column("Status", no_wrap=True, min_width=10)
    if medium:
        table.add_column("Progress", no_wrap=True, min_width=10)
    table.add_column("Message", min_width=8)
    if wide:
        table.add_column("Created", min_width=10)
    for job in jobs:
        status = status_text(job.get("status"))
        if not medium and job.get("progress") is not None:
            status.append(f" {job['progress']}%")
        cells: list[RenderableType] = [
            str(job.get("jobID", "")),
            job.get("processID") or "",
            status,
        ]
        if medium:
            cells.append(progress_text(job.get("progress"), width=5))
        cells.append(job.get("message") or "")
        if wide:
            cells.append(short_time(job.get("created")))
        table.add_row(*cells)
    return table


def _job(data: dict[str, Any]) -> RenderableType:
    table = _key_value_table(f"Job {data.get('jobID', '')}")
    for key in (
        "jobID",
        "processID",
        "status",
        "progress",
        "message",
        "created",
        "started",
        "updated",
        "finished",
    ):
        if key not in data:
            continue
        value = data[key]
        cell: RenderableType
        if key == "status":
            cell = status_text(value)
        elif key == "progress":
            cell = progress_text(value)
        elif key in ("created", "started", "updated", "finished"):
            cell = short_time(value)
        else:
            cell = compact(value)
        table.add_row(key, cell)
    for link in data.get("links") or []:
        table.add_row(f"link ({link.get('rel', '')})", link.get("href", ""))
    return table


def _schema_type(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    kind = schema.get("type") or ""
    if kind == "array" and isinstance(schema.get("items"), dict):
        return f"array[{_schema_type(schema['items'])}]"
    if "enum" in schema:
        return f"{kind} ({'|'.join(str(v) for v in schema['enum'])})".strip()
    for combinator in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(combinator), list):
            return f" {combinator} ".join(_schema_type(s) for s in schema[combinator])
    return str(kind) or str(schema.get("format", ""))


def _process(data: dict[str, Any]) -> RenderableType:
    head = _key_value_table(f"Process {data.get('id', '')}")
    for key in ("id", "title", "version", "description", "jobControlOptions", "outputTransmission"):
        if key in data:
            head.add_row(key, compact(data[key]))
    inputs = Table("Input", "Type", "Required", "Default", "Title / description", title="Inputs")
    for name, desc in (data.get("inputs") or {}).items():
        schema = desc.get("schema") or {}
        required = desc.get("minOccurs", 1) not in (0, None)
        inputs.add_row(
            Text(name, style="bold"),
            _schema_type(schema),
            "yes" if required else "no",
            compact(schema.get("default")) if isinstance(schema, dict) else "",
            first_line(desc.get("title") or desc.get("description")),
        )
    outputs = Table("Output", "Type", "Title / description", title="Outputs")
    for name, desc in (data.get("outputs") or {}).items():
        outputs.add_row(
            Text(name, style="bold"),
            _schema_type(desc.get("schema")),
            first_line(desc.get("title") or desc.get("description")),
        )
    return Group(head, inputs, outputs)


def _results(data: dict[str, Any]) -> RenderableType:
    table = Table("Output", "Value", title="Results")
    for name, value in data.items():
        if isinstance(value, dict) and "href" in value:
            table.add_row(Text(name, style="bold"), Text(str(value["href"]), style="underline"))
        else:
            table.add_row(Text(name, style="bold"), compact(value))
    return table


def _problems(data: dict[str, Any]) -> RenderableType:
    table = Table(
        "Path",
        "Problem",
        title="Request is invalid" if data.get("problems") else "Request is valid",
    )
    for problem in data.get("problems", []):
        table.add_row(problem.get("path") or "(request)", problem.get("message", ""))
    return table


def _conformance(data: dict[str, Any]) -> RenderableType:
    table = Table("Conformance class", title="Conformance")
    for uri in data.get("conformsTo", []):
        table.add_row(uri)
    return table


def _links_doc(data: dict[str, Any]) -> RenderableType:
    head = _object(data, without=("links",))
    links = Table("Rel", "Type", "Title", "Href", title="Links")
    for link in data.get("links") or []:
        links.add_row(
            link.get("rel") or "",
            link.get("type") or "",
            link.get("title") or "",
            link.get("href", ""),
        )
    return Group(head, links)


def _files(data: Any) -> RenderableType:
    table = Table("Downloaded file", title="Files")
    for path in data or []:
        table.add_row(str(path))
    return table


def _key_value_table(title: str | None = None) -> Table:
    table = Table(show_header=False, title=title)
    table.add_column(style="bold")
    table.add_column()
    return table


def _object(data: Any, without: tuple[str, ...] = ()) -> RenderableType:
    if not isinstance(data, dict):
        return Text(compact(data))
    table = _key_value_table()
    for key in sorted(data):
        if key not in without:
            table.add_row(key, compact(data[key]))
    return table


_LAYOUTS: dict[str, Callable[[Any], RenderableType]] = {
    "processes": _processes,
    "process": _process,
    "job": _job,
    "results": _results,
    "problems": _problems,
    "conformance": _conformance,
    "capabilities": _links_doc,
    "files": _files,
}


def make_table(kind: str, data: Any, width: int = 80) -> RenderableType:
    """The table for a document of the given kind (key/value for any other)."""
    if kind == "jobs":
        return _jobs(data, width)
    return _LAYOUTS.get(kind, _object)(data)
