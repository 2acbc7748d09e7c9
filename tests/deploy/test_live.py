"""Part 2 on a real server: deploy, list, execute (real cwltool runs), replace, undeploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.live_server import LiveServer
from tests.ogc_schemas import OgcSchemas
from tests.server.conftest import assert_problem

from .conftest import (
    CWL_YAML,
    deploy,
    ogcapppkg,
    package_text,
    results_of,
    submit,
    wait_job,
)
from .schemas import Part2Schemas

PART2 = "http://www.opengis.net/def/exceptions/ogcapi-processes-2/1.0"
APPPKG = "application/ogcapppkg+json"


def test_conformance_declares_part2(client: httpx.Client) -> None:
    classes = client.get("/conformance").json()["conformsTo"]
    for name in ("deploy-replace-undeploy", "ogcapppkg", "cwl"):
        assert f"http://www.opengis.net/spec/ogcapi-processes-2/1.0/conf/{name}" in classes
    assert "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core" in classes


def test_deploy_list_describe_and_package(
    client: httpx.Client, server: LiveServer, part1: OgcSchemas, part2: Part2Schemas
) -> None:
    answer = deploy(client, "stats")
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"{server.url}/processes/stats"
    part2.validate("staticIndicator", answer.json())
    assert answer.json()["mutable"] is True

    description = {"id": "pipeline", "version": "1.2.0", "title": "Two steps"}
    answer = client.post(
        "/processes", content=ogcapppkg("pipeline", description), headers={"Content-Type": APPPKG}
    )
    assert answer.status_code == 201, answer.text

    listing = client.get("/processes", params={"limit": 100}).json()
    part1.validate("processList", listing)
    by_id = {p["id"]: p for p in listing["processes"]}
    assert by_id["stats"]["mutable"] is True and by_id["pipeline"]["title"] == "Two steps"
    assert by_id["primes_between"]["mutable"] is False  # built-in processes are immutable

    stats = client.get("/processes/stats").json()
    part1.validate("process", stats)
    assert stats["inputs"]["precision"]["schema"]["default"] == 3
    assert stats["outputs"]["summary"]["schema"]["format"] == "binary"
    assert client.get("/processes/pipeline").json()["version"] == "1.2.0"

    package = client.get("/processes/stats/package")
    assert package.status_code == 200
    assert package.headers["content-type"].startswith(CWL_YAML)
    assert package.text == package_text("stats")
    package = client.get("/processes/pipeline/package")
    assert package.headers["content-type"].startswith(APPPKG)
    assert json.loads(package.text)["processDescription"]["process"] == description
    assert_problem(client.get("/processes/primes_between/package"), 404)


def test_refusals(client: httpx.Client) -> None:
    if client.get("/processes/stats").status_code == 404:
        assert deploy(client, "stats").status_code == 201
    duplicate = deploy(client, "stats")
    assert_problem(duplicate, 409, f"{PART2}/duplicated-process")
    built_in = deploy(client, "stats", **{"id: stats": "id: primes_between"})
    assert_problem(built_in, 403, f"{PART2}/immutable-process")
    assert_problem(client.delete("/processes/primes_between"), 403, f"{PART2}/immutable-process")
    assert_problem(client.delete("/processes/nothing-here"), 404)
    replace_missing = client.put(
        "/processes/nothing-here", content=package_text("stats"), headers={"Content-Type": CWL_YAML}
    )
    assert_problem(replace_missing, 404)
    unsupported = client.post("/processes", content=b"x", headers={"Content-Type": "text/plain"})
    assert_problem(unsupported, 415, f"{PART2}/unsupported-media-type")
    not_found = client.post(
        "/processes",
        params={"w": "other"},
        content=package_text("stats"),
        headers={"Content-Type": CWL_YAML},
    )
    assert_problem(not_found, 400, f"{PART2}/workflow-not-found")


def test_a_malformed_package_gets_400_with_the_cwl_error(client: httpx.Client) -> None:
    broken = package_text("stats", **{"id: stats": "id: broken", "type: int": "type: integr"})
    answer = client.post("/processes", content=broken, headers={"Content-Type": CWL_YAML})
    body = assert_problem(answer, 400, "https://eoproc.dev/problems/invalid-package")
    assert "The CWL document is invalid" in body["detail"] and "integr" in body["detail"]
    mismatch = {"id": "stats2", "version": "1", "inputs": {"numbers": {}}}
    answer = client.post(
        "/processes", content=ogcapppkg("stats", mismatch), headers={"Content-Type": APPPKG}
    )
    body = assert_problem(answer, 400)
    assert "does not match the CWL" in body["detail"] and "precision" in body["detail"]
    local = package_text("stats", **{"id: stats": "id: sneaky"}).replace(
        "    default: 3\n",
        "    default: 3\n  secret:\n    type: File\n    default: {class: File, location: 'file:///etc/passwd'}\n",
    )
    answer = client.post("/processes", content=local, headers={"Content-Type": CWL_YAML})
    assert "file:///etc/passwd" in assert_problem(answer, 400)["detail"]
    assert client.get("/processes/sneaky").status_code == 404


def test_a_tool_runs_on_a_file_given_by_reference(
    client: httpx.Client, file_server: tuple[str, Path]
) -> None:
    if client.get("/processes/stats").status_code == 404:
        assert deploy(client, "stats").status_code == 201
    base, _ = file_server
    job = submit(client, "stats", {"numbers": {"href": f"{base}/numbers.txt"}, "precision": 1})
    results = results_of(client, job)
    assert results["mean"] == "4.0"
    summary = results["summary"]
    assert summary["type"] == "application/json"
    assert summary["href"].endswith(f"/jobs/{job}/results/summary")
    download = client.get(summary["href"])
    assert download.status_code == 200
    assert download.json() == {"count": 4, "mean": 4.0, "min": -2.0, "max": 8.0}
    by_value = submit(client, "stats", {"numbers": {"value": "1\n2\n", "mediaType": "text/plain"}})
    assert results_of(client, by_value)["mean"] == "1.5"


def test_a_workflow_reports_its_steps(client: httpx.Client, file_server: tuple[str, Path]) -> None:
    if client.get("/processes/pipeline").status_code == 404:
        answer = client.post(
            "/processes", content=ogcapppkg("pipeline"), headers={"Content-Type": APPPKG}
        )
        assert answer.status_code == 201, answer.text
    base, _ = file_server
    job = submit(client, "pipeline", {"numbers": {"href": f"{base}/numbers.txt"}, "threshold": 0})
    statuses = wait_job(client, job)
    assert statuses[-1]["status"] == "successful", statuses[-1]
    running = [s for s in statuses if s["status"] == "running" and s.get("progress") is not None]
    messages = [s.get("message", "") for s in running]
    assert any("step keep" in m for m in messages), messages
    assert any("step summarise" in m for m in messages), messages
    progress = [s["progress"] for s in running]
    assert progress == sorted(progress) and 0 < max(progress) < 100
    results = client.get(f"/jobs/{job}/results").json()
    assert client.get(results["kept"]["href"]).text.split() == ["4", "8", "6"]
    assert client.get(results["summary"]["href"]).json() == {"count": 3, "sum": 18.0}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_dismiss_stops_the_run_and_its_child_processes(
    client: httpx.Client, tmp_path: Path
) -> None:
    if client.get("/processes/slow").status_code == 404:
        assert deploy(client, "slow").status_code == 201
    pidfile = tmp_path / "pids"
    job = submit(client, "slow", {"pidfile": str(pidfile)})
    deadline = time.monotonic() + 60
    while not pidfile.exists():
        assert time.monotonic() < deadline, client.get(f"/jobs/{job}").json()
        time.sleep(0.1)
    pids = [int(p) for p in pidfile.read_text().split()]
    assert all(_alive(pid) for pid in pids)
    busy = client.delete("/processes/slow")
    assert "dismiss them" in assert_problem(busy, 409)["detail"]
    assert client.delete(f"/jobs/{job}").json()["status"] == "dismissed"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still running: {pids}"
        time.sleep(0.1)
    assert client.delete("/processes/slow").status_code == 204


def test_replace_runs_the_new_version_and_undeploy_removes(client: httpx.Client) -> None:
    assert deploy(client, "greeting", VERSION="v1").status_code == 201
    job = submit(client, "greeting", {"name": "Ada"})
    assert results_of(client, job)["text"].strip() == "v1 says hello to Ada"
    replaced = client.put(
        "/processes/greeting",
        content=package_text("greeting", VERSION="v2"),
        headers={"Content-Type": CWL_YAML},
    )
    assert replaced.status_code == 204, replaced.text
    assert client.get("/processes/greeting").json()["title"] == "Greeting v2"
    job = submit(client, "greeting", {})
    assert results_of(client, job)["text"].strip() == "v2 says hello to world"
    assert client.delete("/processes/greeting").status_code == 204
    assert_problem(client.get("/processes/greeting"), 404)
    gone = client.post("/processes/greeting/execution", json={"inputs": {}})
    assert_problem(gone, 404)
    assert client.get(f"/jobs/{job}/results").status_code == 200  # finished jobs stay


@pytest.mark.parametrize("name", ["stats"])
def test_descriptions_follow_the_yaml(client: httpx.Client, name: str) -> None:
    if client.get(f"/processes/{name}").status_code == 404:
        assert deploy(client, name).status_code == 201
    document = yaml.safe_load(package_text(name))
    described = client.get(f"/processes/{name}").json()
    assert set(described["inputs"]) == set(document["inputs"])
    assert set(described["outputs"]) == set(document["outputs"])
    assert os.sep not in described["id"]


def _cli(server: LiveServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EOPROC_")}
    env.update(
        HOME=str(home),
        EOPROC_API_URL=server.url,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    return subprocess.run(
        [sys.executable, "-m", "eoproc.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=home,
        check=False,
    )


def test_the_client_deploys_replaces_and_undeploys(server: LiveServer, tmp_path: Path) -> None:
    from eoproc.client import Client, ClientError

    path = tmp_path / "greeting.cwl"
    path.write_text(package_text("greeting", VERSION="v1"), encoding="utf-8")
    with Client(api_url=server.url) as client:
        summary = client.deploy_process(path, process_id="hello")
        assert summary.id == "hello" and summary.title == "Greeting v1"
        with pytest.raises(ClientError) as caught:
            client.deploy_process(path, process_id="hello")
        assert caught.value.status == 409
        results = client.execute_and_wait("hello", inputs={"name": "Bo"}, timeout=120)
        assert results.root["text"].strip() == "v1 says hello to Bo"
        client.replace_process("hello", package_text("greeting", VERSION="v2"))
        assert client.get_process("hello").title == "Greeting v2"
        assert "v2" in client.get_process_package("hello")
        client.undeploy_process("hello")
        with pytest.raises(ClientError) as caught:
            client.get_process("hello")
        assert caught.value.status == 404


async def test_the_async_client_deploys_too(server: LiveServer) -> None:
    from eoproc.client import AsyncClient

    document = yaml.safe_load(package_text("greeting", VERSION="v3"))
    async with AsyncClient(api_url=server.url) as client:
        summary = await client.deploy_process({**document, "id": "hello-async"})
        assert summary.id == "hello-async"
        await client.replace_process("hello-async", package_text("greeting", VERSION="v4"))
        assert (await client.get_process("hello-async")).title == "Greeting v4"
        await client.undeploy_process("hello-async")


def test_the_cli_deploys_and_undeploys(server: LiveServer, tmp_path: Path) -> None:
    path = tmp_path / "app.cwl"
    path.write_text(package_text("greeting", VERSION="cli"), encoding="utf-8")
    done = _cli(server, tmp_path, "deploy-process", str(path), "--id", "cli-hello", "-f", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == "cli-hello"
    again = _cli(server, tmp_path, "deploy-process", str(path), "--id", "cli-hello")
    assert again.returncode == 2 and "deployed already" in again.stderr
    assert "Traceback" not in again.stderr
    broken = tmp_path / "broken.cwl"
    broken.write_text("cwlVersion: v1.2\nclass: CommandLineTool\nid: b\ninputs: {}\n", "utf-8")
    invalid = _cli(server, tmp_path, "deploy-process", str(broken))
    assert invalid.returncode == 2 and "outputs" in invalid.stderr
    missing = _cli(server, tmp_path, "deploy-process", str(tmp_path / "none.cwl"))
    assert missing.returncode == 1
    done = _cli(server, tmp_path, "undeploy-process", "cli-hello")
    assert done.returncode == 0, done.stderr
    assert _cli(server, tmp_path, "undeploy-process", "cli-hello").returncode == 2


def test_the_openapi_document_stays_valid_and_lists_part2(client: httpx.Client) -> None:
    from openapi_spec_validator import OpenAPIV30SpecValidator

    document = client.get("/openapi.json").json()
    assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []
    operations = {
        op["operationId"]
        for path in document["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {"deploy", "replace", "undeploy", "getPackage", "execute"} <= operations


def test_without_containers_a_docker_requirement_runs_on_the_host(client: httpx.Client) -> None:
    docker = package_text("greeting", VERSION="boxed", **{"id: greeting": "id: boxed"}).replace(
        "baseCommand:",
        "requirements:\n  DockerRequirement: {dockerPull: python:3.12}\nbaseCommand:",
    )
    answer = client.post("/processes", content=docker, headers={"Content-Type": CWL_YAML})
    assert answer.status_code == 201, answer.text  # the server runs with --cwl-no-container
    job = submit(client, "boxed", {"name": "Cy"})
    assert results_of(client, job)["text"].strip() == "boxed says hello to Cy"
