"""The versioned schema of the job store, and its migrations (SQLite and PostgreSQL).

The table ``eoproc_migrations`` lists the steps applied to a store (one row per
step: ``version``, ``description``, ``applied`` in microseconds since the epoch);
the store's schema version is the highest. :data:`STEPS` are applied in order,
all pending ones in one transaction (PostgreSQL and SQLite both have
transactional DDL), under a lock that makes replicas starting together apply them
once (PostgreSQL: an advisory lock; SQLite: the store's ``BEGIN IMMEDIATE``).

A store made before versioning (a jobs table, no ``eoproc_migrations``) is at
version 1. Opening a store (:func:`prepare`) upgrades it, unless the store was
opened with ``auto_migrate=False``: then it refuses with :class:`SchemaOutdated`,
whose message names the command that upgrades it (``eoproc-server migrate
--store URL``). A store of a *newer* eoproc is always refused.

How to add a step (e.g. a ``user_id`` column):

1. Append ``Step(N + 1, "what it adds and why", _apply_fn)`` to :data:`STEPS`; never
   edit or reorder a released step. Write ``_apply_fn(conn)`` with the helpers
   :func:`add_column` / :func:`create_index` (portable DDL); a new column must be
   nullable or have a server default (SQLite cannot add a ``NOT NULL`` column
   without one), and old replicas still running must keep working with it.
2. Add the same column / index to ``eoproc.jobs.sql.jobs`` (the table the queries
   use). ``tests/jobs/test_migrations.py`` checks that a migrated store has exactly
   the columns and indexes of that table, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from .store import now_us

log = logging.getLogger(__name__)

JOBS_TABLE = "eoproc_jobs"
COUNTERS_TABLE = "eoproc_counters"
_ADVISORY_LOCK = 0x656F70726F63  # "eoproc": one schema upgrade at a time per database

migrations_table = sa.Table(
    "eoproc_migrations",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied", sa.BigInteger, nullable=False),
)


class SchemaError(Exception):
    """The store's schema cannot be used by this eoproc."""


class SchemaOutdated(SchemaError):
    """The store was made by an older eoproc and must be upgraded first."""


