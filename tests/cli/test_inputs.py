"""``-i NAME=VALUE`` options and ``--request`` files."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from eoproc.cli.errors import UserError
from eoproc.cli.inputs import build_request, parse_input_option, parse_value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10", 10),
        ("2.5", 2.5),
        ("true", True),
        ("null", None),
        ('"10"', "10"),
        ("[1, 2]", [1, 2]),
        ('{"a": {"b": 1}}', {"a": {"b": 1}}),
        ("hello", "hello"),
        ("", ""),
        ("hello world", "hello world"),
        ("{not json", "{not json"),
        ("2025-01-01", "2025-01-01"),
        ("ünïcödé ✓", "ünïcödé ✓"),
    ],
)
def test_value_is_json_else_text(text: str, value: Any) -> None:
    assert parse_value(text) == value


def test_value_from_files(tmp_path: Path) -> None:
    (tmp_path / "v.json").write_text('{"bbox": [1, 2, 3, 4]}', encoding="utf-8")
    (tmp_path / "v.yaml").write_text("a: 1\nb: [x, y]\n", encoding="utf-8")
    (tmp_path / "v.txt").write_text("plain text ✓", encoding="utf-8")
    assert parse_value(f"@{tmp_path / 'v.json'}") == {"bbox": [1, 2, 3, 4]}
    assert parse_value(f"@{tmp_path / 'v.yaml'}") == {"a": 1, "b": ["x", "y"]}
    assert parse_value(f"@{tmp_path / 'v.txt'}") == "plain text ✓"


def test_value_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"Input file not found: .*missing\.json"):
        parse_value(f"@{tmp_path / 'missing.json'}")
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(UserError, match="is not valid JSON"):
        parse_value(f"@{tmp_path / 'bad.json'}")
    with pytest.raises(UserError, match="Missing file name"):
        parse_value("@")


@pytest.mark.parametrize(
    ("option", "path", "value"),
    [
        ("min_val=10", ["min_val"], 10),
        ("name=a=b", ["name"], "a=b"),
        ("bbox.crs=EPSG:4326", ["bbox", "crs"], "EPSG:4326"),
        (" spaced =1", ["spaced"], 1),
        ("empty=", ["empty"], ""),
    ],
)
def test_input_option(option: str, path: list[str], value: Any) -> None:
    assert parse_input_option(option) == (path, value)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("min_val", "expected NAME=VALUE"),
        ("=10", "expected NAME=VALUE"),
        ("a..b=1", "empty part in dotted name"),
        ("a.=1", "empty part in dotted name"),
    ],
)
def test_bad_input_option(option: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_input_option(option)


def test_dotted_names_nest_and_merge() -> None:
    request = build_request(None, ["bbox.bbox=[1,2,3,4]", "bbox.crs=CRS84", "n=1"])
    assert request == {"inputs": {"bbox": {"bbox": [1, 2, 3, 4], "crs": "CRS84"}, "n": 1}}
    merged = build_request(None, ['obj={"a": 1}', "obj.b=2"])
    assert merged == {"inputs": {"obj": {"a": 1, "b": 2}}}


def test_dotted_name_under_a_value_is_an_error() -> None:
    with pytest.raises(UserError, match=re.escape("Input 'a' has a value, cannot set 'a.b'")):
        build_request(None, ["a=1", "a.b=2"])


def test_no_inputs_gives_an_empty_request() -> None:
    assert build_request(None, None) == {}
    assert build_request(None, []) == {}


def test_request_file_yaml_or_json_options_override(tmp_path: Path) -> None:
    yaml_file = tmp_path / "request.yaml"
    yaml_file.write_text(
        "inputs:\n  min_val: 1\n  max_val: 50\n  opts: {x: 1, y: 2}\nresponse: document\n",
        encoding="utf-8",
    )
    request = build_request(str(yaml_file), ["max_val=80", "opts.y=3"])
    assert request == {
        "inputs": {"min_val": 1, "max_val": 80, "opts": {"x": 1, "y": 3}},
        "response": "document",
    }
    json_file = tmp_path / "request.json"
    json_file.write_text(json.dumps({"inputs": {"duration": 2}}), encoding="utf-8")
    assert build_request(str(json_file), None) == {"inputs": {"duration": 2}}


def test_request_file_may_hold_just_the_inputs(tmp_path: Path) -> None:
    path = tmp_path / "inputs.yaml"
    path.write_text("duration: 2\nfail: true\n", encoding="utf-8")
    assert build_request(str(path), ["fail=false"]) == {"inputs": {"duration": 2, "fail": False}}


def test_inputs_beside_request_members_are_inputs(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text('{"inputs": {"a": 1}, "b": 2, "response": "raw"}', encoding="utf-8")
    assert build_request(str(path), None) == {"inputs": {"a": 1, "b": 2}, "response": "raw"}


def test_request_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"inputs": {"min_val": 3}}'))
    assert build_request("-", ["max_val=9"]) == {"inputs": {"min_val": 3, "max_val": 9}}


def test_empty_request_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    assert build_request(str(path), ["a=1"]) == {"inputs": {"a": 1}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- 1\n- 2\n", "must be a mapping, not list"),
        ("inputs: [1, 2]\n", "'inputs' must be a mapping"),
        ("a: [1, 2\n", "Cannot parse .* as YAML or JSON"),
    ],
)
def test_bad_request_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=message):
        build_request(str(path), None)


def test_missing_request_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Request file not found"):
        build_request(str(tmp_path / "nope.yaml"), None)
