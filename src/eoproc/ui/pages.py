"""Rendering of the pages: one Jinja template per resource, over its JSON document."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from .forms import input_fields, input_schemas

TERMINAL = ("successful", "failed", "dismissed")
INLINE_LIMIT = 20_000
"""Characters of an inline value shown in full; longer ones are cut."""
STATUSES = ("accepted", "running", "successful", "failed", "dismissed")
_TITLES = {
    "landing": "Home",
    "conformance": "Conformance",
    "processes": "Processes",
    "process": "Process",
    "jobs": "Jobs",
    "job": "Job",
    "results": "Results",
}


@dataclass
class Answer:
    """One inner answer: status, headers and (for JSON) the parsed body."""

    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: Any = None
    is_json: bool = False


@dataclass(frozen=True)
class PageContext:
    """What every page needs besides its document."""

    kind: str
    ident: str | None
    base: str
    url: str
    query: list[tuple[str, str]]
    title: str
    auth_schemes: tuple[str, ...]
    api_key_header: str

    def with_format(self, href: str, fmt: str) -> str:
        """``href`` with ``f=fmt`` if it points into this server (else unchanged)."""
        if not href.startswith(self.base):
            return href
        parts = urlsplit(href)
        query = [(k, v) for k, v in parse_qsl(parts.query, True) if k != "f"]
        query.append(("f", fmt))
        return urlunsplit(parts._replace(query=urlencode(query)))


@cache
def environment() -> Environment:
    """The Jinja environment of the packaged templates (HTML escaped)."""
    env = Environment(
        loader=PackageLoader("eoproc.ui", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["pretty"] = pretty
    env.filters["size"] = size
    env.filters["prose"] = prose
    env.filters["time_tag"] = time_tag
    return env


def prose(text: Any) -> Markup:
    """Escaped text whose ```code``` spans are ``<code>`` and blank lines paragraphs."""
    paragraphs = re.split(r"\n\s*\n", str(text or "").strip())
    parts = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph))
        parts.append(_CODE.sub(r"<code>\1</code>", escaped))
    return Markup("</p><p>".join(parts))


_CODE = re.compile(r"``?([^`<>]+?)``?")


def when(value: Any) -> str:
    """An RFC 3339 time as ``2026-12-06 22:10:03 UTC`` (other values as they are)."""
    if not isinstance(value, str) or not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} {zone or moment.strftime('%z')}".strip()


def time_tag(value: Any) -> Markup:
    """A ``<time>`` element: the minute shown, the full instant as its title (UTC)."""
    full = when(value)
    if not isinstance(value, str) or full == value or full == "—":
        return Markup(escape(full))
    short = full[:16]
    return Markup('<time datetime="{}" title="{}">{}</time>').format(value, full, short)


def pretty(value: Any) -> str:
    """``value`` as indented JSON (a list of plain values on one line), cut if long."""
    flat = isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)
    text = json.dumps(value, indent=None if flat else 2, ensure_ascii=False)
    if len(text) > INLINE_LIMIT:
        return text[:INLINE_LIMIT] + "\n… (cut: see the JSON document)"
    return text


def size(count: int) -> str:
    """A byte count for people."""
    amount = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{int(amount)} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{count} bytes"


_QUALIFIED = {"value", "mediaType", "format", "encoding", "schema"}


def output_view(name: str, value: Any, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    """How one output of a results document is shown."""
    view: dict[str, Any] = {"name": name, "title": (spec or {}).get("title") or name}
    if isinstance(value, dict) and isinstance(value.get("href"), str):
        href = value["href"]
        safe = urlsplit(href).scheme in ("http", "https")  # no javascript: or data: links
        view.update(kind="link", href=href if safe else "", type=value.get("type") or "")
        view["link_title"] = value.get("title") or ""
        length = value.get("length")  # the size, when the server gives it
        view["length"] = (
            length if isinstance(length, int) and not isinstance(length, bool) else None
        )
        return view
    media = ""
    if isinstance(value, dict) and "value" in value and set(value) <= _QUALIFIED:
        media = str(value.get("mediaType") or (value.get("format") or {}).get("mediaType") or "")
        value = value["value"]
    text = json.dumps(value, ensure_ascii=False)
    view.update(
        kind="value", value=value, type=media or "application/json", size=len(text.encode())
    )
    if media.startswith("image/") and isinstance(value, str):
        view["image"] = f"data:{media};base64,{value}"
    rows = _table(value)
    if rows is not None:
        view["columns"], view["rows"] = rows
    if isinstance(value, list):
        view["count"] = len(value)
    return view


def _table(value: Any) -> tuple[list[str], list[list[Any]]] | None:
    """A list of flat objects as columns and (at most 20) rows."""
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return None
    columns: list[str] = []
    for row in value:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns, [[row.get(c, "") for c in columns] for row in value[:20]]


def render_page(
    context: PageContext, status: int, body: Any, extra: dict[str, Answer]
) -> tuple[int, str]:
    """The status and HTML of a page, from the JSON answer of its resource."""
    env = environment()
    values: dict[str, Any] = {
        "ctx": context,
        "doc": body,
        "page_title": _TITLES[context.kind],
        "statuses": STATUSES,
        "terminal": TERMINAL,
        "json_url": context.with_format(context.url, "json"),
        "html_url": context.with_format(context.url, "html"),
    }
    if status == 401:
        return 401, env.get_template("signin.html").render(**values, problem=body or {})
    if status not in (200, 201) or not isinstance(body, dict):
        problem = body if isinstance(body, dict) else {"title": "Error", "status": status}
        values["page_title"] = str(problem.get("title") or "Error")
        return status, env.get_template("error.html").render(**values, problem=problem)
    if context.kind == "process":
        values["fields"] = input_fields(body.get("inputs") or {})
        values["schemas"] = input_schemas(body.get("inputs") or {})
        values["page_title"] = str(body.get("title") or body.get("id") or "Process")
    elif context.kind == "job":
        values["page_title"] = f"Job {body.get('jobID', '')}"
        results = extra.get("results")
        if results is not None:
            values["results_status"] = results.status
            ok = results.status == 200
            values["results"] = _outputs(results.body, extra.get("process")) if ok else None
            values["failure"] = results.body if results.status != 200 else None
    elif context.kind == "results":
        values["outputs"] = _outputs(body)
    elif context.kind == "jobs":
        processes = extra.get("processes")
        listed = processes.body if processes is not None and processes.status == 200 else {}
        values["process_ids"] = [p.get("id") for p in (listed or {}).get("processes", [])]
        values["filters"] = dict(context.query)
    return status, env.get_template(f"{context.kind}.html").render(**values)


def _outputs(body: Any, process: Answer | None = None) -> list[dict[str, Any]]:
    """The views of a results document's outputs, titled as the process describes them."""
    if not isinstance(body, dict):
        return []
    described = process.body if process is not None and process.status == 200 else None
    specs = described.get("outputs") if isinstance(described, dict) else None
    specs = specs if isinstance(specs, dict) else {}
    return [output_view(name, value, specs.get(name)) for name, value in body.items()]