@dataclass(frozen=True)
class Step:
    """One migration: brings the schema from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sa.Connection], None]


def add_column(conn: sa.Connection, column: sa.Column[object], table: str = JOBS_TABLE) -> None:
    """``ALTER TABLE table ADD COLUMN`` (the column must be nullable or have a default)."""
    ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {ddl}")


def create_index(conn: sa.Connection, name: str, *columns: str, table: str = JOBS_TABLE) -> None:
    """``CREATE INDEX IF NOT EXISTS name ON table (columns)``."""
    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")


def _v1_jobs(conn: sa.Connection) -> None:
    """The jobs table as eoproc made it before schema versions (frozen: do not edit)."""
    meta = sa.MetaData()
    sa.Table(
        JOBS_TABLE,
        meta,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("process_id", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("progress", sa.Integer),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("started", sa.BigInteger),
        sa.Column("finished", sa.BigInteger),
        sa.Column("updated", sa.BigInteger, nullable=False),
        sa.Column("duration", sa.Float),
        sa.Column("owner", sa.String(64)),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text),
        sa.Column("results", sa.Text),
        sa.Column("error", sa.Text),
        sa.Index("ix_eoproc_jobs_created", "created", "id"),
        sa.Index("ix_eoproc_jobs_status_created", "status", "created", "id"),
        sa.Index("ix_eoproc_jobs_process_created", "process_id", "created", "id"),
        sa.Index("ix_eoproc_jobs_duration", "duration"),
    )
    meta.create_all(conn)


def _v2_response(conn: sa.Connection) -> None:
    add_column(conn, sa.Column("response", sa.String(16)))


def _v3_leases(conn: sa.Connection) -> None:
    add_column(conn, sa.Column("lease_until", sa.BigInteger))
    create_index(conn, "ix_eoproc_jobs_finished", "finished")


def _v4_user_id(conn: sa.Connection) -> None:
    add_column(conn, sa.Column("user_id", sa.String(255)))
    create_index(conn, "ix_eoproc_jobs_user_created", "user_id", "created", "id")


def _v5_attempts(conn: sa.Connection) -> None:
    add_column(conn, sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    add_column(conn, sa.Column("retries", sa.Integer, nullable=False, server_default="0"))


def _v6_idempotency(conn: sa.Connection) -> None:
    from .idempotency import create_keys_table

    create_keys_table(conn)


def _v7_counters(conn: sa.Connection) -> None:
    """``eoproc_counters``: durable counters; ``job`` numbers readable job ids (``job_N``)."""
    table = sa.Table(
        COUNTERS_TABLE,
        sa.MetaData(),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    table.create(conn)
    conn.execute(table.insert().values(name="job", value=0))


def _v8_events(conn: sa.Connection) -> None:
    """Job events (streams, resume) and the callbacks outbox (frozen: do not edit)."""
    add_column(conn, sa.Column("subscriber", sa.Text))
    meta = sa.MetaData()
    big_id = sa.BigInteger().with_variant(sa.Integer, "sqlite")
    sa.Table(
        "eoproc_job_events",
        meta,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(255)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("process_id", sa.String(255), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("progress", sa.Integer),
        sa.Column("job_created", sa.BigInteger, nullable=False),
        sa.Column("started", sa.BigInteger),
        sa.Column("finished", sa.BigInteger),
        sa.Column("updated", sa.BigInteger, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Index("ix_eoproc_job_events_job", "job_id", "id"),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "eoproc_callbacks",
        meta,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("event_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("base", sa.Text),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("next_attempt", sa.BigInteger, nullable=False),
        sa.Column("deadline", sa.BigInteger, nullable=False),
        sa.Column("lease_until", sa.BigInteger),
        sa.Column("owner", sa.String(64)),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("finished", sa.BigInteger),
        sa.Index("ix_eoproc_callbacks_due", "state", "next_attempt"),
        sa.Index("ix_eoproc_callbacks_job", "job_id", "uri", "id"),
        sqlite_autoincrement=True,
    )
    meta.create_all(conn)


def _v9_processes(conn: sa.Connection) -> None:
    """The table of processes deployed at run time (see ``eoproc.deploy.store``)."""
    meta = sa.MetaData()
    sa.Table(
        "eoproc_processes",
        meta,
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("package", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated", sa.BigInteger, nullable=False),
        sa.Column("user_id", sa.String(255)),
    )
    meta.create_all(conn)


STEPS: tuple[Step, ...] = (
    Step(1, "jobs table", _v1_jobs),
    Step(2, "jobs.response: the response mode of the execute request (raw results)", _v2_response),
    Step(3, "jobs.lease_until: leases of running jobs; index on finished (retention)", _v3_leases),
    Step(4, "jobs.user_id: the user owning each job (authentication)", _v4_user_id),
    Step(5, "jobs.attempts, jobs.retries: runs so far, re-runs allowed", _v5_attempts),
    Step(6, "idempotency keys of job submissions (Idempotency-Key)", _v6_idempotency),
    Step(7, "eoproc_counters: the durable counter of readable job ids (job_N)", _v7_counters),
    Step(8, "job events (event streams) and the callbacks outbox; jobs.subscriber", _v8_events),
    Step(9, "eoproc_processes: processes deployed at run time (Part 2)", _v9_processes),
)

SCHEMA_VERSION = STEPS[-1].version
"""The schema version this eoproc uses."""


def current_version(conn: sa.Connection) -> int | None:
    """The store's schema version; ``None`` for an empty database."""
    inspector = sa.inspect(conn)
    if inspector.has_table(migrations_table.name):
        version = conn.execute(sa.select(sa.func.max(migrations_table.c.version))).scalar()
        return int(version) if version is not None else None
    return 1 if inspector.has_table(JOBS_TABLE) else None


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


def migrate_store(url: str, *, results_dir: str | None = None) -> str:
    """Upgrade the store at ``url`` to :data:`SCHEMA_VERSION` (the server CLI's
    ``migrate``); a sentence saying what was done. Raises ``ValueError`` for a bad
    URL, :class:`SchemaError` for a store of a newer eoproc, and ``StoreUnavailable``
    when the database cannot be reached (or a server holds the SQLite store)."""
    import asyncio

    from .stores import create_store

    store = create_store(url, exclusive=True, results_dir=results_dir, auto_migrate=True)

    async def run() -> list[Step]:
        await store.open()
        try:
            return list(getattr(store, "migrated", []))
        finally:
            await store.close()

    steps = asyncio.run(run())
    where = redact(url)
    if not steps:
        return f"The job store {where} is at schema version {SCHEMA_VERSION}; nothing to do."
    done = "; ".join(f"{step.version}: {step.description}" for step in steps)
    start = steps[0].version - 1
    if start == 0:
        return f"Created the job store {where} at schema version {SCHEMA_VERSION} ({done})."
    return f"Upgraded the job store {where} from version {start} to {SCHEMA_VERSION} ({done})."
