"""Strict input: JSON that is not portable, and bodies that are not JSON in UTF-8."""

from __future__ import annotations

import pytest

from tests.live_server import LiveServer

EXECUTE = "/processes/echo/execution"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"inputs": {"number_input": NaN}}', "NaN is not a JSON number"),
        (b'{"inputs": {"number_input": Infinity}}', "Infinity is not a JSON number"),
        (b'{"inputs": {"number_input": -Infinity}}', "-Infinity is not a JSON number"),
        (b'{"inputs": {"number_input": 1e400}}', "outside the range"),
        (b'{"inputs": {"integer_input": 1' + b"0" * 400 + b"}}", "outside the range"),
        (b'{"inputs": {"string_input": "\\ud800"}}', "lone surrogate"),
        (b'{"inputs": {"string_input": "a\\udfffb"}}', "lone surrogate"),
        (b'{"inputs": {"string_input": "\xff"}}', "not valid UTF-8"),
    ],
)
def test_non_portable_json_answers_400(live_server: LiveServer, body: bytes, says: str) -> None:
    with live_server.client(timeout=30) as client:
        response = client.post(EXECUTE, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert says in response.json()["detail"]


def test_a_surrogate_pair_is_text(live_server: LiveServer) -> None:
    body = b'{"inputs": {"string_input": "\\ud83d\\ude00"}, "outputs": {"string_input": {}}}'
    with live_server.client(timeout=30) as client:
        response = client.post(EXECUTE, content=body, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["string_input"] == "\U0001f600"


@pytest.mark.parametrize(
    ("content_type", "says"),
    [
        (None, "needs a Content-Type"),
        ("text/plain", "must be JSON"),
        ("text/json", "must be JSON"),
        ("application/x-www-form-urlencoded", "must be JSON"),
        ("application/json; charset=latin-1", "UTF-8"),
        ("application/json; charset=utf-16", "UTF-8"),
    ],
)
def test_a_body_that_is_not_json_in_utf8_answers_415(
    live_server: LiveServer, content_type: str | None, says: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    with live_server.client(timeout=30) as client:
        response = client.post(EXECUTE, content=b'{"inputs": {}}', headers=headers)
    assert response.status_code == 415, response.text
    assert says in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=UTF-8", "application/vnd.oai+json"],
)
def test_json_media_types_are_accepted(live_server: LiveServer, content_type: str) -> None:
    with live_server.client(timeout=30) as client:
        body = b'{"inputs": {"string_input": "ok"}, "outputs": {"string_input": {}}}'
        response = client.post(EXECUTE, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
