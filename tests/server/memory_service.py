"""A small in-memory :class:`Service` for quick route tests (httpx ASGI transport).

It runs "jobs" inline: enough to check routing, negotiation and rendering
without the job service. The acceptance tests use the real ``LocalJobService``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
)


def _process(pid: str, options: list[str], outputs: dict[str, Any]) -> ProcessDescription:
    return ProcessDescription.model_validate(
        {
            "id": pid,
            "version": "1.0.0",
            "title": pid,
            "jobControlOptions": options,
            "outputTransmission": ["value", "reference"],
            "inputs": {"x": {"schema": {"type": "integer"}, "minOccurs": 0}},
            "outputs": outputs,
        }
    )


class MemoryService:
    """Processes ``both``, ``async_only``, ``sync_only`` (output ``y`` = 2x), ``multi``
    (outputs ``y`` and ``text``), ``file`` (output ``data`` is a file), ``boom`` (fails)."""

    title = "Memory"
    description = "In-memory test service"

    def __init__(self, tmp: Path, n_extra: int = 0) -> None:
        self.tmp = tmp
        y = {"y": {"schema": {"type": "integer"}}}
        self.processes = {
            "both": _process("both", ["sync-execute", "async-execute", "dismiss"], y),
            "async_only": _process("async_only", ["async-execute"], y),
            "sync_only": _process("sync_only", ["sync-execute"], y),
            "multi": _process(
                "multi",
                ["sync-execute", "async-execute"],
                {**y, "text": {"schema": {"type": "string", "contentMediaType": "text/plain"}}},
            ),
            "file": _process("file", ["sync-execute"], {"data": {"schema": {"type": "string"}}}),
            "boom": _process("boom", ["sync-execute", "async-execute"], y),
        }
        for i in range(n_extra):
            self.processes[f"extra_{i:02d}"] = _process(f"extra_{i:02d}", ["async-execute"], y)
        self.jobs: dict[str, StatusInfo] = {}
        self.requests: dict[str, ExecuteRequest] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def list_processes(self) -> list[ProcessSummary]:
        return [ProcessSummary.model_validate(p.to_dict()) for p in self.processes.values()]

    def get_process(self, process_id: str) -> ProcessDescription:
        try:
            return self.processes[process_id]
        except KeyError:
            raise NoSuchProcess(f"There is no process {process_id!r}.") from None

    async def execute(self, process_id: str, request: ExecuteRequest, *, wait: bool) -> StatusInfo:
        self.get_process(process_id)
        inputs = request.inputs or {}
        unknown = sorted(set(inputs) - {"x"})
        if unknown or not isinstance(inputs.get("x", 0), int):
            problems = [{"path": f"inputs.{u}", "message": "unknown input"} for u in unknown]
            raise InvalidInput("bad inputs", extra={"problems": problems})
        job_id = str(uuid.uuid4())
        self.requests[job_id] = request
        now = datetime.now(UTC)
        status = JobStatus.accepted
        if wait:
            status = JobStatus.failed if process_id == "boom" else JobStatus.successful
            x = int(inputs.get("x", 1))
            if process_id == "file":
                path = self.tmp / f"{job_id}.bin"
                path.write_bytes(b"\x00\x01binary")
                self.results[job_id] = {
                    "data": {"href": "results/data", "type": "application/x-test"}
                }
            else:
                self.results[job_id] = (
                    {"y": 2 * x, "text": "hello"} if process_id == "multi" else {"y": 2 * x}
                )
            if request.outputs:
                self.results[job_id] = {
                    k: v for k, v in self.results[job_id].items() if k in request.outputs
                }
        job = StatusInfo(jobID=job_id, processID=process_id, status=status, created=now)
        self.jobs[job_id] = job
        return job

    def finish(self, job_id: str) -> None:
        """Run an accepted job now (as if a worker had)."""
        job = self.jobs[job_id]
        x = int((self.requests[job_id].inputs or {}).get("x", 1))
        results = {"y": 2 * x, "text": "hello"} if job.processID == "multi" else {"y": 2 * x}
        outputs = self.requests[job_id].outputs
        self.results[job_id] = {k: v for k, v in results.items() if not outputs or k in outputs}
        self.jobs[job_id] = job.model_copy(update={"status": JobStatus.successful})

    async def get_execute_request(self, job_id: str) -> ExecuteRequest:
        await self.get_job(job_id)
        return self.requests[job_id]

    async def list_jobs(self, query: JobQuery) -> JobPage:
        jobs = [
            j
            for j in reversed(self.jobs.values())
            if not query.statuses or j.status in query.statuses
        ]
        start = int(query.cursor or 0)
        page = jobs[start : start + query.limit]
        more = start + query.limit < len(jobs)
        return JobPage(page, str(start + query.limit) if more else None)

    async def get_job(self, job_id: str) -> StatusInfo:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise NoSuchJob(f"There is no job {job_id!r}.") from None

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        job = await self.get_job(job_id)
        job = job.model_copy(update={"status": JobStatus.dismissed})
        self.jobs[job_id] = job
        return job

    async def get_results(self, job_id: str) -> JobResults:
        job = await self.get_job(job_id)
        if job.status == JobStatus.failed:
            raise JobFailed("it went boom", extra={"traceback": ["secret.py line 1"]})
        if job.status == JobStatus.dismissed:
            raise JobDismissed(f"Job {job_id} was dismissed.")
        if job.status != JobStatus.successful:
            raise ResultNotReady(f"Job {job_id} is {job.status}.")
        return JobResults(self.results[job_id])

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        await self.get_job(job_id)
        path = self.tmp / f"{job_id}.bin"
        if output_id != "data" or not path.exists():
            raise NoSuchJob(f"Job {job_id} has no file output {output_id!r}.")
        return ResultFile(path, "application/x-test")
