"""The versioned schema of the job store, and its migrations (SQLite and PostgreSQL).

The table ``eoproc_migrations`` lists the steps applied to a store (one row per
step: ``version``, ``description``, ``applied`` in microseconds since the epoch);
the store's schema version is the highest. :data:`STEPS` are applied in order,
all pending ones in one transaction (PostgreSQL and SQLite both have
transactional DDL), under a lock that makes replicas starting together apply them
once (PostgreSQL: an advisory lock; SQLite: the store's ``BEGIN IMMEDIATE``).

A step is made from the table declarations of :mod:`.tables`: step ``N`` creates
the tables marked ``since(N)`` and adds the columns and indexes marked ``since(N)``
(see that module for how to add one); a step may also write rows (``seed``).

A store made before versioning (a jobs table, no ``eoproc_migrations``) is at
version 1. Opening a store (:func:`prepare`) upgrades it, unless the store was
opened with ``auto_migrate=False``: then it refuses with :class:`SchemaOutdated`,
whose message names the command that upgrades it (``eoproc-server migrate
--store URL``). A store of a *newer* eoproc is always refused.
``tests/jobs/test_migrations.py`` checks that a store made step by step has exactly
the declared columns and indexes, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from .store import now_us
from .tables import SINCE, counters, jobs, metadata, migrations_table

log = logging.getLogger(__name__)

_ADVISORY_LOCK = 0x656F70726F63  # "eoproc": one schema upgrade at a time per database


class SchemaError(Exception):
    """The store's schema cannot be used by this eoproc."""


class SchemaOutdated(SchemaError):
    """The store was made by an older eoproc and must be upgraded first."""


def _made_by(item: sa.Table | sa.Column[object] | sa.Index, default: int) -> int:
    """The schema step that made ``item`` (``default``: its table's)."""
    return int(item.info.get(SINCE, default))


def _copy(column: sa.Column[object]) -> sa.Column[object]:
    """A detached copy of a column declaration (the parts DDL uses)."""
    default = column.server_default
    return sa.Column(
        column.name,
        column.type,
        primary_key=column.primary_key,
        nullable=column.nullable,
        autoincrement=column.autoincrement,
        server_default=sa.DefaultClause(default.arg)
        if isinstance(default, sa.DefaultClause)
        else None,
    )


def create_table(conn: sa.Connection, table: sa.Table, version: int) -> None:
    """``CREATE TABLE`` with the columns and indexes ``table`` had at step ``version``."""
    made = _made_by(table, 1)
    columns = [c for c in table.columns if _made_by(c, made) <= version]
    indexes = [i for i in table.indexes if _made_by(i, made) <= version]
    if len(columns) == len(table.columns) and len(indexes) == len(table.indexes):
        table.create(conn)
        return
    then = sa.Table(
        table.name,
        sa.MetaData(),
        *(_copy(column) for column in columns),
        *(sa.Index(i.name, *(c.name for c in i.columns)) for i in indexes),
        **table.dialect_kwargs,
    )
    then.create(conn)


def add_column(conn: sa.Connection, column: sa.Column[object]) -> None:
    """``ALTER TABLE ADD COLUMN`` (the column must be nullable or have a default)."""
    ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {column.table.name} ADD COLUMN {ddl}")


def apply_declarations(conn: sa.Connection, version: int) -> None:
    """The schema part of step ``version``: create its tables, add its columns and
    indexes to older tables (see :mod:`.tables`)."""
    for table in metadata.sorted_tables:
        made = _made_by(table, 1)
        if made == version:
            create_table(conn, table, version)
        elif made < version:
            for column in table.columns:
                if _made_by(column, made) == version:
                    add_column(conn, column)
            for index in table.indexes:
                if _made_by(index, made) == version:
                    index.create(conn, checkfirst=True)


@dataclass(frozen=True)
class Step:
    """One migration: brings the schema from ``version - 1`` to ``version``."""

    version: int
    description: str
    seed: Callable[[sa.Connection], None] | None = None
    """Rows the step writes after its schema changes."""

    def apply(self, conn: sa.Connection) -> None:
        """Apply the step in the caller's transaction."""
        apply_declarations(conn, self.version)
        if self.seed is not None:
            self.seed(conn)


def _seed_counters(conn: sa.Connection) -> None:
    conn.execute(counters.insert().values(name="job", value=0))


STEPS: tuple[Step, ...] = (
    Step(1, "jobs table"),
    Step(2, "jobs.response: the response mode of the execute request (raw results)"),
    Step(3, "jobs.lease_until: leases of running jobs; index on finished (retention)"),
    Step(4, "jobs.user_id: the user owning each job (authentication)"),
    Step(5, "jobs.attempts, jobs.retries: runs so far, re-runs allowed"),
    Step(6, "idempotency keys of job submissions (Idempotency-Key)"),
    Step(7, "eoproc_counters: the durable counter of readable job ids (job_N)", _seed_counters),
    Step(8, "job events (event streams) and the callbacks outbox; jobs.subscriber"),
    Step(9, "eoproc_processes: processes deployed at run time (Part 2)"),
)

SCHEMA_VERSION = STEPS[-1].version
"""The schema version this eoproc uses."""


def current_version(conn: sa.Connection) -> int | None:
    """The store's schema version; ``None`` for an empty database."""
    inspector = sa.inspect(conn)
    if inspector.has_table(migrations_table.name):
        version = conn.execute(sa.select(sa.func.max(migrations_table.c.version))).scalar()
        return int(version) if version is not None else None
    return 1 if inspector.has_table(jobs.name) else None


def upgrade(conn: sa.Connection, target: int = SCHEMA_VERSION) -> list[Step]:
    """Apply the pending steps up to ``target`` in the caller's transaction; the steps applied."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK)))
    version = current_version(conn)
    _refuse_newer(version)
    migrations_table.create(conn, checkfirst=True)
    if version == 1 and conn.execute(sa.select(migrations_table.c.version)).first() is None:
        conn.execute(
            migrations_table.insert().values(
                version=1, description="jobs table (made before versioning)", applied=now_us()
            )
        )
    pending = [step for step in STEPS if (version or 0) < step.version <= target]
    for step in pending:
        log.info("job store schema: applying step %d (%s)", step.version, step.description)
        step.apply(conn)
        conn.execute(
            migrations_table.insert().values(
                version=step.version, description=step.description, applied=now_us()
            )
        )
    return pending


def prepare(conn: sa.Connection, *, url: str, auto_migrate: bool = True) -> list[Step]:
    """Make the store's schema current when a store opens (see the module docstring).

    A new database gets every step; an older one is upgraded, or refused with
    :class:`SchemaOutdated` unless ``auto_migrate``. Returns the steps applied.
    """
    version = current_version(conn)
    _refuse_newer(version)
    if version is not None and version < SCHEMA_VERSION and not auto_migrate:
        raise SchemaOutdated(
            f"The job store {redact(url)} has schema version {version}; this eoproc needs "
            f"version {SCHEMA_VERSION}. Upgrade it with: eoproc-server migrate --store "
            f"{redact(url)}"
        )
    if version == SCHEMA_VERSION:
        return []
    return upgrade(conn)


def _refuse_newer(version: int | None) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"The job store has schema version {version}, made by a newer eoproc; this "
            f"eoproc knows versions up to {SCHEMA_VERSION}. Upgrade eoproc to use it."
        )


def redact(url: str) -> str:
    """``url`` without its password (for messages and logs)."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url
