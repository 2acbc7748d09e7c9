"""The store's writes of jobs: batches (inserts, progress, outcomes, a claim),
dismissal, failing running jobs, and the durable job counter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from eoproc.models import JobStatus

from .base import Change, StoreHooks
from .leases import requeue_values
from .reads import GET_SUMMARY, job_record
from .store import REQUEUED_MESSAGE, ClaimedJob, JobRecord, NewJob, WriteBatch, now_us
from .tables import counters, jobs

_ACTIVE = (JobStatus.accepted.value, JobStatus.running.value)
_HAS_ATTEMPTS_LEFT = jobs.c.attempts <= jobs.c.retries
_NEXT_JOB_NUMBER = (
    sa.update(counters)
    .where(counters.c.name == "job")
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
)
_PROGRESS = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("b_id"), jobs.c.status == JobStatus.running.value)
    .values(
        progress=sa.func.coalesce(sa.bindparam("b_progress", type_=sa.Integer), jobs.c.progress),
        message=sa.func.coalesce(sa.bindparam("b_message", type_=sa.Text), jobs.c.message),
        updated=sa.bindparam("b_updated", type_=sa.BigInteger),
    )
)
_B_STARTED = sa.func.coalesce(sa.bindparam("b_started", type_=sa.BigInteger), jobs.c.started)
_B_FINISHED = sa.bindparam("b_finished", type_=sa.BigInteger)
_OUTCOME = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("b_id"), jobs.c.status == JobStatus.running.value)
    .values(
        status=sa.bindparam("b_status", type_=sa.String),
        message=sa.bindparam("b_message", type_=sa.Text),
        progress=sa.func.coalesce(sa.bindparam("b_progress", type_=sa.Integer), jobs.c.progress),
        started=_B_STARTED,
        finished=_B_FINISHED,
        updated=_B_FINISHED,
        duration=(_B_FINISHED - _B_STARTED) / 1_000_000.0,
        results=sa.bindparam("b_results", type_=sa.Text),
        error=sa.bindparam("b_error", type_=sa.Text),
    )
)
_REQUEUE = (
    sa.update(jobs)
    .where(
        jobs.c.id == sa.bindparam("b_id"),
        jobs.c.status == JobStatus.running.value,
        _HAS_ATTEMPTS_LEFT,
    )
    .values(
        status=JobStatus.accepted.value,
        message=sa.bindparam("b_message", type_=sa.Text),
        progress=None,
        started=None,
        owner=None,
        lease_until=None,
        updated=sa.bindparam("b_updated", type_=sa.BigInteger),
    )
)


class JobWrites(StoreHooks):
    """Writes of the jobs table (each recording its changes as events)."""

    _claim: sa.Update | None = None
    _subscribed: set[str]
    """Jobs with callbacks this store claimed, until their outcome."""

    # -- dialect hook --------------------------------------------------------------

    def _claim_candidates(self) -> sa.Select[Any]:
        """The ids of the ``b_limit`` oldest accepted jobs, locked where the dialect can
        (PostgreSQL: ``FOR UPDATE SKIP LOCKED``)."""
        return (
            sa.select(jobs.c.id)
            .where(jobs.c.status == JobStatus.accepted.value)
            .order_by(jobs.c.created, jobs.c.id)
            .limit(sa.bindparam("b_limit", type_=sa.Integer))
        )

    def _claim_statement(self) -> sa.Update:
        """``accepted`` → ``running`` for the candidates, returning what executors need."""
        now = sa.bindparam("b_now", type_=sa.BigInteger)
        return (
            sa.update(jobs)
            .where(jobs.c.id.in_(self._claim_candidates()))
            .values(
                status=JobStatus.running.value,
                started=now,
                updated=now,
                owner=sa.bindparam("b_owner", type_=sa.String),
                lease_until=now + sa.bindparam("b_lease", type_=sa.BigInteger),
                message="Running",
                attempts=jobs.c.attempts + 1,
            )
            .returning(
                jobs.c.id,
                jobs.c.process_id,
                jobs.c.inputs,
                jobs.c.outputs,
                jobs.c.created,
                jobs.c.subscriber,
            )
        )

    # -- batches -------------------------------------------------------------------

    def _insert_jobs(self, conn: sa.Connection, new_jobs: list[NewJob]) -> None:
        conn.execute(
            jobs.insert(),
            [
                {
                    "id": job.id,
                    "process_id": job.process_id,
                    "status": JobStatus.accepted.value,
                    "created": job.created,
                    "updated": job.created,
                    "inputs": job.inputs_json,
                    "outputs": job.outputs_json,
                    "response": job.response,
                    "user_id": job.user_id,
                    "retries": job.retries,
                    "subscriber": job.subscriber_json,
                }
                for job in new_jobs
            ],
        )
        fresh = {job.id for job in new_jobs if job.subscriber_json}
        self._record(conn, [Change(job.id) for job in new_jobs], now_us(), fresh.__contains__)

    def _claim_jobs(self, conn: sa.Connection, batch: WriteBatch, now: int) -> list[ClaimedJob]:
        if self._claim is None:
            self._claim = self._claim_statement()
        params = {
            "b_limit": batch.claim,
            "b_now": now,
            "b_owner": batch.owner,
            "b_lease": round(self.lease * 1_000_000),
        }
        rows = sorted(conn.execute(self._claim, params), key=lambda r: (r.created, r.id))
        claimed = [ClaimedJob(r.id, r.process_id, r.inputs, r.outputs) for r in rows]
        self._subscribed.update(r.id for r in rows if r.subscriber)
        self._record(conn, [Change(job.id) for job in claimed], now, self._has_sub)
        return claimed

    def _apply_sync(self, batch: WriteBatch) -> list[ClaimedJob]:
        now = now_us()
        claimed: list[ClaimedJob] = []
        with self._write() as conn:
            if batch.inserts:
                self._insert_jobs(conn, batch.inserts)
            if batch.progress:
                conn.execute(
                    _PROGRESS,
                    [
                        {"b_id": job_id, "b_progress": pct, "b_message": msg, "b_updated": now}
                        for job_id, (pct, msg) in batch.progress.items()
                    ],
                )
            retried = [o for o in batch.outcomes if o.retry]
            if retried:  # those with attempts left go back to the queue, the others end
                conn.execute(
                    _REQUEUE,
                    [
                        {
                            "b_id": o.id,
                            "b_message": REQUEUED_MESSAGE.format(
                                reason=(o.message or "interrupted").rstrip(".")
                            ),
                            "b_updated": now,
                        }
                        for o in retried
                    ],
                )
            if batch.outcomes:
                conn.execute(
                    _OUTCOME,
                    [
                        {
                            "b_id": o.id,
                            "b_status": o.status.value,
                            "b_message": o.message,
                            "b_progress": o.progress,
                            "b_started": o.started,
                            "b_finished": o.finished,
                            "b_results": o.results_json,
                            "b_error": o.error_json,
                        }
                        for o in batch.outcomes
                    ],
                )
            changes = [Change(job_id, "progress") for job_id in batch.progress]
            changes += [Change(o.id, expect=(o.status.value, o.finished)) for o in batch.outcomes]
            self._record(conn, changes, now, self._has_sub)
            if batch.claim > 0:
                claimed = self._claim_jobs(conn, batch, now)
        self._subscribed.difference_update(o.id for o in batch.outcomes)
        return claimed

    def _has_sub(self, job_id: str) -> bool:
        """Whether this store claimed ``job_id``, a job with a subscriber (running)."""
        return job_id in self._subscribed

    async def apply(self, batch: WriteBatch) -> list[ClaimedJob]:
        """Apply ``batch`` in one transaction and return the jobs it claimed."""
        return await self._call_write(self._apply_sync, batch)

    # -- single writes -------------------------------------------------------------

    def _next_job_number_sync(self) -> int:
        with self._write() as conn:
            value = conn.execute(_NEXT_JOB_NUMBER).scalar_one()
        return int(value) - 1

    async def next_job_number(self) -> int:
        """The next number of the store's job counter (0, 1, 2, ...): never given twice,
        also across restarts and by replicas sharing the database (the row is locked)."""
        return await self._call(self._next_job_number_sync)

    def _dismiss_sync(self, job_id: str, now: int) -> tuple[JobStatus, JobRecord] | None:
        with self._write() as conn:
            prev = conn.execute(
                sa.select(jobs.c.status).where(jobs.c.id == job_id).with_for_update()
            ).scalar_one_or_none()
            if prev is None:
                return None
            values: dict[str, Any] = {
                "status": JobStatus.dismissed.value,
                "updated": now,
                "message": "Job dismissed",
                "results": None,
            }
            if prev in _ACTIVE:
                values["finished"] = now
                if prev == JobStatus.running.value:
                    values["duration"] = (now - jobs.c.started) / 1_000_000.0
            if prev != JobStatus.dismissed.value:
                conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(**values))
                self._record(conn, [Change(job_id)], now)
            row = conn.execute(GET_SUMMARY, {"job_id": job_id}).one()
        return JobStatus(prev), job_record(row)

    async def dismiss(self, job_id: str, now: int) -> tuple[JobStatus, JobRecord] | None:
        """Mark a job ``dismissed`` (dropping its results) and return its previous
        status and new record; ``None`` if there is no such job."""
        return await self._call(self._dismiss_sync, job_id, now)

    def _fail_running_sync(self, message: str, now: int, job_ids: Sequence[str] | None) -> int:
        error = json.dumps({"message": message})
        stmt = sa.update(jobs).where(jobs.c.status == JobStatus.running.value)
        if job_ids is not None:
            if not job_ids:
                return 0
            stmt = stmt.where(jobs.c.id.in_(list(job_ids)))
        requeue = stmt.where(_HAS_ATTEMPTS_LEFT).values(**requeue_values(message, now))
        stmt = stmt.values(
            status=JobStatus.failed.value,
            message=message,
            finished=now,
            updated=now,
            duration=(now - jobs.c.started) / 1_000_000.0,
            error=error,
        ).returning(jobs.c.id)
        with self._write() as conn:
            requeued = [row.id for row in conn.execute(requeue.returning(jobs.c.id))]
            failed = [row.id for row in conn.execute(stmt)]
            self._record(conn, [Change(job_id) for job_id in requeued + failed], now)
        return len(requeued) + len(failed)

    async def fail_running(
        self, message: str, now: int, job_ids: Sequence[str] | None = None
    ) -> int:
        """Mark running jobs (all, or those listed) ``failed`` with ``message``; re-queue
        instead those with attempts left (retry-safe). How many changed."""
        return await self._call(self._fail_running_sync, message, now, job_ids)
