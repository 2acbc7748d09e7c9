"""The local job service: a process registry, a job store and a worker pool as a ``Service``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
import pickle
import shutil
import time
import uuid
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from eoproc.models import (
    ExecuteRequest,
    JobResults,
    JobStatus,
    ProcessDescription,
    ProcessSummary,
    StatusInfo,
)
from eoproc.server.service import (
    InvalidInput,
    JobDismissed,
    JobFailed,
    JobPage,
    JobQuery,
    NoSuchJob,
    NoSuchProcess,
    ResultFile,
    ResultNotReady,
    ServiceUnavailable,
)

from .pool import KILL_AFTER, WorkerPool
from .results import MAX_INLINE_READ, StoredResults, archive_directory, read_file_output
from .sqlite import SqliteJobStore
from .store import (
    STOPPED_MESSAGE,
    JobRecord,
    JobStore,
    NewJob,
    Outcome,
    WriteBatch,
    encode_cursor,
    now_us,
    parse_store_url,
    to_datetime,
)
from .worker import JobSpec

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.2
"""Seconds between two progress writes to the store (the last value is always written)."""
POLL_INTERVAL = 1.0
"""Seconds between claims of jobs that other servers may have added to a shared store."""


def default_store_url() -> str:
    """``sqlite:///`` URL of ``jobs.db`` in the user data directory."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('eoproc')) / 'jobs.db'}"


def status_info(record: JobRecord) -> StatusInfo:
    """The ``StatusInfo`` of a stored job (links are the server's business)."""
    fields: dict[str, Any] = {
        "processID": record.process_id,
        "jobID": record.id,
        "status": record.status,
        "created": to_datetime(record.created),
        "updated": to_datetime(record.updated),
    }
    if record.message is not None:
        fields["message"] = record.message
    if record.started is not None:
        fields["started"] = to_datetime(record.started)
    if record.finished is not None:
        fields["finished"] = to_datetime(record.finished)
    if record.progress is not None:
        fields["progress"] = record.progress
    return StatusInfo(**fields)


