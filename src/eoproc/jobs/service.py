"""The local job service: a process registry, a job store and a worker pool as a ``Service``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import os
import pickle
import shutil
import time
import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import Any

import platformdirs

from eoproc.models import (
    ExecuteRequest,
    JobResults,
    JobStatus,
    ProcessDescription,
    ProcessSummary,
    ResponseType,
    StatusInfo,
)
from eoproc.server.callbacks import request_base
from eoproc.server.idempotency import (
    KEY_LIFETIME,
    IdempotentRequest,
    idempotent_request,
    reused,
)
from eoproc.server.security.netpolicy import AddressPolicy
from eoproc.server.service import (
    InvalidInput,
    JobGone,
    JobPage,
    JobQuery,
    NoSuchJob,
    NoSuchProcess,
    ResultFile,
    ServiceUnavailable,
)

from .eventlog import EventQueries, StoredEvent, callback_document, subscriber_json
from .events import LOCAL_INTERVAL, SHARED_INTERVAL, EventHub, Watcher
from .executor import LOST, Executor, check_executor, executor_factory
from .idempotency import KeyedInserts
from .keeper import JobKeeper, KeeperHooks, recover
from .leases import LeasedStore
from .outbox import CallbackOutbox, OutboxSettings
from .store import (
    STOPPED_MESSAGE,
    ClaimedJob,
    CountingStore,
    JobRecord,
    JobStore,
    NewJob,
    Outcome,
    StoreUnavailable,
    encode_cursor,
    now_us,
    to_datetime,
)
from .stores import check_store_url, create_store
from .views import check_successful, result_file, results_document, status_info
from .worker import JobSpec
from .writer import BatchWriter

log = logging.getLogger(__name__)

RETRY_AFTER = 5
"""Seconds a client is asked to wait when the service cannot take a request now."""


@contextmanager
def store_errors() -> Iterator[None]:
    """Raise :class:`ServiceUnavailable` (retry later) while the store is unreachable or busy."""
    try:
        yield
    except StoreUnavailable as exc:
        raise ServiceUnavailable(
            f"The job store is unavailable: {exc}", retry_after=RETRY_AFTER
        ) from None


def default_store_url() -> str:
    """``sqlite:///`` URL of ``jobs.db`` in the user data directory."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('eoproc')) / 'jobs.db'}"


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
        keep_finished: float | None = None,
        results_dir: str | None = None,
        lease: float | None = None,
        executor: str = "local",
        dask_scheduler: str | None = None,
        job_timeout: float | None = None,
        job_control: str | None = None,
        job_ids: str = "uuid",
    ) -> None:
        check_executor(executor, dask_scheduler)
        self.job_control: str | None = None
        """``async``/``sync``/``both``: the job control options published for processes
        that do not declare their own (``None``: each process's, by default both)."""
        self.job_ids = "uuid"
        """``uuid`` (default) or ``counter``: readable ids ``job_0``, ``job_1``, ... from
        the store's durable counter."""
        self._set_identity(job_control, job_ids)
        self.job_timeout = job_timeout
        """Seconds a job may run (from its claim) before it is stopped and failed."""
        self.registry = registry
        self.executor = executor
        self.dask_scheduler = dask_scheduler
        self.title = title
        self.description = description
        self.store_url = store_url
        self.workers = workers if workers and workers > 0 else (os.cpu_count() or 1)
        self.max_queued = max_queued
        self.grace_period = grace_period
        self._store = store
        self.keep_finished = keep_finished
        """Days finished jobs are kept (``None``: forever); older ones are purged."""
        self.results_dir = results_dir
        """Directory of result files (default: the store's; replicas must share one)."""
        self.lease = lease
        """Seconds a running job's lease lasts (shared stores; default: the store's)."""
        self._keeper: JobKeeper | None = None
        self._pool: Executor | None = None
        self._running = False
        self._owner = uuid.uuid4().hex
        self._writer: BatchWriter | None = None
        self._ended: dict[str, asyncio.Future[JobRecord | None]] = {}
        self._finish_times: deque[float] = deque(maxlen=500)
        self._tasks: set[asyncio.Task[None]] = set()
        self.callback_policy: AddressPolicy | None = None
        """Where callbacks may go (``create_app`` sets the server's input-reference policy)."""
        self._hub: EventHub | None = None
        self._outbox: CallbackOutbox | None = None

    # -- life cycle --------------------------------------------------------------

    def configure(
        self,
        *,
        store_url: str | None = None,
        workers: int | None = None,
        max_queued: int | None = None,
        grace_period: float | None = None,
        keep_finished: float | None = None,
        results_dir: str | None = None,
        lease: float | None = None,
        executor: str | None = None,
        dask_scheduler: str | None = None,
        job_timeout: float | None = None,
        job_control: str | None = None,
        job_ids: str | None = None,
    ) -> None:
        """Change options before :meth:`start` (the server CLI's ``--store`` etc.)."""
        if self._running or (self._store is not None and store_url is not None):
            raise ValueError("the job service is already started; configure it before")
        self._set_identity(job_control, job_ids)
        if executor is not None or dask_scheduler is not None:
            check_executor(executor or self.executor, dask_scheduler or self.dask_scheduler)
            self.executor = executor or self.executor
            self.dask_scheduler = dask_scheduler or self.dask_scheduler
        if store_url is not None:
            check_store_url(store_url)  # fail early on a bad URL
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
        self._configure_sharing(keep_finished, results_dir, lease)
        if job_timeout is not None:
            if job_timeout <= 0:
                raise ValueError(f"job_timeout must be positive, not {job_timeout}")
            self.job_timeout = job_timeout

    def _set_identity(self, job_control: str | None, job_ids: str | None) -> None:
        if job_control is not None:
            from eoproc.processes.process import job_control_for

            job_control_for(job_control)  # ValueError for an unknown mode
            self.job_control = job_control
        if job_ids is not None:
            if job_ids not in ("uuid", "counter"):
                raise ValueError(f"job ids must be 'uuid' or 'counter', not {job_ids!r}")
            self.job_ids = job_ids

    def _configure_sharing(
        self, keep_finished: float | None, results_dir: str | None, lease: float | None
    ) -> None:
        if keep_finished is not None:
            if keep_finished <= 0:
                raise ValueError(f"keep_finished must be positive (days), not {keep_finished}")
            self.keep_finished = keep_finished
        if results_dir is not None:
            self.results_dir = results_dir
        if lease is not None:
            if lease < 1:
                raise ValueError(f"the lease must be at least 1 s, not {lease}")
            self.lease = lease

    @property
    def store(self) -> JobStore:
        """The job store (created by :meth:`start` unless one was given)."""
        if self._store is None:
            self._store = create_store(
                self.store_url or default_store_url(), results_dir=self.results_dir
            )
        if self.lease is not None and isinstance(self._store, LeasedStore):
            self._store.lease = self.lease
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
        try:
            failed = await recover(store, STOPPED_MESSAGE)
            if failed:
                log.warning(
                    "%d job(s) were running when the server stopped; marked failed "
                    "(re-queued if retry-safe with attempts left)",
                    failed,
                )
            make_executor = executor_factory(self.executor, scheduler=self.dask_scheduler)
            pool = make_executor(
                registry_pickle,
                self.workers,
                on_progress=self._on_progress,
                on_done=self._on_done,
                on_capacity=self._on_capacity,
            )
            self._writer = BatchWriter(
                store,
                self._owner,
                capacity=pool.capacity,
                on_claimed=self._on_claimed,
                on_written=self._on_written,
                queued=await store.count(JobStatus.accepted),
            )
            self._pool = pool
            await pool.start()
        except BaseException:
            if self._pool is not None:
                await self._pool.close()
                self._pool = None
            await store.close()
            raise
        self._writer.start()
        await self._start_events(store)
        if isinstance(store, LeasedStore):
            self._keeper = JobKeeper(
                store,
                self._owner,
                KeeperHooks(
                    held=pool.held_ids,
                    cancel=pool.cancel,
                    awaited=lambda: list(self._ended),
                    ended=self._job_ended,
                    queued=self._set_queued,
                ),
                keep_finished=self.keep_finished,
            )
            self._keeper.start()
        self._running = True

    def _set_queued(self, count: int) -> None:
        if self._writer is not None:
            self._writer.queued = count

    async def stop(self) -> None:
        """Refuse new jobs, give running ones the grace period, fail the rest, close."""
        if not self._running:
            return
        self._running = False
        assert self._pool is not None and self._writer is not None
        self._writer.claiming = False
        if not await self._pool.wait_idle(self.grace_period):
            log.warning("jobs still running after the %.1f s grace period", self.grace_period)
        held = await self._pool.close()
        await self._writer.close()
        if self._keeper is not None:
            await self._keeper.close()
            self._keeper = None
        if held:
            await self.store.fail_running(STOPPED_MESSAGE, now_us(), held)
        await self._stop_events()
        for job_id, future in list(self._ended.items()):  # synchronous executions end
            if not future.done():
                future.set_result(await self.store.get(job_id))
        self._ended.clear()
        await self.store.close()

    async def _start_events(self, store: JobStore) -> None:
        """Start the event hub and the callbacks outbox (stores with an event log)."""
        if not isinstance(store, EventQueries):
            return
        shared = bool(getattr(store, "shared", False))
        self._hub = EventHub(store, SHARED_INTERVAL if shared else LOCAL_INTERVAL)
        self._hub.start()
        self._outbox = CallbackOutbox(
            store, self._owner, OutboxSettings.from_env(self.callback_policy)
        )
        store.callbacks_queued = self._outbox.queued
        await self._outbox.start()
        assert self._writer is not None
        self._writer.after_write = self._hub.wake

    async def _stop_events(self) -> None:
        if self._outbox is not None:
            await self._outbox.close()
            self._outbox = None
        if self._hub is not None:
            await self._hub.close()
            self._hub = None

    def watch_job_events(self, job_id: str, after: int = 0) -> AbstractAsyncContextManager[Watcher]:
        """A watcher of a job's events after event id ``after`` (see :mod:`.events`)."""
        if self._hub is None:
            raise ServiceUnavailable("The job service is not running.", retry_after=RETRY_AFTER)
        return self._hub.watch(job_id, after)

    async def latest_job_event(self, job_id: str) -> StoredEvent | None:
        """The last recorded event of a job."""
        store = self.store
        if not isinstance(store, EventQueries):
            return None
        with store_errors():
            return await store.latest_event(job_id)

    async def job_callbacks(self, job_id: str) -> list[dict[str, Any]]:
        """The callbacks of a job and the outcome of their delivery."""
        store = self.store
        if not isinstance(store, EventQueries):
            return []
        with store_errors():
            rows = await store.job_callbacks(job_id)
        return [callback_document(row) for row in rows]

    # -- processes -----------------------------------------------------------------

    def list_processes(self) -> list[ProcessSummary]:
        return [self._published(summary) for summary in self.registry.summaries()]

    def get_process(self, process_id: str) -> ProcessDescription:
        try:
            description: ProcessDescription = self.registry.describe(process_id)
        except LookupError:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.") from None
        return self._published(description)

    def _published(self, summary: Any) -> Any:
        """A summary or description with the service's job control options, unless
        its process declares its own."""
        if self.job_control is None:
            return summary
        process = self.registry.get(summary.id)
        if getattr(process, "declares_job_control", False):
            return summary
        from eoproc.processes.process import job_control_for

        return summary.model_copy(update={"jobControlOptions": job_control_for(self.job_control)})

    # -- jobs ----------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self._running:
            raise ServiceUnavailable(
                "The job service is not running (it is starting or shutting down).",
                retry_after=RETRY_AFTER,
            )

    def _requested_outputs(self, process_id: str, request: ExecuteRequest) -> str | None:
        """The JSON of the outputs the request asks for (``None``: all of them)."""
        if not request.outputs:
            return None
        from eoproc.processes.errors import InputValidationError

        outputs = {
            output_id: output.model_dump(mode="json", by_alias=True, exclude_unset=True)
            for output_id, output in request.outputs.items()
        }
        try:  # the ids, and the media types asked (format.mediaType)
            self.registry.check_outputs(process_id, outputs)
        except InputValidationError as exc:
            problems = [problem.to_dict() for problem in exc.problems]
            raise InvalidInput(str(exc), extra={"problems": problems}) from None
        return json.dumps(outputs)

    def _validate(self, process_id: str, inputs: Mapping[str, Any]) -> None:
        from eoproc.processes.errors import InputValidationError

        try:
            self.registry.validate_inputs(process_id, dict(inputs))
        except LookupError:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.") from None
        except InputValidationError as exc:
            problems = [problem.to_dict() for problem in exc.problems]
            raise InvalidInput(str(exc), extra={"problems": problems}) from None

    async def execute(
        self, process_id: str, request: ExecuteRequest, *, wait: bool, owner: str | None = None
    ) -> StatusInfo:
        self._require_running()
        inputs = request.inputs or {}
        self._validate(process_id, inputs)
        outputs_json = self._requested_outputs(process_id, request)
        assert self._writer is not None
        queued = self._writer.queued
        if queued >= self.max_queued:
            retry = max(1, min(60, math.ceil(queued / max(self._throughput(), 1.0))))
            raise ServiceUnavailable(
                f"Too many queued jobs ({queued}); try again later.",
                retry_after=retry,
            )
        try:
            inputs_json = json.dumps(inputs)
        except (TypeError, ValueError):
            inputs_json = json.dumps(request.model_dump(mode="json", by_alias=True)["inputs"])
        job = NewJob(
            await self._new_job_id(),
            process_id,
            now_us(),
            inputs_json,
            outputs_json,
            user_id=owner,
            retries=self._retries(process_id),
        )
        if request.response is not None:
            job = dataclasses.replace(job, response=ResponseType(request.response).value)
        if request.subscriber is not None:
            uris = request.subscriber.model_dump(exclude_none=True)
            job = dataclasses.replace(
                job, subscriber_json=subscriber_json(uris, request_base.get())
            )
        keyed = idempotent_request.get()
        if keyed is not None and isinstance(self.store, KeyedInserts):
            return await self._execute_keyed(job, keyed, owner, wait)
        ended = self._ended_future(job.id) if wait else None
        inserted = self._writer.insert(job)
        try:
            try:
                await inserted
            except BaseException:
                self._ended.pop(job.id, None)
                raise
            if ended is None:
                created = to_datetime(job.created)
                return StatusInfo(
                    processID=process_id,
                    jobID=job.id,
                    status=JobStatus.accepted,
                    created=created,
                    updated=created,
                )
            record = await asyncio.shield(ended)
        finally:
            if ended is not None and ended.done():
                self._ended.pop(job.id, None)
        if record is not None:  # the service stopped meanwhile
            return status_info(record)
        return await self.get_job(job.id)

    async def _execute_keyed(
        self, job: NewJob, keyed: IdempotentRequest, owner: str | None, wait: bool
    ) -> StatusInfo:
        """Submit ``job`` under an idempotency key: a key seen before answers its job."""
        assert self._writer is not None and isinstance(self.store, KeyedInserts)
        ended = self._ended_future(job.id) if wait else None
        expired = now_us() - round(KEY_LIFETIME * 1_000_000)
        try:
            with store_errors():
                found = await self.store.insert_keyed(
                    job, owner or "", keyed.key, keyed.fingerprint, expired
                )
        except BaseException:
            self._ended.pop(job.id, None)
            raise
        if found.fingerprint != keyed.fingerprint:
            self._ended.pop(job.id, None)
            raise reused(keyed.key)
        if found.created:
            self._writer.queued += 1
            self._writer.wake()
            if self._hub is not None:
                self._hub.wake()  # its "accepted" event
        elif ended is not None:
            self._ended.pop(job.id, None)
            ended = self._ended_future(found.job_id)
        if ended is not None:
            with store_errors():
                record = await self.store.get(found.job_id)
            if record is not None and not record.status.is_final:
                record = await asyncio.shield(ended)
            if ended.done():
                self._ended.pop(found.job_id, None)
            if record is not None:
                return status_info(record)
        return await self.get_job(found.job_id)

    def _retries(self, process_id: str) -> int:
        """How often a job of ``process_id`` may run again after an interruption."""
        retries = getattr(self.registry, "retries", None)
        return int(retries(process_id)) if callable(retries) else 0

    async def _new_job_id(self) -> str:
        if self.job_ids == "uuid":
            return str(uuid.uuid4())
        store = self.store
        if not isinstance(store, CountingStore):
            raise RuntimeError(f"the job store {type(store).__name__} has no job counter")
        with store_errors():
            return f"job_{await store.next_job_number()}"

    def _throughput(self) -> float:
        """Jobs finished per second, recently."""
        times = self._finish_times
        if len(times) < 2:
            return 0.0
        return len(times) / max(time.monotonic() - times[0], 1e-3)

    def _ended_future(self, job_id: str) -> asyncio.Future[JobRecord | None]:
        future = self._ended.get(job_id)
        if future is None:
            future = self._ended[job_id] = asyncio.get_running_loop().create_future()
        return future

    def _job_ended(self, job_id: str) -> None:
        future = self._ended.pop(job_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def get_job_owner(self, job_id: str) -> str | None:
        """The user owning a job (``None``: none); raises ``NoSuchJob``."""
        with store_errors():
            record = await self.store.get(job_id)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        return record.user_id

    async def get_job(self, job_id: str) -> StatusInfo:
        with store_errors():
            record = await self.store.get(job_id)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        return status_info(record)

    async def get_execute_request(self, job_id: str) -> ExecuteRequest:
        """The outputs and response mode the job was executed with (no inputs)."""
        with store_errors():
            record = await self.store.get(job_id, full=True)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        request: dict[str, Any] = {}
        if record.outputs_json:
            request["outputs"] = json.loads(record.outputs_json)
        if record.response:
            request["response"] = record.response
        return ExecuteRequest.model_validate(request)

    async def list_jobs(self, query: JobQuery) -> JobPage:
        if query.limit < 1:
            message = f"must be at least 1, not {query.limit}"
            raise InvalidInput(
                f"Invalid limit: {message}.",
                extra={"problems": [{"path": "limit", "message": message}]},
            )
        try:
            with store_errors():
                records, key = await self.store.list(query)
        except ValueError as exc:
            raise InvalidInput(
                f"Invalid job-list cursor: {exc}",
                extra={"problems": [{"path": "cursor", "message": str(exc)}]},
            ) from None
        return JobPage(
            jobs=[status_info(record) for record in records],
            next_cursor=encode_cursor(*key) if key is not None else None,
        )

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        with store_errors():
            answer = await self.store.dismiss(job_id, now_us())
        if self._hub is not None:
            self._hub.wake()
        if answer is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        previous, record = answer
        if previous == JobStatus.dismissed:
            raise JobGone(f"Job {job_id!r} was dismissed already.")
        if previous == JobStatus.accepted and self._writer is not None:
            self._writer.queued = max(0, self._writer.queued - 1)
        if previous in (JobStatus.accepted, JobStatus.running) and self._pool is not None:
            self._pool.cancel(job_id)
        if previous != JobStatus.accepted:
            await self._remove_results(job_id)
            if previous == JobStatus.running:  # a terminated worker may still have been writing
                delay = self._pool.stop_delay if self._pool is not None else 1.0
                loop = asyncio.get_running_loop()
                loop.call_later(delay + 0.5, self._remove_results_later, job_id)
        self._job_ended(job_id)
        return status_info(record)

    async def _remove_results(self, job_id: str) -> None:
        job_dir = self.store.results_root / job_id
        if job_dir.exists():
            await asyncio.to_thread(shutil.rmtree, job_dir, True)

    def _remove_results_later(self, job_id: str) -> None:
        shutil.rmtree(self.store.results_root / job_id, ignore_errors=True)

    async def _successful(self, job_id: str) -> JobRecord:
        with store_errors():
            record = await self.store.get(job_id, full=True)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        check_successful(record)
        return record

    async def get_results(self, job_id: str) -> JobResults:
        record = await self._successful(job_id)
        return await results_document(record, self.store.results_root / job_id)

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        record = await self._successful(job_id)
        return await result_file(record, output_id, self.store.results_root / job_id)

    # -- executor and writer callbacks ----------------------------------------------

    def _on_capacity(self) -> None:
        if self._writer is not None:
            self._writer.wake()

    def _on_progress(self, job_id: str, percent: int | None, message: str | None) -> None:
        if self._writer is not None:
            self._writer.progress(job_id, percent, message)

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
        lost = status == LOST
        if lost:
            status = JobStatus.failed.value
        if status == JobStatus.failed and error_json is None:
            error_json = json.dumps({"message": message})
        assert self._writer is not None
        self._writer.outcome(
            Outcome(
                id=job_id,
                retry=lost,
                status=JobStatus(status),
                message=message,
                started=started,
                finished=finished,
                progress=100 if status == JobStatus.successful else None,
                results_json=results_json,
                error_json=error_json,
            )
        )

    def _on_written(self, outcomes: list[Outcome]) -> None:
        self._finish_times.extend([time.monotonic()] * len(outcomes))
        retried = [outcome.id for outcome in outcomes if outcome.retry]
        for outcome in outcomes:
            if not outcome.retry:
                self._job_ended(outcome.id)
        if retried:
            task = asyncio.create_task(self._after_retry(retried))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _after_retry(self, job_ids: list[str]) -> None:
        """Interrupted jobs were re-queued or failed: count the queue, end the failed ones."""
        try:
            statuses = {job_id: await self.store.get(job_id) for job_id in job_ids}
        except StoreUnavailable as exc:
            log.warning("cannot look up re-queued jobs: %s", exc)
            return
        for job_id, record in statuses.items():
            if record is None or record.status.is_final:
                self._job_ended(job_id)
            elif record.status == JobStatus.accepted and self._writer is not None:
                log.warning(
                    "job %s (%s) re-queued after an interruption (%d of %d attempts made)",
                    job_id,
                    record.process_id,
                    record.attempts,
                    record.retries + 1,
                )
                self._writer.queued += 1
                self._writer.wake()

    def _time_out(self, job_id: str) -> None:
        """Stop a job that ran past :attr:`job_timeout` and fail it."""
        if self._pool is None or self._writer is None or not self._pool.cancel(job_id):
            return  # it ended meanwhile
        message = f"The job exceeded the time limit of {self.job_timeout:g} s and was stopped."
        self._on_done(job_id, JobStatus.failed.value, message, None, now_us(), None, None)
        loop = asyncio.get_running_loop()
        loop.call_later(self._pool.stop_delay + 0.5, self._remove_results_later, job_id)

    def _on_claimed(self, claimed: list[ClaimedJob]) -> None:
        assert self._pool is not None
        root = self.store.results_root
        if self.job_timeout is not None:
            loop = asyncio.get_running_loop()
            for job in claimed:
                loop.call_later(self.job_timeout, self._time_out, job.id)
        self._pool.submit(
            [
                JobSpec(
                    job.id,
                    job.process_id,
                    job.inputs_json,
                    json.loads(job.outputs_json) if job.outputs_json else None,
                    str(root / job.id),
                )
                for job in claimed
            ]
        )
