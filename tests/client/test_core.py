"""The sans-IO client core through ``httpx.MockTransport``: the requests it builds and
what it makes of the answers (typed errors, pages, Retry-After, results, links).

Operations of :class:`ApiCore` are run by a small driver of this module that sends
each ``Call`` through an ``httpx.Client`` on a mock transport and records ``Sleep``
commands instead of sleeping; a few tests go through :class:`Client` itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from eoproc.client import (
    AsyncClient,
    AuthenticationError,
    Client,
    ClientError,
    JobFailedError,
    TransportError,
)
from eoproc.client.commands import Call, Notify, Operation, RetryPolicy, Sleep
from eoproc.client.core import ApiCore
from eoproc.models import JobResults, StatusInfo

API = "http://api.example/ogc/"
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Runs core operations against a handler; keeps the requests and the sleeps."""

    def __init__(self, handler: Handler, retries: int = 3) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        self.http = httpx.Client(base_url=API, transport=httpx.MockTransport(record))
        self.core = ApiCore(RetryPolicy(retries, backoff_factor=0.5, backoff_max=10.0))
        self.core.use_events = False

    def run(self, operation: Operation[Any]) -> Any:
        outcome: Any = None
        try:
            while True:
                command = operation.send(outcome)
                outcome = self._perform(command)
        except StopIteration as stop:
            return stop.value

    def _perform(self, command: Any) -> Any:
        if isinstance(command, Sleep):
            self.sleeps.append(command.seconds)
            return None
        if isinstance(command, Notify):
            return command.callback(command.value)
        assert isinstance(command, Call)
        request = self.http.build_request(
            command.method,
            command.url,
            params=command.params,
            json=command.json,
            content=command.content,
            headers=command.headers,
        )
        try:
            return self.http.send(request)
        except httpx.TransportError as error:
            return error


def problem(status: int, **members: Any) -> httpx.Response:
    return httpx.Response(
        status, json=members, headers={"Content-Type": "application/problem+json"}
    )


def job(state: str, job_id: str = "j1", **more: Any) -> dict[str, Any]:
    return {"jobID": job_id, "status": state, "type": "process", **more}


# -- errors --------------------------------------------------------------------------


def test_problem_details_become_a_client_error_with_the_servers_words() -> None:
    run = Recorder(
        lambda request: problem(
            404,
            type="http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process",
            title="No such process",
            detail="Process 'nope' is not known.",
        )
    )
    with pytest.raises(ClientError) as caught:
        run.run(run.core.get_process("nope"))
    error = caught.value
    assert error.status == 404
    assert error.problem is not None and error.problem.type.endswith("no-such-process")
    assert "Process 'nope' is not known." in str(error)
    assert run.requests[0].url == API + "processes/nope"


def test_validation_lists_are_flattened_and_plain_text_is_kept() -> None:
    detail = [{"loc": ["body", "inputs", "n"], "msg": "field required"}]
    run = Recorder(lambda request: problem(422, detail=detail))
    with pytest.raises(ClientError) as caught:
        run.run(run.core.execute_process("p", {"m": 1}))
    assert caught.value.problem is not None
    assert caught.value.problem.detail == "body.inputs.n: field required"

    run = Recorder(lambda request: httpx.Response(500, text="database on fire"))
    with pytest.raises(ClientError, match="database on fire") as caught:
        run.run(run.core.get_jobs())
    assert caught.value.status == 500


def test_an_error_of_a_token_endpoint_is_an_authentication_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return problem(401, title="Unauthorized", detail="bad client secret")
        return httpx.Response(200, json={"links": []})

    client = Client(
        api_url=API,
        auth={
            "type": "oauth2-client-credentials",
            "token_url": "http://api.example/token",
            "client_id": "c",
            "client_secret": "s",
        },
        transport=httpx.MockTransport(handler),
    )
    with client, pytest.raises(AuthenticationError, match="bad client secret") as caught:
        client.get_capabilities()
    assert caught.value.status == 401


def test_a_network_failure_after_the_retries_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    run = Recorder(handler, retries=2)
    with pytest.raises(TransportError) as caught:
        run.run(run.core.get_job("j1"))
    assert len(run.requests) == 3
    assert run.sleeps == [0.5, 1.0]  # exponential backoff
    assert caught.value.url == API + "jobs/j1"


# -- Retry-After and idempotency -----------------------------------------------------


