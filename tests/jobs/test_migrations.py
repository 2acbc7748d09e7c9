"""Schema versions and migrations, on SQLite and PostgreSQL: a new store gets the
current schema; an older one is upgraded on open (keeping its jobs) or refused with
the command that upgrades it; a newer one is refused; ``eoproc-server migrate``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from eoproc.jobs import migrations
from eoproc.jobs.store import StoreUnavailable
from eoproc.jobs.stores import create_store
from eoproc.jobs.tables import jobs
from eoproc.models import JobStatus
from eoproc.server.cli import cli

from ..postgres_db import fresh_schema, postgres_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
    else:
        with fresh_schema(postgres_url(), "mig") as url:
            yield url


def engine(url: str) -> sa.Engine:
    if url.startswith("postgresql"):
        from eoproc.jobs.postgres import sqlalchemy_url

        return sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


V1_SCHEMA = (
    "CREATE TABLE eoproc_jobs (id VARCHAR(36) NOT NULL, process_id VARCHAR(255) NOT NULL, "
    "status VARCHAR(16) NOT NULL, message TEXT, progress INTEGER, created BIGINT NOT NULL, "
    "started BIGINT, finished BIGINT, updated BIGINT NOT NULL, duration FLOAT, "
    "owner VARCHAR(64), inputs TEXT NOT NULL, outputs TEXT, results TEXT, error TEXT, "
    "PRIMARY KEY (id))",
    "CREATE INDEX ix_eoproc_jobs_created ON eoproc_jobs (created, id)",
    "CREATE INDEX ix_eoproc_jobs_status_created ON eoproc_jobs (status, created, id)",
    "CREATE INDEX ix_eoproc_jobs_process_created ON eoproc_jobs (process_id, created, id)",
    "CREATE INDEX ix_eoproc_jobs_duration ON eoproc_jobs (duration)",
)
"""The jobs table as eoproc made it before schema versions (frozen: the stores out there)."""


def shape(url: str, table: str = "eoproc_jobs") -> tuple[dict[str, tuple[str, bool]], set[str]]:
    """The columns (type, nullable) and index names of a table of the store at ``url``."""
    with engine(url).connect() as conn:
        inspector = sa.inspect(conn)
        columns = {
            column["name"]: (str(column["type"]), column["nullable"])
            for column in inspector.get_columns(table)
        }
        indexes = {str(index["name"]) for index in inspector.get_indexes(table)}
    return columns, indexes


def make_v1_store(url: str) -> None:
    """A store as eoproc made it before schema versions, with one finished job."""
    with engine(url).begin() as conn:
        for statement in V1_SCHEMA:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(
            "INSERT INTO eoproc_jobs (id, process_id, status, created, updated, inputs) "
            "VALUES ('old', 'echo', 'successful', 1, 1, '{}')"
        )


def version(url: str) -> int | None:
    with engine(url).connect() as conn:
        return migrations.current_version(conn)


async def open_close(url: str, **options: object) -> list[migrations.Step]:
    store = create_store(url, results_dir=None, **options)  # type: ignore[arg-type]
    await store.open()
    try:
        return list(store.migrated)
    finally:
        await store.close()


async def test_a_new_store_has_the_schema_the_queries_use(store_url: str) -> None:
    steps = await open_close(store_url)
    assert [step.version for step in steps] == [step.version for step in migrations.STEPS]
    assert version(store_url) == migrations.SCHEMA_VERSION
    with engine(store_url).connect() as conn:
        inspector = sa.inspect(conn)
        columns = {column["name"] for column in inspector.get_columns("eoproc_jobs")}
        indexes = {index["name"] for index in inspector.get_indexes("eoproc_jobs")}
    assert columns == {column.name for column in jobs.columns}
    assert indexes == {index.name for index in jobs.indexes}
    assert await open_close(store_url) == []  # opening again changes nothing


def test_step_1_makes_the_table_of_the_stores_before_versions(store_url: str) -> None:
    with engine(store_url).begin() as conn:
        migrations.STEPS[0].apply(conn)
    made = shape(store_url)
    with engine(store_url).begin() as conn:
        conn.exec_driver_sql("DROP TABLE eoproc_jobs")
    make_v1_store(store_url)
    assert made == shape(store_url)


async def test_an_older_store_is_upgraded_on_open_and_keeps_its_jobs(store_url: str) -> None:
    make_v1_store(store_url)
    assert version(store_url) == 1
    steps = await open_close(store_url)
    assert [step.version for step in steps] == list(range(2, migrations.SCHEMA_VERSION + 1))
    assert version(store_url) == migrations.SCHEMA_VERSION
    columns, indexes = shape(store_url)
    assert set(columns) == {column.name for column in jobs.columns}
    assert indexes == {index.name for index in jobs.indexes}
    store = create_store(store_url)
    await store.open()
    try:
        record = await store.get("old", full=True)
    finally:
        await store.close()
    assert record is not None and record.status == JobStatus.successful
    assert record.response is None


async def test_an_older_store_is_refused_without_auto_migrate(store_url: str) -> None:
    make_v1_store(store_url)
    with pytest.raises(migrations.SchemaOutdated) as caught:
        await open_close(store_url, auto_migrate=False)
    message = str(caught.value)
    assert "schema version 1" in message
    assert "eoproc-server migrate --store" in message
    assert version(store_url) == 1

    result = await asyncio.to_thread(CliRunner().invoke, cli, ["migrate", "--store", store_url])
    assert result.exit_code == 0, result.output
    assert f"from version 1 to {migrations.SCHEMA_VERSION}" in result.output
    assert await open_close(store_url, auto_migrate=False) == []


async def test_a_store_of_a_newer_eoproc_is_refused(store_url: str) -> None:
    await open_close(store_url)
    with engine(store_url).begin() as conn:
        conn.execute(
            migrations.migrations_table.insert().values(
                version=migrations.SCHEMA_VERSION + 1, description="future", applied=0
            )
        )
    with pytest.raises(migrations.SchemaError, match="newer eoproc"):
        await open_close(store_url)
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["migrate", "--store", store_url])
    assert result.exit_code == 1
    assert "newer eoproc" in result.output


@pytest.mark.postgres
async def test_replicas_starting_together_migrate_once() -> None:
    with fresh_schema(postgres_url(), "mig") as url:
        results = await asyncio.gather(*(open_close(url) for _ in range(4)))
        applied = sorted(step.version for steps in results for step in steps)
        assert applied == [step.version for step in migrations.STEPS]


def test_migrate_names_an_unreachable_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["migrate", "--store", "postgresql://eoproc:secret@127.0.0.1:1/none"]
    )
    assert result.exit_code == 1
    assert "Error:" in result.output and "secret" not in result.output


def test_store_unavailable_is_what_an_unreachable_database_raises() -> None:
    with pytest.raises(StoreUnavailable):
        asyncio.run(open_close("postgresql://eoproc@127.0.0.1:1/none"))
