"""Entry point of a Dask worker's job runner: ``python -m eoproc.jobs.dask_child FD PID``.

A Dask worker thread cannot stop a Python function it runs, so every job runs
in one of these child processes (an ordinary eoproc worker, see
:mod:`eoproc.jobs.worker`), which the Dask worker kills when the job is
dismissed. ``FD`` is the child's end of a socket pair (a :mod:`eoproc.jobs.channel`);
the registry pickle arrives on it first. ``PID`` is the Dask worker's pid: the child exits when
that process is gone.
"""

from __future__ import annotations

import socket
import sys


def main(argv: list[str] | None = None) -> None:
    """Read the registry from the inherited connection, then serve jobs on it."""
    fd, parent_pid = (int(arg) for arg in (argv if argv is not None else sys.argv[1:]))
    sock = socket.socket(fileno=fd)
    from .channel import BlockingChannel

    try:
        registry_pickle = BlockingChannel(sock).recv()
    except (EOFError, OSError):
        return
    from .worker import worker_main

    worker_main(registry_pickle, sock, parent_pid)


if __name__ == "__main__":
    main()
