"""The tables of the job store, each declared once (a leaf module: SQLAlchemy only).

The queries use these tables, and the schema migrations (:mod:`.migrations`) are
steps on them: ``info=since(N)`` on a table, column or index says that schema step
``N`` made it (a column or index without it is as old as its table). Step ``N``
creates the tables of step ``N`` (with the columns and indexes they had then) and
adds the columns and indexes of step ``N`` to older tables.

Never change a released declaration: a new column gets ``info=since(N + 1)``
(nullable, or with a server default: SQLite cannot add a ``NOT NULL`` column
without one), and :data:`.migrations.STEPS` gets step ``N + 1``.
"""

from __future__ import annotations

import sqlalchemy as sa

SINCE = "since"
"""The ``info`` key naming the schema step that made a table, column or index."""


def since(version: int) -> dict[str, int]:
    """``info`` of a table, column or index made by schema step ``version``."""
    return {SINCE: version}


metadata = sa.MetaData()
_BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

jobs = sa.Table(
    "eoproc_jobs",
    metadata,
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
    sa.Column("response", sa.String(16), info=since(2)),
    sa.Column("lease_until", sa.BigInteger, info=since(3)),
    sa.Column("user_id", sa.String(255), info=since(4)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0", info=since(5)),
    sa.Column("retries", sa.Integer, nullable=False, server_default="0", info=since(5)),
    sa.Column("subscriber", sa.Text, info=since(8)),
    sa.Index("ix_eoproc_jobs_created", "created", "id"),
    sa.Index("ix_eoproc_jobs_status_created", "status", "created", "id"),
    sa.Index("ix_eoproc_jobs_process_created", "process_id", "created", "id"),
    sa.Index("ix_eoproc_jobs_duration", "duration"),
    sa.Index("ix_eoproc_jobs_finished", "finished", info=since(3)),
    sa.Index("ix_eoproc_jobs_user_created", "user_id", "created", "id", info=since(4)),
    info=since(1),
)
"""One row per job; JSON members (``inputs`` ...) are encoded text."""

idempotency_keys = sa.Table(
    "eoproc_idempotency",
    metadata,
    sa.Column("scope", sa.String(255), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("job_id", sa.String(36), nullable=False),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Index("ix_eoproc_idempotency_created", "created"),
    info=since(6),
)
"""One row per (user, ``Idempotency-Key``) of a keyed submission."""

counters = sa.Table(
    "eoproc_counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    info=since(7),
)
"""Durable counters: ``job`` numbers readable job ids (``job_N``)."""

events = sa.Table(
    "eoproc_job_events",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
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
    info=since(8),
)
"""One row per event: the job's state at that moment (copied from its row)."""

callbacks = sa.Table(
    "eoproc_callbacks",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
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
    info=since(8),
)
"""The outbox: one row per callback delivery (``state``: one of the states below)."""

processes = sa.Table(
    "eoproc_processes",
    metadata,
    sa.Column("id", sa.String(255), primary_key=True),
    sa.Column("package", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated", sa.BigInteger, nullable=False),
    sa.Column("user_id", sa.String(255)),
    info=since(9),
)
"""Processes deployed at run time (queried by ``eoproc.deploy.store``)."""

migrations_table = sa.Table(
    "eoproc_migrations",
    sa.MetaData(),  # made by the upgrade itself, before any step
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied", sa.BigInteger, nullable=False),
)
"""The schema steps applied to a store (its version is the highest)."""

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
SUPERSEDED = "superseded"
"""States of a callback (``callbacks.state``)."""
IN_PROGRESS = "inProgress"
"""The kind of a callback sent to ``inProgressUri``."""
