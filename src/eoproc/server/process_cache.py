"""``ProcessCache``: process descriptions reused for a few seconds."""

from __future__ import annotations

import time

from eoproc.models import ProcessDescription

from .service import Service

#: Seconds a process description is reused for execution requests.
PROCESS_CACHE_SECONDS = 5.0


class ProcessCache:
    """Process descriptions of a service, reused for a few seconds.

    Executing needs the process's job control options; describing a process
    can be costly (schemas are built), and descriptions rarely change. A miss
    asks the (user's) service, so that a hidden process is unknown.
    """

    def __init__(self, seconds: float = PROCESS_CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[str, tuple[float, ProcessDescription]] = {}

    def get(self, service: Service, process_id: str) -> ProcessDescription:
        """The description of ``process_id`` (from ``service`` on a miss); raises
        ``NoSuchProcess``."""
        now = time.monotonic()
        entry = self._entries.get(process_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        description = service.get_process(process_id)
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[process_id] = (now + self.seconds, description)
        return description
