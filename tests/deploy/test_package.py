"""Packages without a server: bodies, descriptions derived from CWL, checks, Part 2 schemas."""

from __future__ import annotations

import json

import pytest
import yaml

from eoproc.deploy.describe import describe_cwl, merge_description
from eoproc.deploy.engine import check_document
from eoproc.deploy.errors import InvalidPackage, UnsupportedPackageType, WorkflowNotFound
from eoproc.deploy.package import (
    AppPackage,
    check_self_contained,
    needs_container,
    read_body,
    select_process,
    without_containers,
)
from eoproc.deploy.process import CwlProcess
from eoproc.processes import InputValidationError

from .conftest import ogcapppkg, package_text
from .schemas import Part2Schemas


def stats_document() -> dict:
    return yaml.safe_load(package_text("stats"))


def test_the_description_comes_from_the_cwl() -> None:
    description = describe_cwl(stats_document(), "stats")
    assert description["title"] == "Statistics of numbers"
    assert description["description"].startswith("Reads numbers")
    numbers = description["inputs"]["numbers"]
    assert numbers["title"] == "Numbers" and numbers["minOccurs"] == 1
    assert numbers["schema"]["format"] == "binary"
    precision = description["inputs"]["precision"]
    assert precision["minOccurs"] == 0
    assert precision["schema"] == {"type": "integer", "default": 3}
    assert description["outputs"]["mean"]["schema"] == {"type": "string"}
    assert description["outputs"]["summary"]["schema"]["format"] == "binary"


def test_cwl_types_become_schemas() -> None:
    process = {
        "class": "CommandLineTool",
        "inputs": [
            {"id": "#main/names", "type": "string[]"},
            {"id": "#main/mode", "type": {"type": "enum", "symbols": ["#main/mode/fast", "slow"]}},
            {"id": "#main/ratio", "type": ["null", "double"]},
            {"id": "#main/flag", "type": "boolean?"},
            {"id": "#main/files", "type": {"type": "array", "items": "File"}},
        ],
        "outputs": {"folder": "Directory"},
    }
    inputs = describe_cwl(process, "x")["inputs"]
    assert inputs["names"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert inputs["mode"]["schema"] == {"type": "string", "enum": ["fast", "slow"]}
    assert inputs["ratio"]["minOccurs"] == 0 and inputs["ratio"]["schema"] == {"type": "number"}
    assert inputs["flag"]["minOccurs"] == 0
    assert inputs["files"]["schema"]["items"]["format"] == "binary"
    with pytest.raises(InvalidPackage, match="unsupported CWL type"):
        describe_cwl({"inputs": {"x": "Widget"}, "outputs": {}}, "x")


def test_a_given_description_is_checked_against_the_cwl() -> None:
    derived = describe_cwl(stats_document(), "stats")
    merged = merge_description(
        derived, {"id": "stats", "title": "Stats", "inputs": {"numbers": {}, "precision": {}}}
    )
    assert merged["title"] == "Stats"
    assert merged["inputs"]["numbers"]["schema"] == derived["inputs"]["numbers"]["schema"]
    with pytest.raises(InvalidPackage) as caught:
        merge_description(
            derived,
            {
                "inputs": {"numbers": {}, "extra": {"schema": {"type": "string"}}},
                "outputs": {"mean": {"schema": {"type": "number"}}, "summary": {}},
            },
        )
    detail = caught.value.detail
    assert "precision" in detail and "extra" in detail
    assert "output 'mean'" in detail and "'number'" in detail and "'string'" in detail


def test_bodies_by_media_type() -> None:
    text = package_text("stats")
    assert read_body(text.encode(), "application/cwl+yaml").cwl == stats_document()
    as_json = json.dumps(stats_document()).encode()
    assert read_body(as_json, "application/cwl+json; charset=utf-8").cwl == stats_document()
    received = read_body(
        ogcapppkg("stats", {"id": "s2", "version": "1.0.0"}).encode(),
        "application/ogcapppkg+json",
    )
    assert received.cwl == stats_document()
    assert received.description == {"id": "s2", "version": "1.0.0"}
    by_text = {
        "executionUnit": [
            {"type": "docker", "image": "x"},
            {"value": text, "mediaType": "application/cwl+yaml"},
        ]
    }
    assert (
        read_body(json.dumps(by_text).encode(), "application/ogcapppkg+json").cwl
        == stats_document()
    )
    by_link = {"executionUnit": {"href": "https://example.org/app.cwl", "type": "application/cwl"}}
    assert read_body(json.dumps(by_link).encode(), "application/ogcapppkg+json").href
    with pytest.raises(UnsupportedPackageType):
        read_body(b"x", "text/plain")
    with pytest.raises(InvalidPackage, match="not valid YAML"):
        read_body(b"a: [", "application/cwl+yaml")
    with pytest.raises(InvalidPackage, match="docker/oci"):
        read_body(
            b'{"executionUnit": {"type": "docker", "image": "x"}}', "application/ogcapppkg+json"
        )


def test_graph_documents_and_the_w_parameter() -> None:
    tool = {k: v for k, v in stats_document().items() if k not in ("cwlVersion", "$namespaces")}
    graph = {"cwlVersion": "v1.2", "$graph": [{**tool, "id": "first"}, {**tool, "id": "#main"}]}
    assert select_process(graph, None)[1] == "main"
    assert select_process(graph, "first")[1] == "first"
    with pytest.raises(WorkflowNotFound, match="nope"):
        select_process(graph, "nope")
    assert select_process(stats_document(), "stats")[1] is None
    with pytest.raises(WorkflowNotFound):
        select_process(stats_document(), "other")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"$import": "/etc/passwd"}, "references to other documents"),
        ({"steps": {"a": {"run": "other.cwl"}}}, "inline"),
        (
            {
                "inputs": {
                    "f": {
                        "type": "File",
                        "default": {"class": "File", "location": "file:///etc/passwd"},
                    }
                }
            },
            "/etc/passwd",
        ),
        (
            {
                "inputs": {
                    "f": {"type": "File", "default": {"class": "File", "path": "/etc/hostname"}}
                }
            },
            "only http",
        ),
    ],
)
def test_packages_must_be_self_contained(change: dict, message: str) -> None:
    with pytest.raises(InvalidPackage, match=message):
        check_self_contained({**stats_document(), **change})


