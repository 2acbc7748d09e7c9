"""Following a job by polling its status (when the server has no event stream)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import quote

from .commands import Call, Notify, Operation, RetryPolicy, Sleep, retry_after, send
from .errors import ClientError, JobTimeoutError
from .responses import model_of

if TYPE_CHECKING:
    from eoproc.models import StatusInfo

    from .signatures import ProgressCallback

GONE = (403, 404, 410)
"""Statuses of a job that is not (or no longer) there for us."""


def poll_job(
    job_id: str,
    deadline: float | None,
    timeout: float | None,
    on_progress: ProgressCallback | None,
    retry: RetryPolicy,
    interval: tuple[float, float],
) -> Operation[StatusInfo]:
    """Poll a job's status until it is final; its final status.

    Waits as the server's ``Retry-After`` asks, else ``interval[0]`` seconds growing
    by half each time up to ``interval[1]``. A job that vanishes while we wait
    counts as dismissed; one still running at ``deadline`` raises :class:`JobTimeoutError`.
    """
    from eoproc.models import JobStatus, StatusInfo

    url = f"jobs/{quote(job_id, safe='')}"
    delay, max_delay = interval
    status: StatusInfo | None = None
    while True:
        asked: float | None = None
        try:
            answer = yield from send(Call("GET", url), retry)
            status = model_of(answer, StatusInfo)
            asked = retry_after(answer.headers.get("retry-after"))
        except ClientError as error:
            if status is None or error.status not in GONE:
                raise
            # the job vanished while we waited: someone dismissed it
            status = status.model_copy(update={"status": JobStatus.dismissed})
        if on_progress is not None:
            yield Notify(on_progress, status)
        if status.status.is_final:
            return status
        wait = asked if asked is not None else delay
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JobTimeoutError(job_id, timeout or 0.0, status)
            wait = min(wait, remaining)
        yield Sleep(wait)
        delay = min(delay * 1.5, max_delay)
