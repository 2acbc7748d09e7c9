"""The seed walkthrough ``000_69cd1ec1a061eb70.txt``, command by command, as one test.

Every command runs verbatim, as a subprocess of the installed ``sen4cap-client``,
against ``s2gos-server run -- s2gos_server.services.testing:service`` on a fresh
store (readable job ids, asynchronous execution, as the seed's server), in the
seed's order, after the history the seed's server had (two dismissed jobs, ``job_0``
and ``job_1``). Outputs must match the seed's apart from timestamps, the server's URL
and members the seed's server did not send (ours adds standard members such as
``links`` and ``jobControlOptions``, and the S2GOS scene process).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from tests.cli.conftest import Result, Runner, make_runner
from tests.live_server import run_server
from tests.seeds import seed_commands

# The seed's commands, verbatim (compared with the seed document where it is there).
COMMANDS = [
    "sen4cap-client --help",
    "sen4cap-client configure",
    "sen4cap-client list-processes",
    "sen4cap-client get-process primes_between",
    "sen4cap-client execute-process primes_between -i min_val=10 -i max_val=80",
    "sen4cap-client list-jobs",
    "sen4cap-client get-job job_0",
    "sen4cap-client get-job-results job_0",
]

ANY_TIME = object()
ANY_INT = object()
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

# `sen4cap-client list-processes` in the seed, indentation restored (YAML, sorted keys).
SEED_PROCESSES = """\
processes:
- description: Sleeps for `duration` seconds. Fails on purpose if `fail` is `True`.
    Returns the effective amount of sleep in seconds.
  id: sleep_a_while
  title: Sleep Processor
  version: 0.0.0
- description: Returns the list of prime numbers between a `min_val` and `max_val`.
  id: primes_between
  title: Prime Processor
  version: 0.0.0
- description: Simulate a set scene images slices for testing. Creates an xarray dataset
    with `periodicity` time slices and writes it as Zarr into a temporary location.
    Requires installed `dask`, `xarray`, and `zarr` packages.
  id: simulate_scene
  title: Generate scene for testing
  version: 0.0.0
- id: return_base_model
  title: BaseModel Test
  version: 0.0.0
"""

# `sen4cap-client get-process primes_between` in the seed, indentation restored.
SEED_PROCESS = """\
description: Returns the list of prime numbers between a `min_val` and `max_val`.
id: primes_between
inputs:
  max_val:
    minOccurs: 0
    schema:
      default: 100
      maximum: 100.0
      type: integer
    title: Max Val
  min_val:
    minOccurs: 0
    schema:
      default: 0
      minimum: 0.0
      type: integer
    title: Min Val
outputs:
  return_value:
    schema:
      items:
        type: integer
      type: array
    title: Return Value
title: Prime Processor
version: 0.0.0
"""


def dismissed_job(job_id: str) -> dict[str, Any]:
    """A dismissed ``sleep_a_while`` job as the seed lists it."""
    return {
        "created": ANY_TIME,
        "finished": ANY_TIME,
        "jobID": job_id,
        "processID": "sleep_a_while",
        "progress": ANY_INT,
        "started": ANY_TIME,
        "status": "dismissed",
        "type": "process",
        "updated": ANY_TIME,
    }


def assert_lines_in_order(expected: str, actual: str) -> None:
    """Every line of ``expected`` occurs in ``actual``, in the same order."""
    remaining = iter(actual.splitlines())
    for line in expected.splitlines():
        assert any(candidate == line for candidate in remaining), (
            f"line {line!r} missing (or out of order) in:\n{actual}"
        )


def assert_matches(expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """``actual`` has every member of ``expected``, equal, with ANY_TIME/ANY_INT wildcards."""
    for key, value in expected.items():
        assert key in actual, f"{key!r} missing in {actual}"
        if value is ANY_TIME:
            assert ISO_TIME.match(actual[key]), (key, actual[key])
        elif value is ANY_INT:
            assert isinstance(actual[key], int), (key, actual[key])
        else:
            assert actual[key] == value, (key, actual[key], value)


def assert_sorted_keys(output: str) -> None:
    """Top-level keys in sorted order, as the seed prints them."""
    keys = [line.split(":", 1)[0] for line in output.splitlines() if re.match(r"^\w+:", line)]
    assert keys == sorted(keys), keys


def wait_status(run: Runner, job_id: str, wanted: set[str], timeout: float = 60.0) -> None:
    """Poll ``get-job`` until the job is in one of the ``wanted`` states."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = run("get-job", job_id).yaml()["status"]
        if status in wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not {wanted} within {timeout} s")


def start_seed_history(run: Runner) -> list[str]:
    """The seed's server already held two dismissed ``sleep_a_while`` jobs."""
    ids = []
    for _ in range(2):
        job = run("execute-process", "sleep_a_while", "-i", "duration=30", "-f", "json")
        assert job.code == 0, job
        ids.append(job.json()["jobID"])
    for job_id in ids:
        wait_status(run, job_id, {"running"})
        dismissed = run("dismiss-job", job_id)
        assert dismissed.code == 0, dismissed
        wait_status(run, job_id, {"dismissed"})
    return ids


