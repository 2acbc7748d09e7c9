"""The Dask executor: jobs run as tasks on a Dask distributed cluster.

The server connects an asynchronous ``distributed.Client`` to the scheduler
(or starts a ``LocalCluster`` of worker processes when no address is given),
registers :class:`~eoproc.jobs.dask_tasks.JobRunnerPlugin` on the workers and
submits one task per claimed job (key ``eoproc-job-<id>``). What travels where:

- progress: the task logs Dask events on this server's topic (named after its
  client, so that the scheduler forgets them with the client); the topic
  handler passes them (as :class:`~.messages.Started` and :class:`~.messages.Progress`)
  to the job manager, whose writer throttles them into the store;
- outcome: the task's return value, an :class:`~.messages.Outcome`; file outputs
  are written by the job straight to the store's results directory, which must
  be mounted at the same path on the workers;
- dismissal: the future is cancelled (a queued task never runs) and
  :func:`~eoproc.jobs.dask_tasks.cancel_jobs` runs on the workers, killing the
  child process of a running job;
- lost workers: Dask runs the task of a dead worker again elsewhere; the
  executor counts starts, and a job whose workers died twice is failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from .dask_tasks import KILL_AFTER, JobRunnerPlugin, cancel_jobs, from_event, run_job
from .executor import ExecutorEvents
from .messages import Done, JobSpec, Outcome, Progress, Started
from .store import now_us

log = logging.getLogger(__name__)

MAX_STARTS = 2
"""Starts of a job's task (the first, and one retry after its worker died)."""
REFRESH_INTERVAL = 1.0
"""Seconds between two looks at the cluster's size."""
CONNECT_TIMEOUT = 30.0
"""Seconds to wait for the scheduler at start."""
CLOSE_TIMEOUT = 10.0
"""Seconds each step of :meth:`DaskExecutor.close` may take."""


