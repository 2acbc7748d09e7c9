"""Executing processes and managing jobs, against the live server."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Runner


def start(cli: Runner, process: str, *inputs: str) -> str:
    """Execute a process asynchronously; its job id."""
    result = cli("ep", process, *[arg for i in inputs for arg in ("-i", i)], "-f", "json")
    assert result.code == 0, result
    job_id: str = result.json()["jobID"]
    return job_id


def test_execute_prints_the_new_job(cli: Runner) -> None:
    result = cli("execute-process", "primes_between", "-i", "min_val=10", "-i", "max_val=80")
    assert result.code == 0, result
    job = result.yaml()
    assert job["processID"] == "primes_between"
    assert job["status"] in ("accepted", "running", "successful")
    assert job["type"] == "process"


def test_wait_prints_results_and_progress(cli: Runner) -> None:
    result = cli("ep", "primes_between", "-i", "min_val=10", "-i", "max_val=30", "--wait")
    assert result.code == 0, result
    assert result.yaml() == {"return_value": [11, 13, 17, 19, 23, 29]}
    # not a terminal: each change of the job is one line on stderr
    assert "(primes_between): successful 100% - Done" in result.stderr


def test_wait_for_a_failing_job_exits_2(cli: Runner) -> None:
    result = cli("ep", "sleep_a_while", "-i", "duration=0.3", "-i", "fail=true", "--wait")
    assert result.code == 2, result
    assert result.stdout == ""
    error = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and "failed" in error[0] and "Woke up too early" in error[0]


def test_wait_timeout_exits_2(cli: Runner) -> None:
    result = cli("ep", "sleep_a_while", "-i", "duration=20", "--wait", "--timeout", "0.5")
    assert result.code == 2, result
    assert "did not end within 0.5 seconds" in result.stderr
    job_id = result.stderr.split("Job ", 1)[1].split()[0]
    assert cli("dj", job_id).code == 0


def test_watch_job_to_success_and_failure(cli: Runner) -> None:
    job_id = start(cli, "sleep_a_while", "duration=1")
    watched = cli("get-job", job_id, "--watch")
    assert watched.code == 0, watched
    assert watched.yaml()["status"] == "successful"
    assert f"{job_id} (sleep_a_while): successful" in watched.stderr

    failing = start(cli, "sleep_a_while", "duration=0.3", "fail=true")
    watched = cli("gj", failing, "-w", "-f", "json")
    assert watched.code == 2, watched
    assert watched.json()["status"] == "failed"
    assert f"Error: Job {failing} failed" in watched.stderr


def test_list_jobs_filters_and_formats(cli: Runner) -> None:
    ok = start(cli, "primes_between", "max_val=10")
    cli("gj", ok, "--watch")
    failed = start(cli, "sleep_a_while", "duration=0.1", "fail=true")
    cli("gj", failed, "--watch")

    everything = cli("list-jobs", "-f", "json")
    assert everything.code == 0, everything
    assert {ok, failed} <= {job["jobID"] for job in everything.json()["jobs"]}

    successful = cli("lj", "--status", "successful", "-f", "json").json()["jobs"]
    assert ok in {job["jobID"] for job in successful}
    assert {job["status"] for job in successful} == {"successful"}

    of_process = cli("lj", "--process", "sleep_a_while", "-f", "json").json()["jobs"]
    assert failed in {job["jobID"] for job in of_process}
    assert {job["processID"] for job in of_process} == {"sleep_a_while"}

    first_page = cli("lj", "--limit", "1", "-f", "json")
    assert len(first_page.json()["jobs"]) == 1
    assert "More jobs are available: use --all" in first_page.stderr
    every = cli("lj", "--limit", "1", "--all", "-f", "json")
    assert {ok, failed} <= {job["jobID"] for job in every.json()["jobs"]}
    assert every.stderr == ""

    table = cli("lj", "-f", "table", env={"COLUMNS": "160"})
    assert ok in table.stdout and failed in table.stdout and "successful" in table.stdout


def test_list_jobs_rejects_unknown_status(cli: Runner) -> None:
    result = cli("lj", "--status", "finished")
    assert result.code == 1
    assert "Invalid status 'finished'" in result.stderr


def test_dismiss_running_job_then_results_exit_2(cli: Runner) -> None:
    job_id = start(cli, "sleep_a_while", "duration=30")
    dismissed = cli("dismiss-job", job_id)
    assert dismissed.code == 0, dismissed
    assert dismissed.yaml()["status"] == "dismissed"
    results = cli("gjr", job_id)
    assert results.code == 2, results
    assert results.stderr.startswith("Error: ") and job_id in results.stderr.splitlines()[0]


def test_results_to_output_dir_without_references(cli: Runner, home: Path) -> None:
    job_id = start(cli, "primes_between", "max_val=10")
    cli("gj", job_id, "--watch")
    target = home / "out"
    result = cli("get-job-results", job_id, "--output-dir", str(target))
    assert result.code == 0, result
    assert result.yaml() == []
    assert target.is_dir() and not any(target.iterdir())
    assert "nothing was downloaded" in result.stderr


def test_results_by_reference_downloaded_to_output_dir(cli: Runner, home: Path) -> None:
    scene = ("simulate_scene", "resolution=30", "end_date=2025-01-03")
    job_id = start(cli, *scene)
    assert cli("gj", job_id, "--watch").code == 0
    inline = cli("gjr", job_id, "-f", "json")
    assert inline.json()["return_value"]["href"].endswith(f"/jobs/{job_id}/results/return_value")

    target = home / "downloads"
    result = cli("get-job-results", job_id, "--output-dir", str(target))
    assert result.code == 0, result
    files = [Path(name) for name in result.yaml()]
    assert files == [target / "simulate_scene.zarr"]
    assert (files[0] / "zarr.json").is_file()  # the Zarr store, unpacked: xr.open_zarr opens it

    waited = cli(
        "ep",
        scene[0],
        *[a for i in scene[1:] for a in ("-i", i)],
        "--wait",
        "-o",
        str(home / "direct"),
        "-f",
        "json",
    )
    assert waited.code == 0, waited
    assert [Path(name).parent for name in waited.json()] == [home / "direct"]
