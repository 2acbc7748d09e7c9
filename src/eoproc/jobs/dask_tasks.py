"""What runs on the Dask workers: the job task, its child processes, and cancellation.

:class:`JobRunnerPlugin` is a Dask ``WorkerPlugin`` the server registers once;
every worker of the cluster (also workers that join later) keeps a few *runner*
child processes (:mod:`eoproc.jobs.dask_child`, one per worker thread, reused
from job to job). :func:`run_job` is the task of one job: it hands the job to
an idle runner, relays the runner's :class:`~.messages.Started` and
:class:`~.messages.Progress` to the server as Dask events (``Worker.log_event``
on the server's topic, encoded by :func:`to_event`), and returns the job's
:class:`~.messages.Outcome`.

:func:`cancel_jobs` runs on every worker (``Client.run``) when jobs are
dismissed: it kills the runners running them (SIGTERM to the runner's process
group, SIGKILL one second later), so a job stops even if its process never
checks for cancellation. Runners are Unix-only (``pass_fds``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from .channel import BlockingChannel, channel_pair
from .messages import JobSpec, Outcome, Progress, Ready, Report, Run, Started
from .store import now_us

log = logging.getLogger(__name__)

KILL_AFTER = 1.0
"""Seconds between SIGTERM and SIGKILL of a runner whose job was dismissed."""
PROGRESS_INTERVAL = 0.2
"""Seconds between two progress events of one job (the last value is always sent)."""
POLL = 0.1
"""Seconds between two looks at a running job's runner."""
START_TIMEOUT = 120.0
"""Seconds a new runner may take to import the processes and report ready."""
CANCEL_MEMORY = 600.0
"""Seconds a worker remembers a dismissed job id (for a task that starts late)."""


_LIVE: weakref.WeakSet[JobRunnerPlugin] = weakref.WeakSet()
"""Plugins of this worker process, also replaced ones whose jobs still run (for cancel)."""
_SPAWNER = ThreadPoolExecutor(1, thread_name_prefix="eoproc-spawn")
"""Starts every runner of this worker process. One long-lived thread, because Linux kills a
child (``PR_SET_PDEATHSIG``) when the *thread* that started it ends."""


def plugin_name(registry_pickle: bytes) -> str:
    """The plugin's name on the cluster: one per process registry."""
    return "eoproc-" + hashlib.sha256(registry_pickle).hexdigest()[:16]


