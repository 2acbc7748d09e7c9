"""Commands that execute processes and manage jobs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import UserError
from ..inputs import resolve_request
from ..render import OutputFormat, output
from ..wait import wait_for_job
from .options import (
    ConfigOption,
    FormatOption,
    InputOption,
    JobIdArgument,
    RequestOption,
    RequestProcessIdArgument,
    session_of,
)

WaitOption = Annotated[
    bool,
    typer.Option("--wait", "-w", help="Wait for the job to end, showing its progress."),
]
TimeoutOption = Annotated[
    float | None,
    typer.Option("--timeout", metavar="SECONDS", min=0, help="Stop waiting after this time."),
]
OutputDirOption = Annotated[
    Path | None,
    typer.Option(
        "--output-dir",
        "-o",
        metavar="DIR",
        file_okay=False,
        help="Download the outputs given by reference into this directory.",
    ),
]
SubscriberSuccessOption = Annotated[
    str | None,
    typer.Option(
        "--subscriber-success",
        metavar="URL",
        help="Have the server POST the results here when the job succeeds (callback).",
    ),
]
SubscriberFailedOption = Annotated[
    str | None,
    typer.Option(
        "--subscriber-failed",
        metavar="URL",
        help="Have the server POST the job's status here if it fails or is dismissed.",
    ),
]
SubscriberProgressOption = Annotated[
    str | None,
    typer.Option(
        "--subscriber-progress",
        metavar="URL",
        help="Have the server POST the job's status here as it runs and progresses.",
    ),
]
STATUS_VALUES = ("accepted", "running", "successful", "failed", "dismissed")


def execute_process(
    ctx: typer.Context,
    process_id: RequestProcessIdArgument = None,
    request: RequestOption = None,
    inputs: InputOption = None,
    wait: WaitOption = False,
    sync: Annotated[
        bool,
        typer.Option("--sync", help="Execute synchronously: the server answers with the results."),
    ] = False,
    timeout: TimeoutOption = None,
    output_dir: OutputDirOption = None,
    subscriber_success: SubscriberSuccessOption = None,
    subscriber_failed: SubscriberFailedOption = None,
    subscriber_progress: SubscriberProgressOption = None,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Execute a process in asynchronous mode.

    Inputs come from `--request FILE` and `-i NAME=VALUE` options; the options
    override the file. Without PROCESS_ID, the file's `process_id` names the process.
    The `--subscriber-*` options name callback URLs (the standard's `subscriber`),
    overriding those of the file.

    Prints the new job's status; with `--wait`, follows the job to its end and
    prints its results (exit code 2 if it failed; Ctrl-C offers to dismiss it).
    With `--sync`, prints the results the server answers (a server that runs the
    process asynchronously anyway is waited for).

    Alias: `ep`.
    """
    if sync and wait:
        raise UserError("--sync and --wait exclude each other: --sync already waits.")
    if sync and output_dir is not None:
        raise UserError("--output-dir needs a job to download from: use --wait instead of --sync.")
    process_id, body = resolve_request(process_id, request, inputs)
    callbacks = {
        "successUri": subscriber_success,
        "failedUri": subscriber_failed,
        "inProgressUri": subscriber_progress,
    }
    if any(callbacks.values()):
        given = body.get("subscriber")
        subscriber = dict(given) if isinstance(given, dict) else {}
        subscriber.update({name: url for name, url in callbacks.items() if url})
        body["subscriber"] = subscriber
    with session_of(ctx).client(config) as client:
        if sync:
            output(client.execute_process(process_id, body, mode="sync"), format, "results")
            return
        status = client.execute_process(process_id, body)
        if not wait:
            output(status, format, "job")
            return
        final = wait_for_job(client, status.jobID, timeout=timeout)
        _print_results(client, final.jobID, output_dir, format)


def list_jobs(
    ctx: typer.Context,
    limit: Annotated[
        int | None, typer.Option("--limit", "-l", min=1, help="Maximum number of jobs.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            "-s",
            metavar="STATUS",
            help=f"Only jobs with this status ({'|'.join(STATUS_VALUES)}); repeatable.",
        ),
    ] = None,
    process_id: Annotated[
        list[str] | None,
        typer.Option("--process", "-p", metavar="PROCESS_ID", help="Only jobs of this process."),
    ] = None,
    all_pages: Annotated[
        bool, typer.Option("--all", "-a", help="Follow the paging links to fetch every job.")
    ] = False,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """List all jobs.

    Shows the server's first page of jobs (a note on stderr tells when there
    are more); `--all` follows the paging links to every job.

    Alias: `lj`.
    """
    for value in status or ():
        if value not in STATUS_VALUES:
            raise UserError(f"Invalid status {value!r}: expected one of {', '.join(STATUS_VALUES)}")
    query: dict[str, Any] = {"all_pages": all_pages}
    if limit is not None:
        query["limit"] = limit
    if status:
        query["status"] = status
    if process_id:
        query["process_id"] = process_id
    with session_of(ctx).client(config) as client:
        jobs = client.get_jobs(**query)
    output(jobs, format, "jobs")
    if not all_pages and any(link.rel == "next" for link in jobs.links):
        print(
            f"More jobs are available: use --all to list every one, or --limit N "
            f"(shown: {len(jobs.jobs)}).",
            file=sys.stderr,
        )


def get_job(
    ctx: typer.Context,
    job_id: JobIdArgument,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Follow the job's progress until it ends.")
    ] = False,
    timeout: TimeoutOption = None,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Get job details.

    With `--watch`, shows the job's progress until it ends, then its final
    status (exit code 2 if it failed).

    Alias: `gj`.
    """
    with session_of(ctx).client(config) as client:
        if not watch:
            output(client.get_job(job_id), format, "job")
            return
        from eoproc.client import JobFailedError

        try:
            final = wait_for_job(client, job_id, timeout=timeout)
        except JobFailedError as error:
            output(error.status, format, "job")
            raise
        output(final, format, "job")


def dismiss_job(
    ctx: typer.Context,
    job_id: JobIdArgument,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Cancel a running or delete a finished job.

    A job dismissed before is no error: a note says so and its status is shown.

    Alias: `dj`.
    """
    from eoproc.client import ClientError

    with session_of(ctx).client(config) as client:
        try:
            status = client.dismiss_job(job_id, already_ok=False)
        except ClientError as error:
            if error.status != 410:
                raise
            print(f"Note: job {job_id} was dismissed already.", file=sys.stderr)
            status = client.dismiss_job(job_id)
        output(status, format, "job")


def get_job_results(
    ctx: typer.Context,
    job_id: JobIdArgument,
    output_dir: OutputDirOption = None,
    config: ConfigOption = None,
    format: FormatOption = OutputFormat.yaml,
) -> None:
    """Get job results.

    With `--output-dir`, outputs given by reference are downloaded there and
    the files written are listed.

    Alias: `gjr`.
    """
    with session_of(ctx).client(config) as client:
        _print_results(client, job_id, output_dir, format)


def _print_results(client: Any, job_id: str, output_dir: Path | None, fmt: OutputFormat) -> None:
    if output_dir is None:
        output(client.get_job_results(job_id), fmt, "results")
        return
    paths = client.download_results(job_id, output_dir)
    if not paths:
        print(
            f"Job {job_id} has no outputs given by reference: nothing was downloaded.",
            file=sys.stderr,
        )
    output([str(path) for path in paths], fmt, "files")