def check_results_error(result: Result, job_id: str) -> None:
    assert result.code == 2, result
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: ") and job_id in first and "dismissed" in first, first
    assert "Server-side error details:" in result.stderr
    assert "status: 404" in result.stderr or "status: 403" in result.stderr
    assert "Traceback" not in result.stderr
    assert "UnicodeEncodeError" not in result.stderr


def test_the_commands_are_the_seeds() -> None:
    commands = seed_commands("000")
    if commands is not None:  # the seed documents are beside the project (as in CI)
        assert commands == COMMANDS


def seed(runner: Runner, index: int, **options: Any) -> Result:
    """Run the seed's command ``index``, verbatim."""
    program, *args = COMMANDS[index].split()
    return runner(*args, script=program, **options)


def test_seed_walkthrough(tmp_path: Path, home: Path) -> None:
    with run_server(
        tmp_path / "jobs.db",
        "--workers",
        "2",
        service="s2gos_server.services.testing:service",
        cli_module="s2gos_server.cli",
    ) as server:
        with_env = make_runner(home, SEN4CAP_API_URL=server.url)
        job_0, job_1 = start_seed_history(with_env)
        assert (job_0, job_1) == ("job_0", "job_1")

        # In [1]: sen4cap-client --help
        result = seed(with_env, 0)
        assert result.code == 0, result
        assert "Interact with the ESA Sen4CAP processing service." in result.stdout
        assert "* `3` - local network transport errors" in result.stdout

        # In [2]: sen4cap-client configure (the environment gives the URL; scripts don't ask)
        result = seed(with_env, 1)
        config_file = home / ".sen4cap" / "config"
        assert (result.code, result.stdout) == (
            0,
            f"Client configuration written to {config_file}\n",
        ), result
        assert f"api_url: {server.url}/" in config_file.read_text(encoding="utf-8")

        # From here on, the configuration file alone tells where the server is.
        run = make_runner(home)

        # In [3]: sen4cap-client list-processes
        result = seed(run, 2)
        assert result.code == 0, result
        assert_lines_in_order(SEED_PROCESSES, result.stdout)
        assert_sorted_keys(result.stdout)
        document = result.yaml()
        listed = [p for p in document["processes"] if p["id"] != "mtr_demo_generation"]
        assert [p["id"] for p in listed][:4] == [
            "sleep_a_while",
            "primes_between",
            "simulate_scene",
            "return_base_model",
        ]
        assert "description" not in listed[3]
        self_link = next(link for link in document["links"] if link["rel"] == "self")
        assert self_link["href"].startswith(f"{server.url}/processes")
        assert self_link["type"] == "application/json"

        # In [4]: sen4cap-client get-process primes_between
        result = seed(run, 3)
        assert result.code == 0, result
        assert_lines_in_order(SEED_PROCESS, result.stdout)
        assert_sorted_keys(result.stdout)

        # In [5]: sen4cap-client execute-process primes_between -i min_val=10 -i max_val=80
        result = seed(run, 4)
        assert result.code == 0, result
        assert_sorted_keys(result.stdout)
        job = result.yaml()
        assert_matches(
            {
                "created": ANY_TIME,
                "processID": "primes_between",
                "status": "accepted",
                "type": "process",
            },
            job,
        )
        job_2 = job["jobID"]
        assert job_2 == "job_2"
        wait_status(run, job_2, {"successful", "failed"})

        # In [6]: sen4cap-client list-jobs
        result = seed(run, 5)
        assert result.code == 0, result
        assert_sorted_keys(result.stdout)
        jobs = {entry["jobID"]: entry for entry in result.yaml()["jobs"]}
        assert set(jobs) == {job_0, job_1, job_2}
        assert_matches(dismissed_job(job_0), jobs[job_0])
        assert_matches(dismissed_job(job_1), jobs[job_1])
        assert_matches(
            {
                "created": ANY_TIME,
                "finished": ANY_TIME,
                "jobID": job_2,
                "message": "Done",
                "processID": "primes_between",
                "started": ANY_TIME,
                "status": "successful",
                "type": "process",
                "updated": ANY_TIME,
            },
            jobs[job_2],
        )
        assert any(link["rel"] == "self" for link in result.yaml()["links"])

        # In [7]: sen4cap-client get-job job_0
        result = seed(run, 6)
        assert result.code == 0, result
        assert_sorted_keys(result.stdout)
        assert_matches(dismissed_job(job_0), result.yaml())

        # In [8]: sen4cap-client get-job-results job_0: a clear error, exit code 2,
        # also on a Windows console (where the seed's tool crashed).
        check_results_error(seed(run, 7), job_0)
        cp1252 = seed(run, 7, env={"PYTHONIOENCODING": "cp1252"}, encoding="cp1252")
        check_results_error(cp1252, job_0)
