"""The client and the CLI against servers that are not eoproc.

- a real pygeoapi (its demo process ``hello-world``), started by the test from
  ``.venv-pygeoapi`` (``scripts/setup-interop.sh``);
- a real wraptile (eozilla's server, its local test service), from ``.venv-wraptile``;
- OGC API - Processes 2.0: no 2.0 server can run here, so ``ogc2_server`` serves
  the standard's published 2.0 examples and schemas as a 2.0 server would.

The same suite runs against each: list, describe, version detection, execute
synchronously and asynchronously, status, job list, results, dismiss, and the
CLI with ``--api-url`` and ``execute-process --sync``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eoproc.client import AsyncClient, Client, ClientError
from tests.cli.conftest import make_runner
from tests.interop.ogc2_server import serve as serve_ogc2
from tests.interop.servers import run_pygeoapi, run_wraptile


@dataclass(frozen=True)
class Peer:
    """A server kind and what the suite runs on it."""

    name: str
    process: str
    inputs: dict[str, Any]
    check: Callable[[dict[str, Any]], bool]
    version: str
    cli_inputs: tuple[str, ...]


PEERS = {
    "pygeoapi": Peer(
        "pygeoapi",
        "hello-world",
        {"name": "eoproc"},
        # pygeoapi answers the process's own output document, not keyed by output id
        lambda results: "Hello eoproc!" in str(results),
        "1.0",
        ("-i", "name=eoproc"),
    ),
    "wraptile": Peer(
        "wraptile",
        "primes_between",
        {"min_val": 2, "max_val": 20},
        lambda results: results.get("return_value") == [2, 3, 5, 7, 11, 13, 17, 19],
        "1.0",
        ("-i", "min_val=2", "-i", "max_val=20"),
    ),
    "ogc2": Peer(
        "ogc2",
        "EchoProcess",
        {"stringInput": "Value2", "doubleInput": 3.14},
        lambda results: (
            results.get("stringOutput") == "Value2" and results.get("doubleOutput") == 3.14
        ),
        "2.0",
        ("-i", "stringInput=Value2", "-i", "doubleInput=3.14"),
    ),
}


@pytest.fixture(scope="module", params=sorted(PEERS))
def peer(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Peer, str]]:
    name = request.param
    directory = tmp_path_factory.mktemp(name)
    if name == "pygeoapi":
        with run_pygeoapi(directory) as url:
            yield PEERS[name], url
    elif name == "wraptile":
        with run_wraptile(directory) as url:
            yield PEERS[name], url
    else:
        with serve_ogc2() as (url, _state):
            yield PEERS[name], url


def test_list_describe_and_version(peer: tuple[Peer, str]) -> None:
    spec, url = peer
    with Client(api_url=url) as client:
        assert spec.process in [p.id for p in client.get_processes().processes]
        description = client.get_process(spec.process)
        assert set(spec.inputs) <= set(description.inputs or {})
        assert client.get_api_version() == spec.version


def test_execute_sync(peer: tuple[Peer, str]) -> None:
    spec, url = peer
    with Client(api_url=url) as client:
        results = client.execute_process(spec.process, inputs=spec.inputs, mode="sync")
    assert spec.check(results.root), results


def test_execute_async_status_results_dismiss(peer: tuple[Peer, str]) -> None:
    spec, url = peer
    with Client(api_url=url) as client:
        job = client.execute_process(spec.process, inputs=spec.inputs)
        assert job.jobID and job.status in ("accepted", "running", "successful")
        final = client.wait_for_job(job.jobID, timeout=60)
        assert final.status == "successful"
        assert final.processID in (spec.process, None)
        assert job.jobID in [j.jobID for j in client.get_jobs().jobs]
        results = client.get_job_results(job.jobID)
        assert spec.check(results.root), results
        dismissed = client.dismiss_job(job.jobID)
        assert dismissed.jobID == job.jobID and dismissed.status == "dismissed"
        with pytest.raises(ClientError) as raised:
            client.get_job_results(job.jobID)
        assert raised.value.status in (404, 410)


def test_errors_are_readable(peer: tuple[Peer, str]) -> None:
    spec, url = peer
    with Client(api_url=url) as client, pytest.raises(ClientError) as raised:
        client.get_job("no-such-job-0")
    error = raised.value
    assert error.status == 404 and error.problem is not None
    if spec.name == "pygeoapi":  # its own error body: the client reads `description`
        assert error.problem.detail == "no-such-job-0" and "no-such-job-0" in str(error)
    else:  # problem details of the standard's exception type
        assert error.problem.type.endswith("/no-such-job")


async def test_async_client(peer: tuple[Peer, str]) -> None:
    spec, url = peer
    async with AsyncClient(api_url=url) as client:
        assert await client.get_api_version() == spec.version
        results = await client.execute_and_wait(spec.process, inputs=spec.inputs, timeout=60)
    assert spec.check(results.root), results


def test_cli_with_api_url(peer: tuple[Peer, str], tmp_path: Path) -> None:
    spec, url = peer
    home = tmp_path / "home"
    home.mkdir()
    runner = make_runner(home)

    def run(*args: str) -> Any:
        return runner(*args, script="eoproc")

    listed = run("--api-url", url, "list-processes", "-f", "json")
    assert listed.code == 0, listed
    assert spec.process in [p["id"] for p in listed.json()["processes"]]
    sync = run("--api-url", url, "ep", spec.process, *spec.cli_inputs, "--sync", "-f", "json")
    assert sync.code == 0, sync
    assert spec.check(sync.json()), sync
    waited = run("--api-url", url, "ep", spec.process, *spec.cli_inputs, "--wait", "-f", "json")
    assert waited.code == 0, waited
    assert spec.check(waited.json()), waited


def test_ogc2_adaptations() -> None:
    """What the client does differently for a 2.0 server, seen from the server's side."""
    with serve_ogc2() as (url, state), Client(api_url=url) as client:
        job = client.execute_process("EchoProcess", inputs={"stringInput": "Value1"})
        # statusInfo with `id` and `processID` as a URI, read as 1.0's
        assert job.jobID and job.processID == "EchoProcess"
        assert job.model_extra and job.model_extra["processURI"] == f"{url}processes/EchoProcess"
        client.wait_for_job(job.jobID, timeout=30)
        assert client.get_job_results(job.jobID)["stringOutput"] == "Value1"
        asked = state.requests[-1]["headers"]
        assert "ogc-results" in asked["accept-profile"]  # the results profile was asked for
        # `response` is no member of a 2.0 execute request: it becomes profile negotiation
        document = client.execute_process(
            "EchoProcess", inputs={"stringInput": "Value3"}, response="document", mode="sync"
        )
        assert document["stringOutput"] == "Value3"
        sent = state.requests[-1]
        assert "response" not in sent["body"] and "ogc-results" in sent["headers"]["accept-profile"]
        raw = client.execute_process(
            "EchoProcess",
            inputs={"stringInput": "Value2"},
            outputs={"stringOutput": {}},
            response="raw",
            mode="sync",
        )
        assert "accept-profile" not in state.requests[-1]["headers"]
        assert raw.root == {"stringOutput": "Value2"}
