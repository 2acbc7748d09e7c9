"""Notebook display: HTML tables for process lists, job lists, job status, results."""

from __future__ import annotations

import pytest

from eoproc.client.html import (
    job_list_html,
    process_list_html,
    register_ipython_formatters,
    results_html,
    status_html,
)
from eoproc.models import JobList, JobResults, ProcessList

PROCESSES = ProcessList.model_validate(
    {
        "processes": [
            {
                "id": "primes_between",
                "version": "0.0.0",
                "title": "Prime Processor",
                "description": "Returns the list of prime numbers between `min_val` and `max_val`.",
            },
            {"id": "x<y>", "version": "1", "description": "first line\nsecond line"},
        ],
        "links": [],
    }
)
JOBS = JobList.model_validate(
    {
        "jobs": [
            {
                "jobID": "job_0",
                "processID": "sleep_a_while",
                "status": "running",
                "progress": 40,
                "message": "Sleeping <deeply>",
                "created": "2025-11-12T10:14:54Z",
            },
            {"jobID": "job_1", "status": "failed"},
        ],
        "links": [],
    }
)


def test_process_list_table() -> None:
    html = process_list_html(PROCESSES)
    assert html.startswith("<table>")
    assert html.count("<tr>") == 3
    assert "<caption style='text-align:left'>2 processes</caption>" in html
    assert "<td style='text-align:left'>Prime Processor</td>" in html
    assert "x&lt;y&gt;" in html  # escaped
    assert "second line" not in html  # first line of descriptions only


def test_job_list_and_status_tables() -> None:
    html = job_list_html(JOBS)
    assert html.count("<tr>") == 3
    assert "<progress value='40' max='100'></progress> 40%" in html
    assert "color:#0d6efd;font-weight:bold'>running</span>" in html
    assert "Sleeping &lt;deeply&gt;" in html
    assert "2025-11-12T10:14:54+00:00" in html
    single = status_html(JOBS.jobs[1])
    assert "<caption style='text-align:left'>Job job_1</caption>" in single
    assert "#dc3545" in single


def test_results_table() -> None:
    html = results_html(JobResults({"n": [1, 2], "f": {"href": "http://h/f.tif"}}))
    assert "<a href='http://h/f.tif'>http://h/f.tif</a>" in html
    assert "[1, 2]" in html


def test_ipython_shows_the_tables() -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell()
    assert register_ipython_formatters(shell) is True
    shown, _ = shell.display_formatter.format(JOBS)
    assert shown["text/html"] == job_list_html(JOBS)
    assert shown["text/plain"].startswith("JobList(jobs=[StatusInfo(")
    status, _ = shell.display_formatter.format(JOBS.jobs[0])
    assert status["text/html"] == status_html(JOBS.jobs[0])
    processes, _ = shell.display_formatter.format(PROCESSES)
    assert processes["text/html"] == process_list_html(PROCESSES)


def test_no_shell_no_registration() -> None:
    assert register_ipython_formatters() is False  # plain Python: no IPython shell running