@dataclass(eq=False)
class Runner:
    """A child process running one job at a time."""

    popen: subprocess.Popen[bytes]
    conn: BlockingChannel
    job_id: str | None = None
    killed: bool = field(default=False)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(OSError):
            try:
                os.killpg(self.popen.pid, signum)  # the runner leads its own group
            except ProcessLookupError:
                if self.alive():
                    os.kill(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGTERM now, SIGKILL after :data:`KILL_AFTER` seconds."""
        self.killed = True
        self.signal(signal.SIGTERM)
        timer = threading.Timer(KILL_AFTER, self.signal, (signal.SIGKILL,))
        timer.daemon = True
        timer.start()

    def close(self) -> None:
        self.signal(signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)


class RunnerFailed(Exception):
    """A runner could not start (e.g. the process registry cannot be imported)."""


class JobRunnerPlugin(WorkerPlugin):
    """Per-worker state of eoproc: idle runners, running jobs, dismissed job ids."""

    def __init__(self, registry_pickle: bytes) -> None:
        self.registry_pickle = registry_pickle
        self.name = plugin_name(registry_pickle)

    def __getstate__(self) -> dict[str, Any]:
        return {"registry_pickle": self.registry_pickle, "name": self.name}

    def setup(self, worker: Any) -> None:
        _LIVE.add(self)
        self.worker = worker
        self.retired = False
        self.lock = threading.Lock()
        self.idle: list[Runner] = []
        self.running: dict[str, Runner] = {}
        self.cancelled: dict[str, float] = {}
        self.spawner = _SPAWNER
        for _ in range(max(1, int(getattr(worker, "nthreads", 1)))):
            self.spawner.submit(self._prewarm)

    def teardown(self, worker: Any) -> None:
        """End the idle runners. Running jobs go on (another server may have registered
        this plugin again); their runners end with them, or with the worker process."""
        with self.lock:
            self.retired = True
            runners, self.idle = self.idle, []
        for runner in runners:
            runner.close()

    # -- runners -------------------------------------------------------------------

    def _spawn(self) -> Runner:
        parent_sock, child = channel_pair()
        parent = BlockingChannel(parent_sock)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
        popen = subprocess.Popen(
            [sys.executable, "-m", "eoproc.jobs.dask_child", str(child.fileno()), str(os.getpid())],
            pass_fds=(child.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        child.close()
        parent.send(self.registry_pickle)
        runner = Runner(popen, parent)
        if not parent.poll(START_TIMEOUT):
            runner.close()
            raise RunnerFailed(f"the job runner did not start within {START_TIMEOUT:.0f} s")
        try:
            message = parent.recv()
        except (EOFError, OSError):
            runner.close()
            raise RunnerFailed(
                f"the job runner exited at start (exit code {popen.wait()})"
            ) from None
        if not isinstance(message, Ready):
            runner.close()
            raise RunnerFailed(str(getattr(message, "message", message)))
        return runner

    def _prewarm(self) -> None:
        try:
            runner = self._spawn()
        except RunnerFailed as exc:
            log.error("eoproc: cannot start a job runner: %s", exc)
            return
        with self.lock:
            if not self.retired:
                self.idle.append(runner)
                return
        runner.close()

    def _take_idle(self) -> Runner | None:
        with self.lock:
            while self.idle:
                runner = self.idle.pop()
                if runner.alive():
                    return runner
                runner.close()
        return None

    def _take_or_spawn(self) -> Runner:
        return self._take_idle() or self._spawn()

    def acquire(self) -> Runner:
        """An idle runner; else the next one the spawner thread starts (maybe a prewarm)."""
        return self._take_idle() or self.spawner.submit(self._take_or_spawn).result()

    def release(self, runner: Runner) -> None:
        """Keep a runner for the next job, or end it if it was killed or died."""
        runner.job_id = None
        with self.lock:
            keep = not (self.retired or runner.killed) and runner.alive()
            if keep:
                self.idle.append(runner)
        if not keep:
            runner.close()
            if not self.retired:
                self.spawner.submit(self._prewarm)  # a fresh runner for the next job

    # -- cancellation --------------------------------------------------------------

    def cancel(self, job_ids: list[str]) -> int:
        """Kill the runners of these jobs; remember the ids. How many were running here."""
        now = time.monotonic()
        killed = 0
        with self.lock:
            for job_id, since in list(self.cancelled.items()):
                if now - since > CANCEL_MEMORY:
                    del self.cancelled[job_id]
            for job_id in job_ids:
                self.cancelled[job_id] = now
                runner = self.running.get(job_id)
                if runner is not None:
                    runner.kill()
                    killed += 1
        return killed

    def is_cancelled(self, job_id: str) -> bool:
        with self.lock:
            return job_id in self.cancelled

    # -- one job -------------------------------------------------------------------

    def run(self, spec: JobSpec, topic: str) -> Outcome:
        """Run ``spec`` in a runner; report start and progress on ``topic``."""
        address = self.worker.address
        started = now_us()
        if self.is_cancelled(spec.id):
            return Outcome.dismissed(started, now_us())
        results_root = Path(spec.job_dir).parent
        if not results_root.is_dir():
            return _failed(
                f"The results directory {results_root} does not exist on Dask worker {address}: "
                "mount the server's results location at the same path on every worker.",
                started,
            )
        try:
            runner = self.acquire()
        except RunnerFailed as exc:
            return _failed(f"Dask worker {address} cannot start a job runner: {exc}", started)
        with self.lock:
            runner.job_id = spec.id
            self.running[spec.id] = runner
            if spec.id in self.cancelled:
                runner.kill()
        try:
            self.worker.log_event(topic, to_event(Started(spec.id, where=address)))
            return self._follow(runner, spec, topic, started)
        finally:
            with self.lock:
                self.running.pop(spec.id, None)
            self.release(runner)

    def _follow(self, runner: Runner, spec: JobSpec, topic: str, started: int) -> Outcome:
        pending: Progress | None = None
        sent = 0.0
        try:
            runner.conn.send(Run((spec,)))
            while True:
                if runner.conn.poll(POLL):
                    message = runner.conn.recv()
                    if isinstance(message, Progress):
                        pending = message
                    elif isinstance(message, Report) and message.done:
                        return message.done[0].outcome
                if pending is not None and time.monotonic() - sent >= PROGRESS_INTERVAL:
                    self.worker.log_event(topic, to_event(pending))
                    pending, sent = None, time.monotonic()
        except (EOFError, OSError):
            pass
        code = runner.popen.wait()
        if runner.killed:
            return Outcome.dismissed(started, now_us())
        return _failed(
            f"The process running the job on Dask worker {self.worker.address} "
            f"exited unexpectedly (exit code {code}).",
            started,
        )


def _failed(message: str, started: int) -> Outcome:
    return Outcome.failed(message, now_us(), started=started)


def to_event(message: Started | Progress) -> list[Any]:
    """A message as a Dask event (a plain list: events travel as msgpack)."""
    if isinstance(message, Started):
        return ["started", message.job_id, message.where]
    return ["progress", message.job_id, message.percent, message.message]


def from_event(event: Any) -> Started | Progress | None:
    """The message of a Dask event of :func:`to_event` (``None``: not one of ours)."""
    if not isinstance(event, Sequence) or isinstance(event, str) or len(event) < 3:
        return None  # e.g. the scheduler's own events about this client
    if event[0] == "started":
        return Started(str(event[1]), where=str(event[2]))
    if event[0] == "progress" and len(event) == 4:
        return Progress(str(event[1]), event[2], event[3])
    return None


def run_job(spec: JobSpec, plugin: str, topic: str) -> Outcome:
    """The Dask task of one job (runs on a worker with the ``plugin`` registered)."""
    worker = get_worker()
    runner_plugin = worker.plugins.get(plugin)
    if not isinstance(runner_plugin, JobRunnerPlugin):
        return _failed(f"Dask worker {worker.address} lacks the eoproc plugin {plugin}", now_us())
    return runner_plugin.run(spec, topic)


def cancel_jobs(job_ids: list[str]) -> int:
    """Kill the runners of dismissed jobs on this worker (run by ``Client.run``)."""
    return sum(plugin.cancel(job_ids) for plugin in list(_LIVE))
