"""The read side of the job service: jobs, results and events as the server answers them."""

from __future__ import annotations

import json
from typing import Any

from eoproc.models import ExecuteRequest, JobResults, StatusInfo
from eoproc.server.service import InvalidInput, JobPage, JobQuery, NoSuchJob, ResultFile

from .errors import store_errors
from .eventlog import EventQueries, StoredEvent, callback_document
from .store import JobRecord, JobStore, encode_cursor
from .views import check_successful, result_file, results_document, status_info


class JobQueries:
    """Answers about the jobs of ``store``; raises the domain errors of the ``Service``."""

    def __init__(self, store: JobStore) -> None:
        self.store = store

    async def record(self, job_id: str, *, full: bool = False) -> JobRecord:
        """The stored job; raises :class:`NoSuchJob`."""
        with store_errors():
            record = await self.store.get(job_id, full=full)
        if record is None:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")
        return record

    async def job_owner(self, job_id: str) -> str | None:
        """The user owning a job (``None``: none)."""
        return (await self.record(job_id)).user_id

    async def job(self, job_id: str) -> StatusInfo:
        """The status of a job."""
        return status_info(await self.record(job_id))

    async def execute_request(self, job_id: str) -> ExecuteRequest:
        """The outputs and response mode the job was executed with (no inputs)."""
        record = await self.record(job_id, full=True)
        request: dict[str, Any] = {}
        if record.outputs_json:
            request["outputs"] = json.loads(record.outputs_json)
        if record.response:
            request["response"] = record.response
        return ExecuteRequest.model_validate(request)

    async def jobs(self, query: JobQuery) -> JobPage:
        """One page of jobs; :class:`InvalidInput` for a bad limit or cursor."""
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

    async def _successful(self, job_id: str) -> JobRecord:
        record = await self.record(job_id, full=True)
        check_successful(record)
        return record

    async def results(self, job_id: str) -> JobResults:
        """The results document of a successful job."""
        record = await self._successful(job_id)
        return await results_document(record, self.store.results_root / job_id)

    async def result_file(self, job_id: str, output_id: str) -> ResultFile:
        """One output of a successful job as a file."""
        record = await self._successful(job_id)
        return await result_file(record, output_id, self.store.results_root / job_id)

    async def latest_event(self, job_id: str) -> StoredEvent | None:
        """The last recorded event of a job (``None``: none, or a store without events)."""
        store = self.store
        if not isinstance(store, EventQueries):
            return None
        with store_errors():
            return await store.latest_event(job_id)

    async def callbacks(self, job_id: str) -> list[dict[str, Any]]:
        """The callbacks of a job and the outcome of their delivery."""
        store = self.store
        if not isinstance(store, EventQueries):
            return []
        with store_errors():
            rows = await store.job_callbacks(job_id)
        return [callback_document(row) for row in rows]
