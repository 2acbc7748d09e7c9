"""The local job service: the ``Service`` protocol over a job manager, its executor and the store.

:class:`LocalJobService` is a thin adapter: submissions are checked
(:mod:`.submission`) and handed to the :class:`~.manager.JobManager`, which
performs every state change; reads go to :class:`~.queries.JobQueries`; events
and callbacks to the :class:`~.events.EventHub` and :class:`~.outbox.CallbackOutbox`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import pickle
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any

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
    JobGone,
    JobPage,
    JobQuery,
    NoSuchJob,
    NoSuchProcess,
    ResultFile,
    ServiceUnavailable,
)

from .errors import RETRY_AFTER, store_errors
from .eventlog import EventQueries, StoredEvent, subscriber_json
from .events import LOCAL_INTERVAL, SHARED_INTERVAL, EventHub, Watcher
from .executors import executor_factory
from .idempotency import KeyedInserts
from .keeper import JobKeeper, recover
from .leases import LeasedStore
from .manager import JobManager
from .options import JobServiceOptions, default_store_url
from .outbox import CallbackOutbox, OutboxSettings
from .queries import JobQueries
from .store import STOPPED_MESSAGE, ClaimedJob, JobStore, NewJob, now_us, to_datetime
from .submission import check_inputs, inputs_json, new_job_id, requested_outputs, retries
from .views import status_info

__all__ = ["LocalJobService", "default_store_url", "store_errors"]

log = logging.getLogger(__name__)


class LocalJobService(JobServiceOptions):
    """Runs the jobs of a process registry in local worker processes (or on Dask), kept
    in a job store. Implements :class:`eoproc.server.service.Service`.

    Constructing it does no I/O (the options: :class:`~.options.JobServiceOptions`);
    :meth:`start` opens the store, recovers the jobs of a previous run and starts
    the executor; :meth:`stop` shuts down.
    """

    callback_policy: AddressPolicy | None = None
    """Where callbacks may go (``create_app`` sets the server's input-reference policy)."""
    _manager: JobManager | None = None
    _keeper: JobKeeper | None = None
    _hub: EventHub | None = None
    _outbox: CallbackOutbox | None = None

    @property
    def manager(self) -> JobManager:
        """The job manager (while the service runs)."""
        self._require_running()
        assert self._manager is not None
        return self._manager

    # -- life cycle --------------------------------------------------------------

    async def start(self) -> None:
        """Open the store, recover jobs of a previous run, start the executor."""
        if self.started:
            return
        try:
            registry_pickle = pickle.dumps(self.registry)
        except Exception as exc:
            raise RuntimeError(f"The process registry cannot be sent to workers: {exc}") from exc
        store = self.store
        await store.open()
        self._owner = uuid.uuid4().hex
        manager = JobManager(
            store, self._owner, job_timeout=self.job_timeout, on_claimed=self._on_claimed
        )
        executor = None
        try:
            failed = await recover(store, STOPPED_MESSAGE)
            if failed:
                log.warning(
                    "%d job(s) were running when the server stopped; marked failed "
                    "(re-queued if retry-safe with attempts left)",
                    failed,
                )
            make_executor = executor_factory(self.executor, scheduler=self.dask_scheduler)
            executor = make_executor(registry_pickle, self.workers, manager)
            await manager.start(executor)
        except BaseException:
            if executor is not None:
                await executor.close()
            await store.close()
            raise
        self._manager = manager
        await self._start_events(store)
        if isinstance(store, LeasedStore):
            hooks = manager.keeper_hooks()
            self._keeper = JobKeeper(store, self._owner, hooks, keep_finished=self.keep_finished)
            self._keeper.start()
        self.started = True

    async def stop(self) -> None:
        """Refuse new jobs, give running ones the grace period, fail the rest, close."""
        if not self.started or self._manager is None:
            return
        self.started = False
        manager = self._manager
        held = await manager.stop(self.grace_period)
        if self._keeper is not None:
            await self._keeper.close()
            self._keeper = None
        if held:
            await self.store.fail_running(STOPPED_MESSAGE, now_us(), held)
        await self._stop_events()
        await manager.release_waiters()  # synchronous executions end
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
        assert self._manager is not None
        self._manager.writer.after_write = self._manager.after_change = self._hub.wake

    async def _stop_events(self) -> None:
        if self._outbox is not None:
            await self._outbox.close()
            self._outbox = None
        if self._hub is not None:
            await self._hub.close()
            self._hub = None

    def _require_running(self) -> None:
        if not self.started:
            raise ServiceUnavailable(
                "The job service is not running (it is starting or shutting down).",
                retry_after=RETRY_AFTER,
            )

    def _on_claimed(self, claimed: list[ClaimedJob]) -> None:
        """Claimed jobs go to the executor (a subclass may prepare them first)."""
        assert self._manager is not None
        self._manager.run(claimed)

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

    # -- submitting ------------------------------------------------------------------

    async def execute(
        self, process_id: str, request: ExecuteRequest, *, wait: bool, owner: str | None = None
    ) -> StatusInfo:
        manager = self.manager
        check_inputs(self.registry, process_id, request.inputs or {})
        outputs_json = requested_outputs(self.registry, process_id, request)
        manager.check_room(self.max_queued)
        job = NewJob(
            await new_job_id(self.store, self.job_ids),
            process_id,
            now_us(),
            inputs_json(request),
            outputs_json,
            user_id=owner,
            retries=retries(self.registry, process_id),
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
        record = await manager.accept(job, wait=wait)
        if not wait:
            created = to_datetime(job.created)
            return StatusInfo(
                processID=process_id,
                jobID=job.id,
                status=JobStatus.accepted,
                created=created,
                updated=created,
            )
        if record is not None:  # the service stopped meanwhile
            return status_info(record)
        return await self.get_job(job.id)

    async def _execute_keyed(
        self, job: NewJob, keyed: IdempotentRequest, owner: str | None, wait: bool
    ) -> StatusInfo:
        """Submit ``job`` under an idempotency key: a key seen before answers its job."""
        manager = self.manager
        store = self.store
        assert isinstance(store, KeyedInserts)
        ended = manager.ended_future(job.id) if wait else None
        expired = now_us() - round(KEY_LIFETIME * 1_000_000)
        try:
            with store_errors():
                found = await store.insert_keyed(
                    job, owner or "", keyed.key, keyed.fingerprint, expired
                )
        except BaseException:
            manager.forget_waiter(job.id)
            raise
        if found.fingerprint != keyed.fingerprint:
            manager.forget_waiter(job.id)
            raise reused(keyed.key)
        if found.created:
            manager.accepted_elsewhere()
        elif ended is not None:
            manager.forget_waiter(job.id)
            ended = manager.ended_future(found.job_id)
        if ended is not None:
            with store_errors():
                record = await store.get(found.job_id)
            if record is not None and not record.status.is_final:
                record = await asyncio.shield(ended)
            if ended.done():
                manager.forget_waiter(found.job_id)
            if record is not None:
                return status_info(record)
        return await self.get_job(found.job_id)

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        manager = self._manager or JobManager(self.store, "")  # not started: no executor
        with store_errors():
            answer = await manager.dismiss(job_id)
        if answer is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        previous, record = answer
        if previous == JobStatus.dismissed:
            raise JobGone(f"Job {job_id!r} was dismissed already.")
        return status_info(record)

    # -- reading -------------------------------------------------------------------

    @property
    def queries(self) -> JobQueries:
        """The read side over the store."""
        return JobQueries(self.store)

    async def get_job_owner(self, job_id: str) -> str | None:
        """The user owning a job (``None``: none); raises ``NoSuchJob``."""
        return await self.queries.job_owner(job_id)

    async def get_job(self, job_id: str) -> StatusInfo:
        return await self.queries.job(job_id)

    async def get_execute_request(self, job_id: str) -> ExecuteRequest:
        """The outputs and response mode the job was executed with (no inputs)."""
        return await self.queries.execute_request(job_id)

    async def list_jobs(self, query: JobQuery) -> JobPage:
        return await self.queries.jobs(query)

    async def get_results(self, job_id: str) -> JobResults:
        return await self.queries.results(job_id)

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        return await self.queries.result_file(job_id, output_id)

    def watch_job_events(self, job_id: str, after: int = 0) -> AbstractAsyncContextManager[Watcher]:
        """A watcher of a job's events after event id ``after`` (see :mod:`.events`)."""
        if self._hub is None:
            raise ServiceUnavailable("The job service is not running.", retry_after=RETRY_AFTER)
        return self._hub.watch(job_id, after)

    async def latest_job_event(self, job_id: str) -> StoredEvent | None:
        """The last recorded event of a job."""
        return await self.queries.latest_event(job_id)

    async def job_callbacks(self, job_id: str) -> list[dict[str, Any]]:
        """The callbacks of a job and the outcome of their delivery."""
        return await self.queries.callbacks(job_id)