class LocalJobService:
    """Runs the jobs of a process registry in local worker processes, kept in a job store.

    Constructing it does no I/O; :meth:`start` opens the store, recovers the
    jobs of a previous run and starts the workers; :meth:`stop` shuts down.
    """

    def __init__(
        self,
        registry: Any,
        *,
        store_url: str | None = None,
        workers: int | None = None,
        max_queued: int = 10_000,
        title: str = "eoproc",
        description: str = "OGC API - Processes server running jobs on this machine",
        grace_period: float = 10.0,
        store: JobStore | None = None,
    ) -> None:
        self.registry = registry
        self.title = title
        self.description = description
        self.store_url = store_url
        self.workers = workers if workers and workers > 0 else (os.cpu_count() or 1)
        self.max_queued = max_queued
        self.grace_period = grace_period
        self._store = store
        self._pool: WorkerPool | None = None
        self._running = False
        self._owner = uuid.uuid4().hex
        self._batch = WriteBatch()
        self._inserted: list[asyncio.Future[None]] = []
        self._progress: dict[str, tuple[int | None, str | None]] = {}
        self._progress_written = 0.0
        self._ended: dict[str, asyncio.Future[None]] = {}
        self._queued = 0
        self._finish_times: deque[float] = deque(maxlen=500)
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing_writer = False

    # -- life cycle --------------------------------------------------------------

    def configure(
        self,
        *,
        store_url: str | None = None,
        workers: int | None = None,
        max_queued: int | None = None,
        grace_period: float | None = None,
    ) -> None:
        """Change options before :meth:`start` (the server CLI's ``--store`` etc.)."""
        if self._running or (self._store is not None and store_url is not None):
            raise ValueError("the job service is already started; configure it before")
        if store_url is not None:
            parse_store_url(store_url)  # fail early on a bad URL
            self.store_url = store_url
        if workers is not None:
            if workers < 1:
                raise ValueError(f"workers must be at least 1, not {workers}")
            self.workers = workers
        if max_queued is not None:
            if max_queued < 1:
                raise ValueError(f"max_queued must be at least 1, not {max_queued}")
            self.max_queued = max_queued
        if grace_period is not None:
            self.grace_period = grace_period

    @property
    def store(self) -> JobStore:
        """The job store (created by :meth:`start` unless one was given)."""
        if self._store is None:
            path = parse_store_url(self.store_url or default_store_url())
            self._store = SqliteJobStore(path)
        return self._store

    async def start(self) -> None:
        """Open the store, recover jobs of a previous run, start the workers."""
        if self._running:
            return
        try:
            registry_pickle = pickle.dumps(self.registry)
        except Exception as exc:
            raise RuntimeError(f"The process registry cannot be sent to workers: {exc}") from exc
        store = self.store
        await store.open()
        failed = await store.fail_running(STOPPED_MESSAGE, now_us())
        if failed:
            log.warning("%d job(s) were running when the server stopped; marked failed", failed)
        self._queued = await store.count(JobStatus.accepted)
        self._wake = asyncio.Event()
        self._closing_writer = False
        self._pool = WorkerPool(
            registry_pickle,
            self.workers,
            on_progress=self._on_progress,
            on_done=self._on_done,
            on_capacity=self._wake.set,
        )
        self._pool.start()
        self._writer = asyncio.create_task(self._write_loop(), name="eoproc-job-writer")
        self._running = True

    async def stop(self) -> None:
        """Refuse new jobs, give running ones the grace period, fail the rest, close."""
        if not self._running:
            return
        self._running = False
        assert self._pool is not None and self._wake is not None
        if not await self._pool.wait_idle(self.grace_period):
            log.warning("jobs still running after the %.1f s grace period", self.grace_period)
        held = await self._pool.close()
        self._closing_writer = True
        self._wake.set()
        if self._writer is not None:
            await self._writer
        if held:
            await self.store.fail_running(STOPPED_MESSAGE, now_us(), held)
        for future in self._ended.values():
            if not future.done():
                future.set_result(None)
        self._ended.clear()
        await self.store.close()

    # -- processes -----------------------------------------------------------------

    def list_processes(self) -> list[ProcessSummary]:
        return list(self.registry.summaries())

    def get_process(self, process_id: str) -> ProcessDescription:
        try:
            description: ProcessDescription = self.registry.describe(process_id)
        except LookupError:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.") from None
        return description

    # -- jobs ----------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise ServiceUnavailable(
                "The job service is not running (it is starting or shutting down).",
                headers={"Retry-After": "5"},
            )

    def _requested_outputs(self, process_id: str, request: ExecuteRequest) -> str | None:
        """The JSON of the outputs the request asks for (``None``: all of them)."""
        if not request.outputs:
            return None
        from eoproc.processes.errors import InputValidationError

        try:
            self.registry.check_outputs(process_id, list(request.outputs))
        except InputValidationError as exc:
            problems = [problem.to_dict() for problem in exc.problems]
            raise InvalidInput(str(exc), extra={"problems": problems}) from None
        return json.dumps(
            {
                output_id: output.model_dump(mode="json", by_alias=True, exclude_unset=True)
                for output_id, output in request.outputs.items()
            }
        )

    def _validate(self, process_id: str, inputs: Mapping[str, Any]) -> None:
        from eoproc.processes.errors import InputValidationError

        try:
            self.registry.validate_inputs(process_id, dict(inputs))
        except LookupError:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.") from None
        except InputValidationError as exc:
            problems = [problem.to_dict() for problem in exc.problems]
            raise InvalidInput(str(exc), extra={"problems": problems}) from None

    async def execute(self, process_id: str, request: ExecuteRequest, *, wait: bool) -> StatusInfo:
        self._require_running()
        inputs = request.inputs or {}
        self._validate(process_id, inputs)
        outputs_json = self._requested_outputs(process_id, request)
        if self._queued >= self.max_queued:
            retry = max(1, min(60, math.ceil(self._queued / max(self._throughput(), 1.0))))
            raise ServiceUnavailable(
                f"Too many queued jobs ({self._queued}); try again later.",
                headers={"Retry-After": str(retry)},
            )
        try:
            inputs_json = json.dumps(inputs)
        except (TypeError, ValueError):
            inputs_json = json.dumps(request.model_dump(mode="json", by_alias=True)["inputs"])
        job = NewJob(str(uuid.uuid4()), process_id, now_us(), inputs_json, outputs_json)
        loop = asyncio.get_running_loop()
        inserted: asyncio.Future[None] = loop.create_future()
        ended = self._ended_future(job.id) if wait else None
        self._queued += 1
        self._batch.inserts.append(job)
        self._inserted.append(inserted)
        assert self._wake is not None
        self._wake.set()
        try:
            await inserted
            if ended is None:
                created = to_datetime(job.created)
                return StatusInfo(
                    processID=process_id,
                    jobID=job.id,
                    status=JobStatus.accepted,
                    created=created,
                    updated=created,
                )
            await asyncio.shield(ended)
        finally:
            if ended is not None and ended.done():
                self._ended.pop(job.id, None)
        return await self.get_job(job.id)

    def _throughput(self) -> float:
        """Jobs finished per second, recently."""
        times = self._finish_times
        if len(times) < 2:
            return 0.0
        return len(times) / max(time.monotonic() - times[0], 1e-3)

    def _ended_future(self, job_id: str) -> asyncio.Future[None]:
        future = self._ended.get(job_id)
        if future is None:
            future = self._ended[job_id] = asyncio.get_running_loop().create_future()
        return future

    def _job_ended(self, job_id: str) -> None:
        future = self._ended.pop(job_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def get_job(self, job_id: str) -> StatusInfo:
        record = await self.store.get(job_id)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        return status_info(record)

    async def list_jobs(self, query: JobQuery) -> JobPage:
        try:
            records, key = await self.store.list(query)
        except ValueError as exc:
            raise InvalidInput(
                f"Invalid job-list cursor: {exc}",
                extra={"problems": [{"path": "next", "message": str(exc)}]},
            ) from None
        return JobPage(
            jobs=[status_info(record) for record in records],
            next_cursor=encode_cursor(*key) if key is not None else None,
        )

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        answer = await self.store.dismiss(job_id, now_us())
        if answer is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        previous, record = answer
        if previous == JobStatus.accepted:
            self._queued = max(0, self._queued - 1)
        if previous in (JobStatus.accepted, JobStatus.running) and self._pool is not None:
            self._pool.cancel(job_id)
        if previous != JobStatus.accepted:
            await self._remove_results(job_id)
            if previous == JobStatus.running:  # a terminated worker may still have been writing
                loop = asyncio.get_running_loop()
                loop.call_later(KILL_AFTER + 0.5, self._remove_results_later, job_id)
        self._job_ended(job_id)
        return status_info(record)

    async def _remove_results(self, job_id: str) -> None:
        job_dir = self.store.results_root / job_id
        if job_dir.exists():
            await asyncio.to_thread(shutil.rmtree, job_dir, True)

    def _remove_results_later(self, job_id: str) -> None:
        shutil.rmtree(self.store.results_root / job_id, ignore_errors=True)

    async def _finished_record(self, job_id: str) -> JobRecord:
        record = await self.store.get(job_id, full=True)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        if record.status == JobStatus.dismissed:
            raise JobDismissed(f"Job {job_id!r} was dismissed; it has no results.")
        if record.status == JobStatus.failed:
            error = json.loads(record.error_json) if record.error_json else {}
            extra: dict[str, Any] = {"jobID": job_id, "processID": record.process_id}
            if error.get("traceback"):  # the server shows it only in debug mode
                extra["traceback"] = error["traceback"].splitlines()
            raise JobFailed(
                error.get("message") or record.message or "The job failed.", extra=extra
            )
        if record.status != JobStatus.successful:
            raise ResultNotReady(
                f"Job {job_id!r} is {record.status.value}; its results are not ready yet."
            )
        return record

    async def get_results(self, job_id: str) -> JobResults:
        record = await self._finished_record(job_id)
        stored = StoredResults.decode(record.results_json)
        requested: dict[str, Any] = json.loads(record.outputs_json) if record.outputs_json else {}
        results: dict[str, Any] = {}
        for output_id in requested or stored.output_ids():
            if output_id in stored.values:
                results[output_id] = stored.values[output_id]
            elif output_id in stored.files:
                info = stored.files[output_id]
                if "link" in info:  # a file the process wrote and linked to
                    results[output_id] = {**info["link"], "href": f"results/{output_id}"}
                    continue
                by_reference = requested.get(output_id, {}).get("transmissionMode") == "reference"
                if by_reference or info["size"] > MAX_INLINE_READ:
                    results[output_id] = {"href": f"results/{output_id}", "type": info["type"]}
                else:
                    path = self.store.results_root / job_id / info["file"]
                    results[output_id] = await asyncio.to_thread(read_file_output, path)
        return JobResults(results)

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        record = await self._finished_record(job_id)
        info = StoredResults.decode(record.results_json).files.get(output_id)
        if info is None:
            raise NoSuchJob(f"Job {job_id!r} has no output {output_id!r} kept as a file.")
        job_dir = self.store.results_root / job_id
        path = job_dir / info["file"]
        if info.get("directory"):
            digest = hashlib.sha1(output_id.encode()).hexdigest()[:16]
            archive = job_dir / ".archives" / f"{digest}.zip"
            path = await asyncio.to_thread(archive_directory, path, archive)
            return ResultFile(path=path, media_type="application/zip")
        return ResultFile(path=path, media_type=info["type"])

    # -- executor callbacks and the store writer ------------------------------------

    def _on_progress(self, job_id: str, percent: int | None, message: str | None) -> None:
        old = self._progress.get(job_id)
        if old is not None:
            percent = percent if percent is not None else old[0]
            message = message if message is not None else old[1]
        self._progress[job_id] = (percent, message)
        assert self._wake is not None
        self._wake.set()

    def _on_done(
        self,
        job_id: str,
        status: str,
        message: str | None,
        started: int | None,
        finished: int,
        results_json: str | None,
        error_json: str | None,
    ) -> None:
        self._progress.pop(job_id, None)
        if status == JobStatus.failed and error_json is None:
            error_json = json.dumps({"message": message})
        self._batch.outcomes.append(
            Outcome(
                id=job_id,
                status=JobStatus(status),
                message=message,
                started=started,
                finished=finished,
                progress=100 if status == JobStatus.successful else None,
                results_json=results_json,
                error_json=error_json,
            )
        )
        assert self._wake is not None
        self._wake.set()

    async def _write_loop(self) -> None:
        assert self._wake is not None
        while True:
            timeout = POLL_INTERVAL
            if self._progress:
                due = self._progress_written + PROGRESS_INTERVAL - time.monotonic()
                timeout = max(0.0, min(timeout, due))
            polled = False
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                polled = True
            self._wake.clear()
            await self._flush(polled)
            if self._closing_writer and not self._batch and not self._inserted:
                return

    async def _flush(self, polled: bool) -> None:
        batch, inserted = self._batch, self._inserted
        self._batch, self._inserted = WriteBatch(owner=self._owner), []
        if self._progress and time.monotonic() - self._progress_written >= PROGRESS_INTERVAL:
            batch.progress, self._progress = self._progress, {}
            self._progress_written = time.monotonic()
        if self._running and self._pool is not None and (self._queued > 0 or polled):
            batch.claim = self._pool.capacity()
        batch.owner = self._owner
        if not batch:
            return
        try:
            claimed = await self.store.apply(batch)
        except Exception as exc:
            log.exception("the job store failed to write")
            self._queued -= len(batch.inserts)
            for future in inserted:
                if not future.done():
                    future.set_exception(ServiceUnavailable(f"The job store is unavailable: {exc}"))
            self._batch.outcomes[:0] = batch.outcomes  # retried with the next batch
            await asyncio.sleep(0.5)
            return
        for future in inserted:
            if not future.done():
                future.set_result(None)
        self._finish_times.extend([time.monotonic()] * len(batch.outcomes))
        for outcome in batch.outcomes:
            self._job_ended(outcome.id)
        if claimed:
            self._queued = max(0, self._queued - len(claimed))
            assert self._pool is not None
            root = self.store.results_root
            self._pool.submit(
                [
                    JobSpec(
                        job.id,
                        job.process_id,
                        job.inputs_json,
                        list(json.loads(job.outputs_json)) if job.outputs_json else None,
                        str(root / job.id),
                    )
                    for job in claimed
                ]
            )