def test_a_busy_server_is_asked_again_after_its_retry_after() -> None:
    answers = [
        httpx.Response(503, headers={"Retry-After": "4"}),
        httpx.Response(200, json=job("running")),
    ]
    run = Recorder(lambda request: answers.pop(0))
    status = run.run(run.core.get_job("j1"))
    assert status.status.value == "running"
    assert run.sleeps == [4.0]


def test_retry_after_is_capped_by_backoff_max() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "3600"}),
        httpx.Response(200, json={"conformsTo": []}),
    ]
    run = Recorder(lambda request: answers.pop(0))
    run.run(run.core.get_conformance())
    assert run.sleeps == [10.0]


def test_an_execution_is_resent_with_the_same_idempotency_key() -> None:
    answers = [
        httpx.Response(503, headers={"Retry-After": "1"}),
        httpx.Response(201, json=job("accepted"), headers={"Location": API + "jobs/j1"}),
    ]
    run = Recorder(lambda request: answers.pop(0))
    status = run.run(run.core.execute_process("p", inputs={"n": 3}))
    assert isinstance(status, StatusInfo) and status.jobID == "j1"
    first, second = run.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.headers["Prefer"] == "respond-async"
    assert json.loads(first.content)["inputs"] == {"n": 3}
    # a new execution gets a new key
    answers.append(httpx.Response(201, json=job("accepted", "j2")))
    run.run(run.core.execute_process("p"))
    assert run.requests[-1].headers["Idempotency-Key"] != first.headers["Idempotency-Key"]


def test_a_deployment_without_a_key_is_never_resent() -> None:
    run = Recorder(lambda request: httpx.Response(503, headers={"Retry-After": "1"}))
    with pytest.raises(ClientError) as caught:
        run.run(run.core.deploy_process({"cwlVersion": "v1.2", "class": "CommandLineTool"}))
    assert caught.value.status == 503
    assert len(run.requests) == 1 and run.sleeps == []


# -- paging --------------------------------------------------------------------------


def test_all_pages_follows_next_links_and_drops_them() -> None:
    pages = {
        "0": {"jobs": [job("successful", "a")], "links": [{"rel": "next", "href": "jobs?page=1"}]},
        "1": {
            "jobs": [job("failed", "b")],
            "links": [{"rel": "next", "href": API + "jobs?page=2"}, {"rel": "prev", "href": "x"}],
        },
        "2": {"jobs": [job("running", "c")], "links": [{"rel": "self", "href": "jobs?page=2"}]},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages[request.url.params.get("page", "0")])

    run = Recorder(handler)
    jobs = run.run(run.core.get_jobs(status=["successful", "failed"], all_pages=True))
    assert [j.jobID for j in jobs.jobs] == ["a", "b", "c"]
    assert not [link for link in jobs.links if link.rel in ("next", "prev")]
    assert run.requests[0].url.params.get_list("status") == ["successful", "failed"]
    assert [str(r.url) for r in run.requests[1:]] == [API + "jobs?page=1", API + "jobs?page=2"]


def test_one_page_unless_asked_and_a_loop_of_links_ends() -> None:
    body = {"processes": [], "links": [{"rel": "next", "href": "processes?limit=1"}]}
    run = Recorder(lambda request: httpx.Response(200, json=body))
    listed = run.run(run.core.get_processes(limit=1))
    assert len(run.requests) == 1 and listed.links[0].rel == "next"
    run.run(run.core.get_processes(limit=1, all_pages=True))  # next is this page: stop
    assert len(run.requests) == 2

    pages = {
        "": {
            "processes": [{"id": "a", "version": "1"}],
            "links": [{"rel": "next", "href": "?page=2"}],
        }
    }
    pages["2"] = {
        "processes": [{"id": "b", "version": "1"}],
        "links": [{"rel": "next", "href": "processes"}],
    }
    run = Recorder(
        lambda request: httpx.Response(200, json=pages[request.url.params.get("page", "")])
    )
    listed = run.run(run.core.get_processes(all_pages=True))  # relative to the page's URL
    assert [p.id for p in listed.processes] == ["a", "b"]
    assert [str(r.url) for r in run.requests] == [API + "processes", API + "processes?page=2"]


# -- results and links ---------------------------------------------------------------


