"""The tables of job events and of the callbacks outbox (their schema is made by
:mod:`.migrations`, step 8), and the states of a callback."""

from __future__ import annotations

import sqlalchemy as sa

_meta = sa.MetaData()
_BIG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

events = sa.Table(
    "eoproc_job_events",
    _meta,
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
)
"""One row per event: the job's state at that moment (copied from its row)."""

callbacks = sa.Table(
    "eoproc_callbacks",
    _meta,
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
)
"""The outbox: one row per callback delivery (``state``: pending, delivered, failed,
cancelled, superseded)."""

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
SUPERSEDED = "superseded"
IN_PROGRESS = "inProgress"