def test_docker_requirements_are_found_and_can_be_relaxed() -> None:
    document = {**stats_document(), "requirements": {"DockerRequirement": {"dockerPull": "alpine"}}}
    assert needs_container(document)
    relaxed = without_containers(document)
    assert not needs_container(relaxed)
    assert relaxed["hints"] == [{"class": "DockerRequirement", "dockerPull": "alpine"}]
    assert not needs_container({**stats_document(), "hints": [{"class": "DockerRequirement"}]})


def test_cwltool_checks_the_document() -> None:
    check_document(stats_document(), None)
    broken = {**stats_document(), "outputs": {"mean": {"type": "strin"}}}
    with pytest.raises(InvalidPackage) as caught:
        check_document(broken, None)
    assert "strin" in caught.value.detail
    assert "/tmp" not in caught.value.detail


def test_inputs_of_a_deployed_process_are_validated() -> None:
    document = stats_document()
    package = AppPackage("stats", document, None, describe_cwl(document, "stats"), "", "x")
    process = CwlProcess(package)
    process.validate_inputs({"numbers": {"value": "1\n2\n", "mediaType": "text/plain"}})
    with pytest.raises(InputValidationError) as caught:
        process.validate_inputs(
            {"numbers": {"href": "file:///etc/passwd"}, "precision": "three", "other": 1}
        )
    paths = {problem.path: problem.message for problem in caught.value.problems}
    assert set(paths) == {"numbers", "precision", "other"}
    assert "does not fetch" in paths["numbers"]  # cwltool must not fetch what the server did not
    with pytest.raises(InputValidationError, match="required input is missing"):
        process.validate_inputs({})


def test_part2_examples_and_our_packages_validate(part2: Part2Schemas) -> None:
    part2.validate(
        "ogcapppkg",
        {
            "executionUnit": {
                "href": "https://example.org/app-package.cwl",
                "type": "application/cwl",
            }
        },
    )
    part2.validate("ogcapppkg", json.loads(ogcapppkg("stats", {"id": "stats", "version": "1.0.0"})))
    with pytest.raises(AssertionError):
        part2.validate("ogcapppkg", {"processDescription": {}})