def test_sync_execution_returns_the_results_document() -> None:
    document = {"sum": 5, "plot": {"href": "http://store.example/p.png", "type": "image/png"}}
    run = Recorder(lambda request: httpx.Response(200, json=document))
    results = run.run(run.core.execute_process("add", {"a": 2, "b": 3}, mode="sync"))
    assert isinstance(results, JobResults)
    assert results.root == document
    assert "Prefer" not in run.requests[0].headers


def test_a_location_alone_is_followed_to_the_job_status() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, headers={"Location": API + "jobs/j9"})
        return httpx.Response(200, json=job("accepted", "j9"))

    run = Recorder(handler)
    status = run.run(run.core.execute_process("p"))
    assert status.jobID == "j9"
    assert run.requests[1].method == "GET" and run.requests[1].url == API + "jobs/j9"


def test_raw_results_by_reference_come_from_link_headers() -> None:
    headers = {"Link": '<http://store.example/out.tif>; rel="image"'}
    run = Recorder(lambda request: httpx.Response(204, headers=headers))
    results = run.run(run.core.execute_process("p", mode="auto"))
    assert results.root == {"image": {"href": "http://store.example/out.tif"}}


def test_results_that_are_not_a_document_are_one_output() -> None:
    run = Recorder(
        lambda request: httpx.Response(
            200, content=b"\x89PNG", headers={"Content-Type": "image/png"}
        )
    )
    assert run.run(run.core.get_job_results("j1")).root == {"result": b"\x89PNG"}
    assert run.requests[0].url == API + "jobs/j1/results"


def test_a_failed_job_raises_with_the_servers_problem() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/results"):
            return problem(
                500, title="Process failed", detail="ZeroDivisionError: division by zero"
            )
        return httpx.Response(200, json=job("failed", message="it broke"))

    run = Recorder(handler)
    with pytest.raises(JobFailedError) as caught:
        run.run(run.core.wait_for_job("j1"))
    assert caught.value.job_id == "j1"
    assert caught.value.problem is not None
    assert "division by zero" in (caught.value.problem.detail or "")


def test_a_job_dismissed_before_is_no_error_by_default() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return problem(410, title="Gone")
        return httpx.Response(404)

    run = Recorder(handler)
    status = run.run(run.core.dismiss_job("j1"))
    assert status.status.value == "dismissed"
    with pytest.raises(ClientError) as caught:
        run.run(run.core.dismiss_job("j1", already_ok=False))
    assert caught.value.status == 410


def test_an_answer_that_is_not_the_document_asked_for_is_a_client_error() -> None:
    run = Recorder(lambda request: httpx.Response(200, json={"processes": [{"id": "a"}]}))
    with pytest.raises(ClientError, match=r"not a valid ProcessList: processes\.0\.version"):
        run.run(run.core.get_processes())


def test_the_client_follows_redirects_but_keeps_credentials_home() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.example":
            return httpx.Response(302, headers={"Location": "http://mirror.example/jobs/j1"})
        return httpx.Response(200, json=job("running"))

    client = Client(
        api_url=API,
        auth={"type": "bearer", "token": "t0ken"},
        headers={"X-Team": "blue"},
        transport=httpx.MockTransport(handler),
    )
    with client:
        assert client.get_job("j1").status.value == "running"
    home, away = seen
    assert home.headers["Authorization"] == "Bearer t0ken" and home.headers["X-Team"] == "blue"
    assert "Authorization" not in away.headers and "X-Team" not in away.headers


# -- both clients over the same core -------------------------------------------------


def _results_server(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/results"):
        href = API + "jobs/j1/results/answer"
        return httpx.Response(200, json={"answer": {"href": href, "type": "application/json"}})
    assert request.headers["X-API-Key"] == "k"  # the link is on the API's origin
    return httpx.Response(200, json={"value": 42})


def test_the_sync_client_opens_an_output_given_by_reference() -> None:
    transport = httpx.MockTransport(_results_server)
    with Client(api_url=API, auth={"type": "api-key", "api_key": "k"}, transport=transport) as c:
        assert c.open_job_result("j1") == {"value": 42}


async def test_the_async_client_runs_the_same_operations() -> None:
    transport = httpx.MockTransport(_results_server)
    async with AsyncClient(
        api_url=API, auth={"type": "api-key", "api_key": "k"}, transport=transport
    ) as client:
        assert await client.open_job_result("j1", "answer") == {"value": 42}
        results = await client.get_job_results("j1")
    assert list(results.root) == ["answer"]
