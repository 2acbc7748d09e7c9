"""Links with the standard's relation types, and absolute result hrefs."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from eoproc.models import JobStatus, StatusInfo

OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0"
REL_CONFORMANCE = f"{OGC_REL}/conformance"
REL_PROCESSES = f"{OGC_REL}/processes"
REL_JOB_LIST = f"{OGC_REL}/job-list"
REL_EXECUTE = f"{OGC_REL}/execute"
REL_RESULTS = f"{OGC_REL}/results"
REL_CALLBACKS = "https://eoproc.dev/rels/callbacks"
JSON = "application/json"
HTML = "text/html"
EVENT_STREAM = "text/event-stream"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"


def link(href: str, rel: str, type_: str = JSON, title: str | None = None) -> dict[str, str]:
    """One link as it goes on the wire."""
    item = {"href": href, "rel": rel, "type": type_}
    if title:
        item["title"] = title
    return item


def html_alternate(url: str) -> dict[str, str]:
    """The ``alternate`` link to the HTML page of the resource at ``url``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "f"]
    href = urlunsplit(parts._replace(query=urlencode([*query, ("f", "html")])))
    return link(href, "alternate", HTML, "This document as HTML")


def page_url(base: str, path: str, params: list[tuple[str, str]]) -> str:
    """``base`` + ``path`` with the query ``params`` (in their order)."""
    query = urlencode(params)
    return f"{base}{path}" + (f"?{query}" if query else "")


def job_links(base: str, job_id: str, status: JobStatus | str) -> list[dict[str, str]]:
    """The links of a job's status info: itself, and its results once successful."""
    url = f"{base}jobs/{job_id}"
    links = [
        link(url, "self", title="Job status"),
        html_alternate(url),
        link(f"{url}/events", "monitor", EVENT_STREAM, "Job events (server-sent events)"),
        link(f"{url}/callbacks", REL_CALLBACKS, title="Callbacks and their delivery"),
    ]
    if status == JobStatus.successful:
        links.append(link(f"{url}/results", REL_RESULTS, title="Job results"))
    return links


def status_document(base: str, job: StatusInfo) -> dict[str, Any]:
    """A job's status info with the server's links."""
    body = job.to_dict()
    body["links"] = job_links(base, job.jobID, job.status)
    return body


def absolute_hrefs(base: str, job_id: str, results: dict[str, Any]) -> dict[str, Any]:
    """Results whose relative link hrefs (relative to the job) are made absolute."""
    job_url = f"{base}jobs/{job_id}/"

    def fix(value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("href"), str):
            return {**value, "href": urljoin(job_url, value["href"])}
        if isinstance(value, list):
            return [fix(item) for item in value]
        return value

    return {name: fix(value) for name, value in results.items()}
