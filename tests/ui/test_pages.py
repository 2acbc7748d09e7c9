"""The HTML conformance class over the in-memory service (httpx ASGI transport).

JSON stays what it was (negotiation only adds ``alternate`` links), every
resource answers ``text/html`` when asked, pages escape user data, carry a
strict CSP and no inline script, and stay small.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from eoproc.jobs import LocalJobService
from eoproc.models import ProcessDescription
from eoproc.processes.demo import demo
from eoproc.server.auth import hash_key, parse_api_keys
from eoproc.server.security import SecurityConfig
from eoproc.ui import wants_html
from tests.server.conftest import AppClient, app_client, memory_service
from tests.server.memory_service import MemoryService

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
PAGES = ["/", "/conformance", "/processes", "/processes/both", "/jobs"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I)
MAX_PAGE = 50 * 1024
__all__ = ["app_client", "memory_service"]  # the server tests' fixtures, used here too


@pytest.mark.parametrize(
    ("accept", "f", "html"),
    [
        (BROWSER, None, True),
        ("text/html", None, True),
        (None, None, False),
        ("*/*", None, False),
        ("application/json", None, False),
        ("application/json, text/html", None, False),  # a tie answers JSON
        ("text/html;q=0.5, application/json", None, False),
        ("text/html, application/json;q=0.9", None, True),
        ("text/html;q=0", None, False),
        (BROWSER, "json", False),
        ("application/json", "html", True),
        (None, "html", True),
        (BROWSER, "xml", False),
    ],
)
def test_negotiation(accept: str | None, f: str | None, html: bool) -> None:
    assert wants_html(accept, f) is html


async def _job(client: httpx.AsyncClient, memory: MemoryService) -> str:
    answer = await client.post(
        "/processes/both/execution",
        json={"inputs": {"x": 4}},
        headers={"Prefer": "respond-async"},
    )
    job_id = str(answer.json()["jobID"])
    memory.finish(job_id)
    return job_id


async def test_json_is_unchanged_by_negotiation(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        job_id = await _job(client, memory_service)
        for path in [*PAGES, f"/jobs/{job_id}", f"/jobs/{job_id}/results"]:
            plain = await client.get(path)
            for headers, params in (
                ({"Accept": "application/json"}, {}),
                ({"Accept": "*/*"}, {}),
                ({"Accept": BROWSER}, {"f": "json"}),
            ):
                other = await client.get(path, headers=headers, params=params)
                assert other.headers["content-type"] == "application/json", path
                if not params:
                    assert other.content == plain.content, path
                else:  # only the self link of a list repeats the query (f=json)
                    assert _page_links_out(other.json()) == _page_links_out(plain.json()), path


def _page_links_out(body: Any) -> Any:
    return {k: v for k, v in body.items() if k != "links"} if isinstance(body, dict) else body


async def test_every_resource_answers_html_with_alternates_both_ways(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        job_id = await _job(client, memory_service)
        for path in [*PAGES, f"/jobs/{job_id}"]:
            body = (await client.get(path)).json()
            alternates = [link for link in body["links"] if link["rel"] == "alternate"]
            assert [a["type"] for a in alternates] == ["text/html"], path
            page = await client.get(alternates[0]["href"])  # no Accept: f=html decides
            assert page.status_code == 200, path
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            text = page.text
            assert text.startswith("<!doctype html>")
            assert 'rel="alternate" type="application/json"' in text
            for link in body["links"]:  # every link of the document is an <a>
                assert f'href="{link["href"]}"'.replace("&", "&amp;") in text, (path, link)
            assert len(page.content) <= MAX_PAGE
            assert not INLINE_SCRIPT.search(text), path
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["vary"] == "Accept"
        results = await client.get(f"/jobs/{job_id}/results", headers={"Accept": BROWSER})
        assert results.status_code == 200
        assert "<h3>y</h3>" in results.text and "8</pre>" in results.text


async def test_conformance_and_openapi_declare_html(app_client: AppClient) -> None:
    async with app_client() as client:
        conformance = (await client.get("/conformance")).json()["conformsTo"]
        assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/html" in conformance
        document = (await client.get("/openapi.json")).json()
    validate(document)
    for path in ("/", "/conformance", "/processes", "/processes/{processID}", "/jobs"):
        operation = document["paths"][path]["get"]
        assert "text/html" in operation["responses"]["200"]["content"], path
        assert any(p["name"] == "f" for p in operation["parameters"]), path
    for path in ("/jobs/{jobID}", "/jobs/{jobID}/results"):
        assert "text/html" in document["paths"][path]["get"]["responses"]["200"]["content"]
    file_route = document["paths"]["/jobs/{jobID}/results/{outputID}"]["get"]
    assert "text/html" not in file_route["responses"]["200"].get("content", {})


async def test_markup_in_user_data_is_escaped(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    evil = "<script>alert(1)</script>"
    memory_service.processes["evil"] = ProcessDescription.model_validate(
        {
            "id": "evil",
            "version": "1",
            "title": evil,
            "description": f'"quoted" {evil}',
            "inputs": {"x": {"title": evil, "schema": {"type": "string", "default": evil}}},
            "outputs": {"y": {"schema": {"type": "string"}}},
        }
    )
    async with app_client() as client:
        for path in ("/processes", "/processes/evil"):
            text = (await client.get(path, params={"f": "html", "limit": 100})).text
            assert evil not in text, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
        text = (await client.get("/processes/evil", params={"f": "html"})).text
        embedded = re.search(r'id="input-schemas">(.*?)</script>', text, re.S)
        assert embedded and "<" not in embedded.group(1)


async def test_errors_are_pages_with_the_problem(app_client: AppClient) -> None:
    async with app_client() as client:
        page = await client.get("/processes/nope", headers={"Accept": BROWSER})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "No such process" in page.text and "nope" in page.text
        bad = await client.get("/jobs", params={"limit": "0", "f": "html"})
        assert bad.status_code == 400 and "limit" in bad.text
        json_problem = await client.get("/processes/nope")
        assert json_problem.headers["content-type"] == "application/problem+json"


async def test_blank_filters_are_ignored_and_kept_in_the_form(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        await _job(client, memory_service)
        page = await client.get("/jobs?f=html&status=&processID=&limit=25")
        assert page.status_code == 200
        assert page.text.count("<tr data-job=") == 1
        assert "<option selected>25</option>" in page.text
        none = await client.get("/jobs?f=html&status=failed")
        assert "No jobs match these filters." in none.text


async def test_static_assets(app_client: AppClient) -> None:
    async with app_client() as client:
        for name in ("app.js", "core.js", "forms.js", "jobs.js", "validate.js"):
            script = await client.get(f"/ui/static/{name}")
            assert script.status_code == 200, name
            assert script.headers["content-type"].startswith("text/javascript")
            assert "document.cookie" not in script.text and "innerHTML" not in script.text
        assert "sessionStorage" in (await client.get("/ui/static/core.js")).text
        assert (await client.get("/ui/static/app.css")).status_code == 200
        for name in ("nope.js", "..%2Fpages.py", "../pages.py", "pages.py"):
            assert (await client.get(f"/ui/static/{name}")).status_code == 404, name


async def test_sign_in_page_without_credentials(app_client: AppClient, tmp_path: Path) -> None:
    key = "ui-key-0123456789abcdefgh"
    security = SecurityConfig(api_keys=parse_api_keys([f"{hash_key(key)}:ann"]))
    service = LocalJobService(demo, store_url=f"sqlite:///{tmp_path / 'jobs.db'}", workers=1)
    async with app_client(service, security=security) as client:
        page = await client.get("/jobs", headers={"Accept": BROWSER})
        assert page.status_code == 401
        assert "data-needs-signin" in page.text and 'data-auth="apikey"' in page.text
        assert "ApiKey" in page.headers["www-authenticate"]
        assert (await client.get("/ui/static/app.js")).status_code == 200  # public
        api = await client.get("/jobs")
        assert api.status_code == 401
        assert api.headers["content-type"] == "application/problem+json"
        mine = await client.get("/jobs", headers={"Accept": BROWSER, "X-API-Key": key})
        assert mine.status_code == 200 and "<h1>Jobs</h1>" in mine.text


async def test_job_list_pages(app_client: AppClient, memory_service: MemoryService) -> None:
    async with app_client() as client:
        ids = [await _job(client, memory_service) for _ in range(3)]
        first = await client.get("/jobs", params={"f": "html", "limit": "2"})
        assert first.text.count("<tr data-job=") == 2
        found = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first.text)
        assert found, first.text
        second = await client.get(found.group(1).replace("&amp;", "&"))
        assert second.status_code == 200
        assert second.headers["content-type"].startswith("text/html")  # f=html kept
        shown = re.findall(r'<tr data-job="([^"]+)"', first.text + second.text)
        assert sorted(shown) == sorted(ids)
        assert "First page</a>" in second.text


async def test_an_unknown_format_is_refused(app_client: AppClient) -> None:
    async with app_client() as client:
        for value in ("xml", "", " ", "JSON", "HTML"):
            answer = await client.get("/processes", params={"f": value})
            assert answer.status_code == 400, value
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["problems"] == [{"path": "f", "message": "must be json or html"}]
        assert (await client.get("/processes", params={"f": "json"})).status_code == 200
        document = (await client.get("/openapi.json")).json()
    errors = document["paths"]["/processes/{processID}"]["get"]["responses"]["404"]
    assert set(errors["content"]) == {"application/problem+json", "text/html"}


def test_the_sign_in_form_asks_for_what_the_server_takes() -> None:
    from eoproc.ui.pages import PageContext, render_page

    def signin(schemes: tuple[str, ...]) -> str:
        context = PageContext("jobs", None, "http://h/", "http://h/jobs", [], "T", schemes, "X-Key")
        status, html = render_page(context, 401, {"detail": "needs credentials"}, {})
        assert status == 401
        return html

    token = signin(("bearer",))
    assert 'data-auth="bearer"' in token and "Access token" in token and "API key" not in token
    both = signin(("apikey", "bearer"))
    assert '<option value="apikey">API key</option>' in both
    assert '<option value="bearer">Access token (OIDC)</option>' in both
    assert 'data-key-header="X-Key"' in signin(("apikey",))


async def test_executing_and_dismissing_answer_pages_to_browsers(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        html = {"Accept": BROWSER}
        created = await client.post(
            "/processes/both/execution",
            json={"inputs": {"x": 5}},
            headers={**html, "Prefer": "respond-async"},
        )
        assert created.status_code == 201
        assert created.headers["content-type"].startswith("text/html")
        job_id = created.headers["location"].rsplit("/", 1)[1]
        assert f"<code>{job_id}</code>" in created.text and "accepted" in created.text
        ran = await client.post(
            "/processes/both/execution", json={"inputs": {"x": 5}}, headers=html
        )
        assert ran.status_code == 200 and ran.headers["content-type"].startswith("text/html")
        assert "<h3>y</h3>" in ran.text and "10</pre>" in ran.text
        assert 'rel="monitor"' in ran.headers["link"]
        bad = await client.post(
            "/processes/both/execution", json={"inputs": {"z": 1}}, headers=html
        )
        assert bad.status_code == 400 and "bad inputs" in bad.text
        gone = await client.delete(f"/jobs/{job_id}", headers=html)
        assert gone.status_code == 200 and "dismissed" in gone.text
        plain = await client.post("/processes/both/execution", json={"inputs": {"x": 5}})
        assert plain.json() == {"y": 10}  # JSON clients see JSON
        document = (await client.get("/openapi.json")).json()
    execute = document["paths"]["/processes/{processID}/execution"]["post"]["responses"]
    assert "text/html" in execute["200"]["content"] and "text/html" in execute["201"]["content"]
    dismiss = document["paths"]["/jobs/{jobID}"]["delete"]["responses"]["200"]
    assert "text/html" in dismiss["content"]
    validate(document)


async def test_head_of_a_page(app_client: AppClient) -> None:
    async with app_client() as client:
        answer = await client.head("/processes/both", headers={"Accept": BROWSER})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
