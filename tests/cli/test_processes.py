"""Processes, request templates and validation, against the live server."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.cli.conftest import Runner


def test_list_processes_formats_and_alias(cli: Runner) -> None:
    as_json = cli("list-processes", "-f", "json")
    assert as_json.code == 0, as_json
    ids = [p["id"] for p in as_json.json()["processes"]]
    assert {"sleep_a_while", "primes_between"} <= set(ids)
    assert cli("lp", "--format", "json").json() == as_json.json()
    assert cli("lp").yaml() == as_json.json()
    table = cli("lp", "-f", "table")
    assert table.code == 0, table
    assert "Prime Processor" in table.stdout and "primes_between" in table.stdout


def test_get_process(cli: Runner) -> None:
    result = cli("gp", "primes_between", "-f", "json")
    assert result.code == 0, result
    inputs = result.json()["inputs"]
    assert inputs["max_val"]["schema"] == {"default": 100, "maximum": 100.0, "type": "integer"}
    table = cli("get-process", "primes_between", "-f", "table")
    for expected in ["Inputs", "min_val", "integer", "Outputs", "return_value", "array[integer]"]:
        assert expected in table.stdout


def test_create_request_template_runs_as_is(cli: Runner, home: Path) -> None:
    template = cli("create-request", "primes_between")
    assert template.code == 0, template
    assert template.yaml() == {
        "process_id": "primes_between",
        "inputs": {"max_val": 100, "min_val": 0},
    }
    assert cli("cr", "sleep_a_while").yaml() == {
        "process_id": "sleep_a_while",
        "inputs": {"duration": 10.0, "fail": False},
    }
    request_file = home / "request.yaml"
    request_file.write_text(template.stdout, encoding="utf-8")
    # the edited template (here: one value overridden on the command line) executes
    done = cli("ep", "primes_between", "--request", str(request_file), "-i", "min_val=90", "--wait")
    assert done.code == 0, done
    assert done.yaml() == {"return_value": [97]}


def test_validate_request_lists_every_problem_and_exits_1(cli: Runner) -> None:
    result = cli("vr", "primes_between", "-i", "min_val=-3", "-i", "max_val=abc", "-i", "foo=1")
    assert result.code == 1, result
    report = result.yaml()
    assert report["valid"] is False
    problems = {p["path"]: p["message"] for p in report["problems"]}
    assert set(problems) == {"inputs.min_val", "inputs.max_val", "inputs.foo"}
    assert "minimum" in problems["inputs.min_val"]
    assert "integer" in problems["inputs.max_val"]
    assert "unknown input" in problems["inputs.foo"]
    assert result.stderr.strip() == "Error: Request is invalid: 3 problems."


def test_validate_request_valid(cli: Runner, home: Path) -> None:
    result = cli("validate-request", "primes_between", "-i", "min_val=3")
    assert (result.code, result.stdout) == (0, "Request is valid for process primes_between.\n")
    request = home / "r.json"
    request.write_text('{"inputs": {"min_val": -1}}', encoding="utf-8")
    assert cli("vr", "primes_between", "-r", str(request)).code == 1
    fixed = cli("vr", "primes_between", "-r", str(request), "-i", "min_val=1", "-f", "json")
    assert (fixed.code, fixed.json()) == (0, {"valid": True, "problems": []})


def test_validate_request_table(cli: Runner) -> None:
    result = cli("vr", "primes_between", "-i", "max_val=1000", "-f", "table")
    assert result.code == 1
    assert "Request is invalid" in result.stdout and "inputs.max_val" in result.stdout


def test_request_from_stdin(cli: Runner) -> None:
    body = yaml.safe_dump({"inputs": {"min_val": 10, "max_val": 20}})
    result = cli("ep", "primes_between", "-r", "-", "--wait", "-f", "json", input=body)
    assert result.code == 0, result
    assert result.json() == {"return_value": [11, 13, 17, 19]}


def test_capabilities_and_conformance(cli: Runner) -> None:
    landing = cli("get-capabilities")
    assert landing.code == 0, landing
    assert any(link["rel"] == "self" for link in landing.yaml()["links"])
    conformance = cli("get-conformance", "-f", "json")
    assert (
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core"
        in conformance.json()["conformsTo"]
    )
    assert "Conformance class" in cli("get-conformance", "-f", "table").stdout
