"""The per-process operations of the OpenAPI document: valid 3.0, rebuilt on change, fuzzed.

The fuzzing test runs schemathesis against the real server with its
``positive_data_acceptance`` check: every schema-valid body of a per-process
operation must be accepted (no 4xx), which the generic document cannot promise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from eoproc.models import ProcessDescription
from eoproc.server.process_openapi import execute_schema
from tests.live_server import LiveServer, run_server
from tests.server.conftest import AppClient
from tests.server.memory_service import MemoryService


async def _document(app_client: AppClient, service: Any = None) -> dict[str, Any]:
    async with app_client(service) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


async def test_one_operation_per_process_valid_oas30(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    document = await _document(app_client)
    assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []
    paths = document["paths"]
    assert "/processes/{processID}/execution" in paths  # the generic one stays
    for process_id in memory_service.processes:
        operation = paths[f"/processes/{process_id}/execution"]["post"]
        assert operation["x-ogc-process"] == process_id
        assert operation["operationId"] == f"execute_{process_id}"
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["inputs"]["properties"]["x"] == {"type": "integer"}
        assert body["properties"]["inputs"]["additionalProperties"] is False
        assert {"400", "404", "201"} <= set(operation["responses"])
    results = paths["/processes/multi/execution"]["post"]["responses"]["200"]
    document_or_raw = results["content"]["application/json"]["schema"]["anyOf"]
    properties = document_or_raw[0]["properties"]
    assert set(properties) == {"y", "text"}


async def test_document_is_rebuilt_when_processes_change(
    app_client: AppClient, memory_service: MemoryService
) -> None:
    async with app_client() as client:
        before = (await client.get("/openapi.json")).json()
        assert "/processes/added/execution" not in before["paths"]
        added = memory_service.processes["both"].model_copy(update={"id": "added"})
        memory_service.processes["added"] = added
        after = (await client.get("/openapi.json")).json()
        del memory_service.processes["both"]
        last = (await client.get("/openapi.json")).json()
    assert "/processes/added/execution" in after["paths"]
    assert "/processes/both/execution" not in last["paths"]


class _Revisioned(MemoryService):
    """A service that announces changes itself (as deployment does)."""

    revision = 0

    def processes_revision(self) -> int:
        return self.revision

    def list_processes(self) -> Any:
        self.listed = getattr(self, "listed", 0) + 1
        return super().list_processes()


async def test_a_service_revision_decides(app_client: AppClient, tmp_path: Path) -> None:
    service = _Revisioned(tmp_path)
    async with app_client(service) as client:
        await client.get("/openapi.json")
        listed = service.listed
        await client.get("/openapi.json")
        assert service.listed == listed  # same revision: the cached document
        service.processes["new"] = service.processes["both"].model_copy(update={"id": "new"})
        assert "/processes/new/execution" not in (await client.get("/openapi.json")).json()["paths"]
        service.revision += 1
        assert "/processes/new/execution" in (await client.get("/openapi.json")).json()["paths"]


def test_occurrences_and_required_inputs() -> None:
    process = ProcessDescription.model_validate(
        {
            "id": "p",
            "version": "1",
            "inputs": {
                "one": {"schema": {"type": "string"}},
                "many": {"schema": {"type": "integer"}, "minOccurs": 0, "maxOccurs": 3},
                "two_plus": {
                    "schema": {"type": "number"},
                    "minOccurs": 2,
                    "maxOccurs": "unbounded",
                },
            },
            "outputs": {"out": {"schema": {"type": "string"}}},
        }
    )
    schema = execute_schema(process)
    validator = jsonschema.Draft7Validator(schema)
    assert schema["required"] == ["inputs"]
    assert schema["properties"]["inputs"]["required"] == ["one", "two_plus"]

    def valid(inputs: dict[str, Any]) -> bool:
        return validator.is_valid({"inputs": inputs})

    assert valid({"one": "a", "two_plus": [1.0, 2.0]})
    assert valid({"one": "a", "many": 1, "two_plus": [1, 2, 3]})
    assert valid({"one": "a", "many": [1, 2, 3], "two_plus": [1, 2]})
    assert not valid({"one": "a", "many": [1, 2, 3, 4], "two_plus": [1, 2]})
    assert not valid({"one": "a", "two_plus": 1.0})
    assert not valid({"two_plus": [1, 2]})
    assert not valid({"one": "a", "two_plus": [1, 2], "unknown": 1})


def test_live_demo_document_validates(live_server: LiveServer) -> None:
    import httpx

    document = httpx.get(f"{live_server.url}/openapi.json", timeout=30).json()
    assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []
    operation = document["paths"]["/processes/primes_between/execution"]["post"]
    inputs = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert inputs["inputs"]["properties"]["max_val"]["maximum"] == 100


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_schemathesis_finds_no_valid_body_rejected(tmp_path: Path) -> None:
    """Every schema-valid body of every per-process operation is accepted (not 4xx)."""
    import schemathesis  # noqa: F401  (a declared test dependency)

    # 422 is the server's answer to an Idempotency-Key reused with another body (the
    # fuzzer repeats generated header values); bodies the server refuses get 400, which
    # stays a failure.
    (tmp_path / "schemathesis.toml").write_text(
        "[checks.positive_data_acceptance]\n"
        'expected-statuses = ["2XX", "3XX", "401", "403", "404", "409", "422", "429", "5XX"]\n',
        encoding="utf-8",
    )
    with run_server(
        tmp_path / "jobs.db", "--workers", "1", service="tests.security.procs:quick"
    ) as server:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{server.url}/openapi.json",
                "--include-path-regex",
                r"^/processes/[a-z_]+/execution$",
                "--phases",
                "examples,coverage,fuzzing",
                "--checks",
                "positive_data_acceptance,not_a_server_error,status_code_conformance,"
                "content_type_conformance,response_schema_conformance",
                "--max-examples",
                "30",
                "--seed",
                "20261206",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=540,
            cwd=tmp_path,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    summary = output.split("SUMMARY")[-1]
    assert "failed" not in summary, output[-3000:]
    # the three per-process operations (echo, write_file, launch) were all exercised
    assert re.search(r"Tested:\s+3\b", output), output[-3000:]
