"""Output renderers: YAML (the default), JSON and tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from eoproc.cli.render import OutputFormat, dump_yaml, output
from eoproc.models import JobList, ProcessList, StatusInfo

JOB: dict[str, Any] = {
    "jobID": "job_2",
    "processID": "primes_between",
    "status": "successful",
    "message": "Done",
    "progress": 100,
    "created": "2025-11-12T10:18:38.616131Z",
    "finished": "2025-11-12T10:18:38.617391Z",
}
RUNNING: dict[str, Any] = {
    **JOB,
    "jobID": "3f1c9a52-8d2e-4f7a-9b1e-0c5d6e7f8a9b",
    "status": "running",
    "progress": 40,
    "message": "Sieving",
}
FAILED = {**JOB, "jobID": "job_9", "status": "failed", "message": "RuntimeError: boom"}


def test_yaml_as_the_seed_shows_it(capsys: pytest.CaptureFixture[str]) -> None:
    output(StatusInfo.model_validate(JOB), OutputFormat.yaml)
    text = capsys.readouterr().out
    assert text.splitlines() == [
        "created: '2025-11-12T10:18:38.616131Z'",
        "finished: '2025-11-12T10:18:38.617391Z'",
        "jobID: job_2",
        "message: Done",
        "processID: primes_between",
        "progress: 100",
        "status: successful",
        "type: process",
    ]


def test_yaml_wraps_long_text_like_the_seed() -> None:
    description = (
        "Sleeps for `duration` seconds. Fails on purpose if `fail` is `True`. "
        "Returns the effective amount of sleep in seconds."
    )
    text = dump_yaml({"processes": [{"description": description, "id": "sleep_a_while"}]})
    assert text.splitlines()[:3] == [
        "processes:",
        "- description: Sleeps for `duration` seconds. Fails on purpose if `fail` is `True`.",
        "    Returns the effective amount of sleep in seconds.",
    ]
    assert yaml.safe_load(text)["processes"][0]["description"] == description


def test_json_is_plain_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    jobs = JobList.model_validate({"jobs": [JOB, RUNNING], "links": []})
    output(jobs, OutputFormat.json)
    text = capsys.readouterr().out
    assert "\x1b[" not in text
    data = json.loads(text)
    assert [job["jobID"] for job in data["jobs"]] == ["job_2", RUNNING["jobID"]]
    assert data["jobs"][1]["progress"] == 40


def test_unicode_survives_yaml_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    output({"title": "Zürich ✓"}, OutputFormat.yaml)
    assert capsys.readouterr().out == "title: Zürich ✓\n"
    output({"title": "Zürich ✓"}, OutputFormat.json)
    assert json.loads(capsys.readouterr().out) == {"title": "Zürich ✓"}


def test_job_table_shows_full_ids_status_and_progress(capsys: pytest.CaptureFixture[str]) -> None:
    jobs = JobList.model_validate({"jobs": [JOB, RUNNING, FAILED], "links": []})
    output(jobs, OutputFormat.table, "jobs")
    text = capsys.readouterr().out
    assert RUNNING["jobID"] in text  # never shortened
    for expected in [
        "Job ID",
        "Status",
        "Progress",
        "successful",
        "running",
        "failed",
        "40%",
        "100%",
        "Sieving",
        "2025-11-12 10:18:38",
    ]:
        assert expected in text
    assert "\x1b[" not in text  # not a terminal: no colour


def test_table_colours_status_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    jobs = JobList.model_validate({"jobs": [JOB, FAILED], "links": []})
    output(jobs, OutputFormat.table, "jobs")
    text = capsys.readouterr().out
    assert "\x1b[32msuccessful" in text  # green
    assert "\x1b[1;31mfailed" in text  # bold red


def test_no_color_is_respected(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    output(JobList.model_validate({"jobs": [JOB, FAILED], "links": []}), OutputFormat.table, "jobs")
    text = capsys.readouterr().out
    assert "failed" in text
    assert "\x1b[32m" not in text and "\x1b[1;31m" not in text


def test_narrow_job_table_keeps_ids_and_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    output(JobList.model_validate({"jobs": [RUNNING], "links": []}), OutputFormat.table, "jobs")
    text = capsys.readouterr().out
    assert RUNNING["jobID"] in text
    assert "running 40%" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_process_table(capsys: pytest.CaptureFixture[str]) -> None:
    processes = ProcessList.model_validate(
        {
            "processes": [
                {
                    "id": "primes_between",
                    "version": "0.0.0",
                    "title": "Prime Processor",
                    "description": "Returns primes. More text here.",
                },
            ],
            "links": [],
        }
    )
    output(processes, OutputFormat.table, "processes")
    text = capsys.readouterr().out
    assert "primes_between" in text and "Prime Processor" in text
    assert "Returns primes." in text and "More text" not in text


def test_other_documents_as_key_value_tables(capsys: pytest.CaptureFixture[str]) -> None:
    output({"inputs": {"min_val": 0}, "response": "document"}, OutputFormat.table, "request")
    text = capsys.readouterr().out
    assert "inputs" in text and '{"min_val": 0}' in text and "document" in text