class DaskExecutor:
    """Runs jobs on the Dask cluster at ``scheduler`` (or a new ``LocalCluster``).

    ``scheduler``: an address (``tcp://host:8786``) or the path of a scheduler
    file (``*.json``, as written by ``dask scheduler --scheduler-file``).

    ``size``: worker processes of the ``LocalCluster`` (one thread each);
    ignored with a ``scheduler``. The executor takes up to twice as many jobs
    as the cluster has threads, so that a worker finds its next job queued.
    """

    def __init__(
        self,
        registry_pickle: bytes,
        size: int,
        events: ExecutorEvents,
        *,
        scheduler: str | None = None,
        prefetch: float = 2.0,
    ) -> None:
        self.registry_pickle = registry_pickle
        self.size = max(1, size)
        self.scheduler = scheduler
        self.prefetch = prefetch
        self.stop_delay = KILL_AFTER + 2.0  # the cancel broadcast, then SIGTERM → SIGKILL
        self._events = events
        self._topic = ""
        self._plugin = JobRunnerPlugin(registry_pickle)
        self._client: Any = None
        self._cluster: Any = None
        self._threads = 0
        self._futures: dict[str, Any] = {}
        self._starts: dict[str, list[str]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refresher: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._closing = False

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (once started)."""
        return self._client

    # -- life cycle --------------------------------------------------------------

    async def start(self) -> None:
        """Connect to the scheduler (or start a ``LocalCluster``) and set the workers up."""
        from distributed import Client, LocalCluster

        target: Any = self.scheduler
        if target is None:
            self._cluster = await LocalCluster(
                n_workers=self.size,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                asynchronous=True,
            )
            target = self._cluster
        # Not the process-wide default client: nothing else in the server computes on it.
        options: dict[str, Any] = {
            "asynchronous": True,
            "timeout": CONNECT_TIMEOUT,
            "set_as_default": False,
        }
        if isinstance(target, str) and "://" not in target and target.endswith(".json"):
            options["scheduler_file"], target = target, None  # dask scheduler --scheduler-file
        try:
            self._client = await Client(target, **options)
        except (OSError, TimeoutError, ValueError) as exc:
            raise RuntimeError(f"Cannot connect to the Dask scheduler at {target}: {exc}") from exc
        await self._client.register_plugin(self._plugin, name=self._plugin.name)
        # The topic named after the client: the scheduler drops its events with the client.
        self._topic = str(self._client.id)
        self._client.subscribe_topic(self._topic, self._on_event)
        await self._refresh()
        self._refresher = asyncio.create_task(self._refresh_loop(), name="eoproc-dask-refresh")
        log.info("jobs run on the Dask cluster at %s", self._client.scheduler.address)

    async def close(self) -> list[str]:
        """Cancel held jobs on the cluster, disconnect, stop a ``LocalCluster``."""
        self._closing = True
        held = self.held_ids()
        if self._refresher is not None:
            self._refresher.cancel()
        client = self._client
        if client is not None:
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(self._topic)
            futures = list(self._futures.values())
            self._futures.clear()  # their outcomes are not reported any more
            if held:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._cancel(held, futures), CLOSE_TIMEOUT)
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                await client.close(timeout=CLOSE_TIMEOUT)
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._cluster.close(), CLOSE_TIMEOUT)
        self._idle.set()
        return held

    async def _refresh(self) -> None:
        info = await self._client.scheduler.identity(n_workers=0)
        threads = int(info.get("total_threads") or 0)
        grew = threads > self._threads
        self._threads = threads
        if grew:
            self._events.on_capacity()

    async def _refresh_loop(self) -> None:
        away = False
        while True:
            await asyncio.sleep(REFRESH_INTERVAL)
            try:
                await self._refresh()
            except Exception as exc:  # the scheduler is away; Dask reconnects
                if not away:
                    log.warning("cannot reach the Dask scheduler: %s", exc)
                away = True
            else:
                if away:
                    log.warning("the Dask scheduler answers again")
                away = False

    # -- jobs --------------------------------------------------------------------

    def capacity(self) -> int:
        """Jobs to claim now: ``prefetch`` times the cluster's threads, minus those held."""
        if self._closing or self._client is None:
            return 0
        return max(0, round(max(self._threads, 1) * self.prefetch) - len(self._futures))

    def submit(self, specs: list[JobSpec]) -> None:
        """Submit one task per job (in claim order)."""
        if not specs:
            return
        futures = self._client.map(
            run_job,
            specs,
            plugin=self._plugin.name,
            topic=self._topic,
            key=[f"eoproc-job-{spec.id}" for spec in specs],
            pure=False,
        )
        for spec, future in zip(specs, futures, strict=True):
            self._futures[spec.id] = future
            self._spawn(self._watch(spec.id, future))
        self._idle.clear()

    def held_ids(self) -> list[str]:
        return list(self._futures)

    def cancel(self, job_id: str) -> bool:
        """Drop the job's task and kill its process wherever it runs on the cluster.

        The kill is sent even for a job this executor does not hold: with a
        shared store, another server may have submitted it to the same cluster.
        """
        future = self._futures.pop(job_id, None)
        self._starts.pop(job_id, None)
        self._update_idle()
        if self._client is not None and not self._closing:
            self._spawn(self._cancel([job_id], [future] if future is not None else []))
        return future is not None

    async def _cancel(self, job_ids: list[str], futures: list[Any]) -> None:
        try:
            if futures:
                await self._client.cancel(futures, force=True)
            await self._client.run(cancel_jobs, job_ids, on_error="ignore")
        except Exception as exc:
            log.warning("cannot cancel job(s) %s on the Dask cluster: %s", job_ids, exc)

    async def wait_idle(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)
        return self._idle.is_set()

    def _update_idle(self) -> None:
        if self._futures:
            self._idle.clear()
        else:
            self._idle.set()

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- events and outcomes ------------------------------------------------------

    def _on_event(self, event: tuple[float, Any]) -> None:
        message = from_event(event[1])
        if message is None or message.job_id not in self._futures or self._closing:
            return
        if isinstance(message, Progress):
            self._events.on_progress(message)
        elif isinstance(message, Started):
            job_id = message.job_id
            starts = self._starts.setdefault(job_id, [])
            starts.append(str(message.where))
            if len(starts) > MAX_STARTS:
                where = ", ".join(starts[:-1])
                self._give_up(
                    job_id,
                    f"The Dask workers running the job died {len(starts) - 1} times "
                    f"({where}); it is not run again.",
                )
            elif len(starts) > 1:
                log.warning("job %s runs again on %s: its Dask worker died", job_id, starts[-1])

    def _give_up(self, job_id: str, message: str) -> None:
        self.cancel(job_id)
        self._events.on_done(Done(job_id, Outcome.failed(message, now_us())))

    async def _watch(self, job_id: str, future: Any) -> None:
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        try:
            outcome: Outcome = await future
        except FutureCancelledError as exc:
            reason = getattr(exc, "reason", exc)
            outcome = Outcome.failed(
                f"The Dask cluster dropped the job (reason: {reason}).", now_us()
            )
        except KilledWorker as exc:
            outcome = Outcome.failed(
                f"The Dask workers running the job died; Dask gave up on it ({exc}).", now_us()
            )
        except Exception as exc:
            outcome = Outcome.failed(
                f"The Dask task of the job failed: {type(exc).__name__}: {exc}", now_us()
            )
        if self._futures.get(job_id) is not future:  # dismissed, given up, or closing
            return
        del self._futures[job_id]
        self._starts.pop(job_id, None)
        self._events.on_done(Done(job_id, outcome))
        self._update_idle()
        self._events.on_capacity()
