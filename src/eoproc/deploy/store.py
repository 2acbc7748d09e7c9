"""Deployed processes in the job store (table ``eoproc_processes``, schema step 9).

Every replica on the store sees the same processes: it compares the
``revision`` of each row with what it holds (:meth:`ProcessStore.revisions`, a
small query) and loads what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from eoproc.jobs.store import now_us
from eoproc.jobs.tables import processes


@dataclass(frozen=True)
class StoredProcess:
    """One row: a deployed process's package (JSON), its revision, who deployed it."""

    id: str
    package_json: str
    revision: int
    updated: int
    user_id: str | None


def _row(row: Any) -> StoredProcess:
    return StoredProcess(row[0], row[1], int(row[2]), int(row[3]), row[4])


_COLUMNS = (
    processes.c.id,
    processes.c.package,
    processes.c.revision,
    processes.c.updated,
    processes.c.user_id,
)


class ProcessStore:
    """The deployed processes of a SQL job store (SQLite or PostgreSQL)."""

    def __init__(self, job_store: Any) -> None:
        if not hasattr(job_store, "run_read") or not hasattr(job_store, "run_write"):
            raise ValueError(
                f"{type(job_store).__name__} cannot keep deployed processes (a SQL job store can)"
            )
        self.job_store = job_store

    async def revisions(self) -> dict[str, int]:
        """``{process id: revision}`` of every deployed process."""

        def query(conn: sa.Connection) -> dict[str, int]:
            rows = conn.execute(sa.select(processes.c.id, processes.c.revision))
            return {row[0]: int(row[1]) for row in rows}

        result: dict[str, int] = await self.job_store.run_read(query)
        return result

    async def load(self, ids: list[str]) -> list[StoredProcess]:
        """The rows of ``ids`` (those that exist)."""
        if not ids:
            return []

        def query(conn: sa.Connection) -> list[StoredProcess]:
            rows = conn.execute(sa.select(*_COLUMNS).where(processes.c.id.in_(ids)))
            return [_row(row) for row in rows]

        result: list[StoredProcess] = await self.job_store.run_read(query)
        return result

    async def get(self, process_id: str) -> StoredProcess | None:
        found = await self.load([process_id])
        return found[0] if found else None

    async def insert(self, process_id: str, package_json: str, user_id: str | None) -> bool:
        """Store a new process; ``False`` if one of that id exists."""

        def write(conn: sa.Connection) -> bool:
            exists = conn.execute(
                sa.select(processes.c.id).where(processes.c.id == process_id)
            ).first()
            if exists is not None:
                return False
            conn.execute(
                processes.insert().values(
                    id=process_id,
                    package=package_json,
                    revision=1,
                    updated=now_us(),
                    user_id=user_id,
                )
            )
            return True

        try:
            inserted: bool = await self.job_store.run_write(write)
        except sa.exc.IntegrityError:  # another replica deployed it at the same moment
            return False
        return inserted

    async def replace(self, process_id: str, package_json: str, user_id: str | None) -> bool:
        """Replace a process (its revision grows); ``False`` if there is none of that id."""

        def write(conn: sa.Connection) -> bool:
            done = conn.execute(
                processes.update()
                .where(processes.c.id == process_id)
                .values(
                    package=package_json,
                    revision=processes.c.revision + 1,
                    updated=now_us(),
                    user_id=user_id,
                )
            )
            return bool(done.rowcount)

        replaced: bool = await self.job_store.run_write(write)
        return replaced

    async def delete(self, process_id: str) -> bool:
        """Remove a process; whether it was there."""

        def write(conn: sa.Connection) -> bool:
            done = conn.execute(processes.delete().where(processes.c.id == process_id))
            return bool(done.rowcount)

        deleted: bool = await self.job_store.run_write(write)
        return deleted
