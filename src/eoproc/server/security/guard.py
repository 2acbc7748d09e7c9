"""``Guard``: the access policy that keeps each user to their own jobs.

``Guard.for_user(user)`` is the :class:`GuardedService` the routes talk to for
one request (the user comes from the ``current_user`` dependency):

- every job gets its owner; another user's job is answered exactly like an
  unknown job (404 ``no-such-job``) on every job operation; role ``admin``
  sees every job;
- a process limited to roles is, for anyone without one of them, answered
  like an unknown process (listings, description, execution);
- limits: active (queued + running) jobs per user (429 with ``Retry-After``),
  nesting depth of inputs, number of input references;
- inputs given by reference are fetched by the :class:`~.fetch.ReferenceFetcher`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from eoproc.models import (
    ExecuteRequest,
    JobResults,
    JobStatus,
    ProcessDescription,
    ProcessSummary,
    StatusInfo,
)

from ..auth.users import ADMIN_ROLE, User
from ..service import (
    InvalidInput,
    JobPage,
    JobQuery,
    KeepsExecuteRequests,
    NoSuchJob,
    NoSuchProcess,
    ResultFile,
    Service,
    ServiceError,
    TracksJobOwners,
)
from .netpolicy import AddressPolicy
from .references import resolve_references
from .subscriber import check_subscriber


class TooManyJobs(ServiceError):
    """The user has as many queued and running jobs as allowed."""

    status = 429
    type = "https://eoproc.dev/problems/too-many-jobs"
    title = "Too many jobs"


@dataclass(frozen=True)
class Limits:
    """Per-user and per-request limits (``None``: no limit)."""

    max_active_jobs: int | None = None
    max_input_depth: int = 32
    retry_after: int = 10


@dataclass(frozen=True)
class Access:
    """Who may do what: the admin role and the roles allowed to run each process."""

    admin_role: str = ADMIN_ROLE
    process_roles: Mapping[str, Collection[str]] = field(default_factory=dict)


def depth(value: Any) -> int:
    """How deeply ``value`` (JSON) nests arrays and objects (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Collection[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in children)
    return deepest


class Guard:
    """The access policy over ``inner``; :meth:`for_user` is one user's view of it."""

    def __init__(
        self,
        inner: Service,
        *,
        access: Access | None = None,
        limits: Limits | None = None,
        fetcher: Any = None,
        authenticated: bool = False,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.tracks_owners = isinstance(inner, TracksJobOwners)
        """Whether ``inner`` keeps job owners (checked once: a protocol check is slow)."""
        if authenticated and not self.tracks_owners:
            raise ValueError(
                f"{type(inner).__name__} does not keep job owners, so it cannot serve "
                "several users; run it without authentication, on loopback only"
            )
        self.inner = inner
        self.access = access or Access()
        self.limits = limits or Limits()
        self.fetcher = fetcher
        self.policy = policy or getattr(fetcher, "policy", None) or AddressPolicy()
        """Where callbacks (``subscriber``) may go: the input references' policy."""
        self._view = (
            GuardedRecallingService if isinstance(inner, KeepsExecuteRequests) else GuardedService
        )
        self._anonymous = self._view(self, None)

    def for_user(self, user: User | None) -> GuardedService:
        """The service as ``user`` may see it (``None``: authentication is off)."""
        return self._anonymous if user is None else self._view(self, user)

    def is_admin(self, user: User | None) -> bool:
        """Whether ``user`` sees every job (everyone does without authentication)."""
        return user is None or user.has_role(self.access.admin_role)

    def may_run(self, user: User | None, process_id: str) -> bool:
        """Whether ``user`` may see and run ``process_id``."""
        roles = self.access.process_roles.get(process_id)
        if not roles or self.is_admin(user):
            return True
        assert user is not None
        return bool(user.roles & set(roles))


class GuardedService:
    """The :class:`Service` one user sees through a :class:`Guard` (see the module doc)."""

    def __init__(self, guard: Guard, user: User | None) -> None:
        self.guard = guard
        self.inner = guard.inner
        self.user = user
        self.title: str = guard.inner.title
        self.description: str = guard.inner.description

    async def start(self) -> None:
        await self.inner.start()

    async def stop(self) -> None:
        await self.inner.stop()

    def _check_process(self, process_id: str) -> None:
        if not self.guard.may_run(self.user, process_id):
            raise NoSuchProcess(f"Process {process_id!r} does not exist.")

    async def check_job(self, job_id: str) -> None:
        """Raise ``NoSuchJob`` unless the user may see ``job_id`` (their own, or admin)."""
        user = self.user
        if self.guard.is_admin(user) or not self.guard.tracks_owners:
            return
        assert user is not None
        if await cast(TracksJobOwners, self.inner).get_job_owner(job_id) != user.name:
            raise NoSuchJob(f"Job {job_id!r} does not exist.")

    # -- processes ----------------------------------------------------------------

    def list_processes(self) -> list[ProcessSummary]:
        may_run = self.guard.may_run
        return [p for p in self.inner.list_processes() if may_run(self.user, p.id)]

    def get_process(self, process_id: str) -> ProcessDescription:
        self._check_process(process_id)
        return self.inner.get_process(process_id)

    async def execute(self, process_id: str, request: ExecuteRequest, *, wait: bool) -> StatusInfo:
        self._check_process(process_id)
        guard = self.guard
        inputs = request.inputs or {}
        if depth(inputs) > guard.limits.max_input_depth + 1:
            message = f"inputs nest deeper than {guard.limits.max_input_depth} levels"
            raise InvalidInput(
                f"The execute request is invalid: {message}.",
                extra={"problems": [{"path": "inputs", "message": message}]},
            )
        await check_subscriber(request.subscriber, guard.policy)
        await self._check_active()
        if guard.fetcher is not None and inputs:
            resolved = await resolve_references(inputs, guard.fetcher)
            if resolved is not inputs:
                request = request.model_copy(update={"inputs": resolved})
        if self.guard.tracks_owners:
            owner = self.user.name if self.user is not None else None
            return await cast(TracksJobOwners, self.inner).execute(
                process_id, request, wait=wait, owner=owner
            )
        return await self.inner.execute(process_id, request, wait=wait)

    async def _check_active(self) -> None:
        limits = self.guard.limits
        cap = limits.max_active_jobs
        if cap is None:
            return
        owner = self.user.name if self.user is not None else None
        query = JobQuery(statuses=[JobStatus.accepted, JobStatus.running], limit=cap, owner=owner)
        page = await self.inner.list_jobs(query)
        if len(page.jobs) >= cap:
            raise TooManyJobs(
                f"You have {cap} queued or running jobs, the most allowed; "
                "wait for one to end (or dismiss one) and try again.",
                headers={"Retry-After": str(limits.retry_after)},
            )

    # -- jobs -----------------------------------------------------------------------

    async def list_jobs(self, query: JobQuery) -> JobPage:
        if not self.guard.is_admin(self.user):
            assert self.user is not None
            query = dataclasses.replace(query, owner=self.user.name)
        return await self.inner.list_jobs(query)

    async def get_job(self, job_id: str) -> StatusInfo:
        await self.check_job(job_id)
        return await self.inner.get_job(job_id)

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        await self.check_job(job_id)
        return await self.inner.dismiss_job(job_id)

    async def get_results(self, job_id: str) -> JobResults:
        await self.check_job(job_id)
        return await self.inner.get_results(job_id)

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        await self.check_job(job_id)
        return await self.inner.get_result_file(job_id, output_id)


class GuardedRecallingService(GuardedService):
    """A :class:`GuardedService` over a service that recalls execute requests."""

    async def get_execute_request(self, job_id: str) -> ExecuteRequest:
        await self.check_job(job_id)
        assert isinstance(self.inner, KeepsExecuteRequests)
        return await self.inner.get_execute_request(job_id)


def guard(inner: Service, **options: Any) -> Guard:
    """The :class:`Guard` of ``inner`` (options: those of :class:`Guard`)."""
    return Guard(inner, **options)
