"""Delivery of callbacks (the standard's ``subscriber``) from the store's outbox.

:mod:`.eventlog` queues a callback in the transaction of the state change that
triggers it; :class:`CallbackOutbox` claims due callbacks (one at a time per
job and URI, in order; each claimed by one server of a shared store) and POSTs
them: the status info (``inProgressUri``, ``failedUri``) or the results
document (``successUri``). A 2xx answer delivers it; a network error, a time-out
or a 408/425/429/5xx answer is retried with exponential back-off until the
callback's deadline; other answers give it up. Every attempt is recorded on
the callback (``GET /jobs/{id}/callbacks``) and logged.

Settings (environment): ``EOPROC_CALLBACK_TIMEOUT`` (seconds per attempt, 10),
``EOPROC_CALLBACK_BACKOFF`` (first retry delay, 1 s, doubling up to
``EOPROC_CALLBACK_BACKOFF_MAX``, 300 s), ``EOPROC_CALLBACK_RETRY_FOR`` (seconds a
callback is retried, 3600).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from eoproc import __version__
from eoproc.models import JobStatus
from eoproc.server import links as L
from eoproc.server.security.netpolicy import AddressPolicy, ForbiddenAddress

from .eventlog import (
    CANCELLED,
    DELIVERED,
    FAILED,
    PENDING,
    Delivery,
    EventQueries,
    status_document,
)
from .store import JobStore, StoreUnavailable, now_us
from .views import results_document

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429})
POLL_INTERVAL = 1.0
"""Seconds between two looks for due callbacks (retries, other replicas' callbacks)."""


def _env(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class OutboxSettings:
    """Time limits of the deliveries (see the module docstring)."""

    timeout: float = 10.0
    backoff: float = 1.0
    backoff_max: float = 300.0
    concurrency: int = 16
    policy: AddressPolicy = field(default_factory=AddressPolicy)

    @classmethod
    def from_env(cls, policy: AddressPolicy | None = None) -> OutboxSettings:
        """The settings from ``EOPROC_CALLBACK_*``, with the server's address policy."""
        return cls(
            timeout=_env("EOPROC_CALLBACK_TIMEOUT", 10.0),
            backoff=_env("EOPROC_CALLBACK_BACKOFF", 1.0),
            backoff_max=_env("EOPROC_CALLBACK_BACKOFF_MAX", 300.0),
            policy=policy or AddressPolicy(),
        )

    def delay(self, attempts: int) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones (with jitter)."""
        base: float = min(self.backoff * 2 ** max(attempts - 1, 0), self.backoff_max)
        return base * random.uniform(0.8, 1.0)


class Gone(Exception):
    """The callback cannot be built any more (the job's results were dismissed)."""


class CallbackOutbox:
    """The task delivering this server's share of the outbox."""

    def __init__(self, store: JobStore, owner: str, settings: OutboxSettings) -> None:
        if not isinstance(store, EventQueries):
            raise TypeError(f"{type(store).__name__} keeps no callbacks outbox")
        self.store = store
        self.events: EventQueries = store
        self.owner = owner
        self.settings = settings
        self._woken = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Start delivering (on a store of its own, first free the claims of a previous run)."""
        if not getattr(self.store, "shared", False):
            await self.events.release_callbacks()
        self._loop = asyncio.get_running_loop()
        self._http = httpx.AsyncClient(
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(self.settings.timeout),
            headers={"User-Agent": f"eoproc/{__version__} (callbacks)"},
        )
        self._task = asyncio.create_task(self._run(), name="eoproc-callbacks")

    async def close(self) -> None:
        """Stop; deliveries under way are abandoned (their claims expire, others retry)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def wake(self) -> None:
        """Look for due callbacks now (call from the event loop's thread)."""
        self._woken.set()

    def queued(self, count: int) -> None:
        """The store queued ``count`` callbacks (called from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._woken.set)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), POLL_INTERVAL)
            self._woken.clear()
            free = self.settings.concurrency - len(self._inflight)
            if free <= 0:
                continue
            try:
                claimed = await self.events.claim_callbacks(
                    self.owner, now_us(), free, self.settings.timeout * 2 + 10
                )
            except StoreUnavailable as exc:
                log.warning("cannot claim callbacks: %s", exc)
                continue
            except Exception:
                log.exception("claiming callbacks failed")
                continue
            for delivery in claimed:
                task = asyncio.create_task(self._deliver(delivery))
                self._inflight.add(task)
                task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._woken.set()  # the next callback of the same job and URI may be due

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            body = await self._body(delivery)
        except Gone as exc:
            await self._finish(delivery, CANCELLED, error=str(exc))
            return
        status: int | None = None
        error: str | None = None
        try:
            status = await self._post(delivery, body)
        except ForbiddenAddress as exc:
            error = str(exc)
            await self._finish(delivery, FAILED, error=error)
            return
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if status is not None and 200 <= status < 300:
            await self._finish(delivery, DELIVERED, status=status)
            return
        if status is not None:
            error = f"the receiver answered HTTP {status}"
            if status < 500 and status not in RETRY_STATUSES:
                await self._finish(delivery, FAILED, status=status, error=error)
                return
        retry_at = now_us() + round(self.settings.delay(delivery.attempts + 1) * 1_000_000)
        if retry_at > delivery.deadline:
            await self._finish(delivery, FAILED, status=status, error=f"{error}; gave up")
            return
        await self._finish(delivery, PENDING, status=status, error=error, retry_at=retry_at)

    async def _finish(
        self,
        delivery: Delivery,
        state: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_at: int | None = None,
    ) -> None:
        attempts = delivery.attempts + 1
        what = f"{delivery.kind} callback {delivery.id} of job {delivery.job_id} to {delivery.uri}"
        if state == DELIVERED:
            log.info("%s delivered (HTTP %s, attempt %d)", what, status, attempts)
        elif state == PENDING:
            log.info("%s: attempt %d failed (%s); retrying", what, attempts, error)
        else:
            log.warning("%s %s after %d attempt(s): %s", what, state, attempts, error)
        try:
            await self.events.finish_callback(
                delivery.id,
                self.owner,
                state=state,
                now=now_us(),
                status=status,
                error=error,
                retry_at=retry_at,
            )
        except StoreUnavailable as exc:  # the claim expires and the callback is retried
            log.warning("cannot record the outcome of %s: %s", what, exc)

    async def _body(self, delivery: Delivery) -> Any:
        base = delivery.base or ""
        if delivery.kind != "success":
            document = status_document(delivery.job_id, delivery.data)
            status = document.get("status", "")
            document["links"] = L.job_links(base, delivery.job_id, status) if base else []
            return document
        record = await self.store.get(delivery.job_id, full=True)
        if record is None or record.status != JobStatus.successful:
            raise Gone("the job's results are gone (dismissed or deleted)")
        results = await results_document(record, self.store.results_root / delivery.job_id)
        return L.absolute_hrefs(base, delivery.job_id, results.root) if base else results.root

    async def _post(self, delivery: Delivery, body: Any) -> int:
        """POST ``body`` to the callback's URI, connecting to an address the policy allows."""
        assert self._http is not None
        uri = delivery.uri
        url = httpx.URL(uri)
        if url.scheme not in ("http", "https") or not url.host:
            raise ForbiddenAddress(f"not an http(s) URL: {uri!r}")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = await asyncio.to_thread(self.settings.policy.resolve, url.host, port)
        host_header = url.host if url.port is None else f"{url.host}:{url.port}"
        request = self._http.build_request(
            "POST",
            url.copy_with(host=str(addresses[0])),
            json=body,
            headers={
                "Host": host_header,
                "X-Eoproc-Job-ID": delivery.job_id,
                "X-Eoproc-Event-ID": str(delivery.event_id),
                "X-Eoproc-Callback": delivery.kind,
            },
            extensions={"sni_hostname": url.host} if url.scheme == "https" else {},
        )
        async with asyncio.timeout(self.settings.timeout):
            response = await self._http.send(request)
        return response.status_code
