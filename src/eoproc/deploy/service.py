"""``DeployingJobService``: the local job service, plus processes deployed at run time.

Deployed processes live in the job store (so they survive restarts and every
replica on a shared store sees them: each refreshes its view every
``refresh_interval`` seconds, and at once when it deploys). They run in the
same executors as the built-in processes: when a job of one is claimed, its
package is written beside the job (see :mod:`.registry`).

Decisions:

- undeploying (or replacing) a process does not touch jobs that already run;
  undeploying a process that has queued or running jobs is refused (409),
  so that nobody's accepted job silently fails: dismiss them first;
- queued jobs of a replaced process run the new version;
- every job of a deployed process is stopped after ``time_limit`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from eoproc.jobs.service import LocalJobService, store_errors
from eoproc.jobs.store import ClaimedJob
from eoproc.models import JobStatus, ProcessDescription, ProcessSummary
from eoproc.processes import ProcessRegistry
from eoproc.server.service import JobQuery, NoSuchProcess

from .describe import describe_cwl, merge_description, short_id
from .engine import check_document, container_engine, require_cwltool
from .errors import DuplicateProcess, ImmutableProcess, InvalidPackage, PackageTooLarge, ProcessBusy
from .package import (
    OGCAPPPKG,
    PROCESS_ID,
    AppPackage,
    Received,
    check_self_contained,
    media_type_of,
    needs_container,
    parse_cwl_text,
    read_body,
    select_process,
)
from .process import CwlProcess
from .registry import DeployableRegistry, write_snapshot
from .routes import build_deploy_router
from .store import ProcessStore

log = logging.getLogger(__name__)

CONFORMANCE = [
    f"http://www.opengis.net/spec/ogcapi-processes-2/1.0/conf/{name}"
    for name in ("deploy-replace-undeploy", "ogcapppkg", "cwl")
]


@dataclass(frozen=True)
class DeployOptions:
    """How the server takes deployed processes (``eoproc-server run --deploy ...``)."""

    no_container: bool = False
    """Run every CWL process without a container, even with a ``DockerRequirement``."""
    deployer_role: str = "deployer"
    """The role that deploying, replacing and undeploying need (with authentication)."""
    max_package_bytes: int = 1024 * 1024
    """The largest package accepted (bytes)."""
    time_limit: float | None = 3600.0
    """Seconds a job of a deployed process may run (``None``: no limit)."""
    refresh_interval: float = 2.0
    """Seconds between two looks at the store for processes other replicas changed."""


class DeployingJobService(LocalJobService):
    """A :class:`LocalJobService` that deploys, replaces and undeploys CWL processes."""

    conformance_classes = CONFORMANCE

    def __init__(self, registry: Any, *, deploy: DeployOptions | None = None, **options: Any):
        require_cwltool()
        if not isinstance(registry, DeployableRegistry):
            registry = DeployableRegistry(registry if registry is not None else ProcessRegistry())
        super().__init__(registry, **options)
        self.registry: DeployableRegistry = registry
        self.deploy_options = deploy or DeployOptions()
        self._processes: ProcessStore | None = None
        self._revisions: dict[str, int] = {}
        self._refresher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        await super().start()
        self._processes = ProcessStore(self.store)
        await self.refresh()
        self._refresher = asyncio.create_task(self._refresh_loop(), name="eoproc-deployed")

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        await super().stop()

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.deploy_options.refresh_interval)
            try:
                await self.refresh()
            except Exception:
                log.exception("cannot read the deployed processes from the store")

    def _deployed_store(self) -> ProcessStore:
        if self._processes is None:
            self._require_running()
        assert self._processes is not None
        return self._processes

    async def refresh(self) -> None:
        """Take the deployed processes from the store where they changed."""
        async with self._lock:
            store = self._deployed_store()
            revisions = await store.revisions()
            for process_id in [p for p in self._revisions if p not in revisions]:
                self.registry.remove(process_id)
                del self._revisions[process_id]
            changed = [p for p, rev in revisions.items() if self._revisions.get(p) != rev]
            for row in await store.load(changed):
                try:
                    package = AppPackage.from_json(row.package_json)
                    self.registry.put(self._process(package))
                except Exception:
                    log.exception("the stored package of %r cannot be used", row.id)
                self._revisions[row.id] = row.revision

    def _process(self, package: AppPackage) -> CwlProcess:
        return CwlProcess(package, use_container=not self.deploy_options.no_container)

    def routers(self, security: Any) -> list[Any]:
        """The Part 2 routes (see :class:`eoproc.server.service.AddsRoutes`)."""
        return [
            build_deploy_router(
                self, admin_role=security.access.admin_role, fetcher=security.fetcher()
            )
        ]

    # -- Part 2 --------------------------------------------------------------------

    async def read_package(
        self,
        body: bytes,
        content_type: str | None,
        *,
        w: str | None = None,
        process_id: str | None = None,
        fetcher: Any = None,
    ) -> AppPackage:
        """The package of a deploy (or replace, with ``process_id``) body, checked."""
        limit = self.deploy_options.max_package_bytes
        if len(body) > limit:
            raise PackageTooLarge(f"The package has {len(body)} bytes; at most {limit} are taken.")
        received = read_body(body, content_type)
        if received.cwl is None:
            received = await _fetch_unit(received, fetcher)
        assert received.cwl is not None
        cwl = received.cwl
        check_self_contained(cwl)
        process, target = select_process(cwl, w)
        given = received.description or {}
        own = process.get("id")
        new_id = given.get("id") or w or (short_id(own) if isinstance(own, str) else None)
        if process_id is not None:
            if new_id is not None and given.get("id") and new_id != process_id:
                raise InvalidPackage(
                    f"The package describes process {new_id!r}, not {process_id!r}."
                )
            new_id = process_id
        if not isinstance(new_id, str) or not PROCESS_ID.match(new_id):
            raise InvalidPackage(
                "The process needs an id (letters, digits, '_', '.', '-'; at most 128): "
                "give the CWL process an 'id', or the package a processDescription."
            )
        if (
            needs_container(cwl)
            and not self.deploy_options.no_container
            and await asyncio.to_thread(container_engine) is None
        ):
            raise InvalidPackage(
                "The package requires a container (DockerRequirement), and this server has "
                "neither docker nor podman. Its operator can run such packages without a "
                "container (eoproc-server run --cwl-no-container)."
            )
        await asyncio.to_thread(check_document, cwl, target)
        description = describe_cwl(process, new_id)
        if given:
            description = merge_description(description, {**given, "id": new_id})
        try:
            ProcessDescription.model_validate(description)
        except ValidationError as exc:
            raise InvalidPackage(f"The process description is invalid: {exc}") from None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidPackage("The package is not UTF-8 text.") from None
        media = media_type_of(content_type)
        return AppPackage(new_id, cwl, target, description, text, media)

    async def deploy(self, package: AppPackage, owner: str | None = None) -> ProcessSummary:
        """Deploy a new process; 409 if a deployed one has its id, 403 for a built-in one."""
        self._require_running()
        if self.registry.is_builtin(package.process_id):
            raise ImmutableProcess(f"Process {package.process_id!r} is built in; it cannot change.")
        process = self._process(package)
        with store_errors():
            inserted = await self._deployed_store().insert(
                package.process_id, package.to_json(), owner
            )
        if not inserted:
            raise DuplicateProcess(f"A process {package.process_id!r} is deployed already.")
        await self.refresh()
        return process.summary()

    async def replace(self, package: AppPackage, owner: str | None = None) -> None:
        """Replace a deployed process (404 if there is none, 403 for a built-in one)."""
        self._require_running()
        process_id = package.process_id
        if self.registry.is_builtin(process_id):
            raise ImmutableProcess(f"Process {process_id!r} is built in; it cannot change.")
        with store_errors():
            replaced = await self._deployed_store().replace(process_id, package.to_json(), owner)
        if not replaced:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.")
        await self.refresh()

    async def undeploy(self, process_id: str) -> None:
        """Undeploy a process without queued or running jobs (else 409)."""
        self._require_running()
        if self.registry.is_builtin(process_id):
            raise ImmutableProcess(f"Process {process_id!r} is built in; it cannot be undeployed.")
        active = JobQuery(
            process_ids=[process_id], statuses=[JobStatus.accepted, JobStatus.running], limit=100
        )
        with store_errors():
            records, _ = await self.store.list(active)
        if records:
            count = f"{len(records)}{'+' if len(records) >= 100 else ''}"
            raise ProcessBusy(
                f"Process {process_id!r} has {count} queued or running job(s); dismiss them "
                "(DELETE /jobs/{jobID}) before undeploying it."
            )
        with store_errors():
            deleted = await self._deployed_store().delete(process_id)
        if not deleted:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.")
        await self.refresh()

    async def get_package(self, process_id: str) -> tuple[str, str]:
        """The body a deployed process was deployed (or last replaced) with, and its media type."""
        if self.registry.is_builtin(process_id):
            raise NoSuchProcess(f"Process {process_id!r} is built in; it has no package.")
        with store_errors():
            row = await self._deployed_store().get(process_id)
        if row is None:
            raise NoSuchProcess(f"Process {process_id!r} does not exist.")
        package = AppPackage.from_json(row.package_json)
        return package.body, package.media_type or OGCAPPPKG

    # -- jobs ----------------------------------------------------------------------

    def _on_claimed(self, claimed: list[ClaimedJob]) -> None:
        ready: list[ClaimedJob] = []
        unknown: list[ClaimedJob] = []
        for job in claimed:
            if self.registry.is_builtin(job.process_id) or self._give_package(job):
                ready.append(job)
            else:
                unknown.append(job)
        if ready:
            super()._on_claimed(ready)
        if unknown:  # deployed by another replica a moment ago, or undeployed
            asyncio.get_running_loop().create_task(self._claimed_late(unknown))

    async def _claimed_late(self, claimed: list[ClaimedJob]) -> None:
        with contextlib.suppress(Exception):
            await self.refresh()
        for job in claimed:
            self._give_package(job)  # if still unknown, the worker fails the job
        super()._on_claimed(claimed)

    def _give_package(self, job: ClaimedJob) -> bool:
        process = self.registry.deployed(job.process_id)
        if process is None:
            return False
        write_snapshot(process, self.store.results_root / job.id)
        limit = self.deploy_options.time_limit
        if limit is not None and (self.job_timeout is None or limit < self.job_timeout):
            asyncio.get_running_loop().call_later(limit, self._stop_overdue, job.id, limit)
        return True

    def _stop_overdue(self, job_id: str, limit: float) -> None:
        """Stop a job of a deployed process that ran past the time limit, and fail it."""
        if self._manager is not None:
            message = f"The job exceeded the time limit of {limit:g} s and was stopped."
            self._manager.time_out(job_id, message)


async def _fetch_unit(received: Received, fetcher: Any) -> Received:
    """The CWL of an execution unit given by reference, fetched under the server's policy."""
    if fetcher is None or received.href is None:
        raise InvalidPackage(
            "This server does not fetch execution units by reference; give the CWL by value."
        )
    from eoproc.server.security.fetch import FetchError, ForbiddenAddress

    try:
        fetched = await fetcher.fetch(received.href)
    except (FetchError, ForbiddenAddress) as exc:
        raise InvalidPackage(f"The execution unit cannot be fetched: {exc}") from None
    received.cwl = parse_cwl_text(fetched.content, "the execution unit")
    return received
