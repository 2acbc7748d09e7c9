"""PostgreSQL for tests: the server named by ``EOPROC_TEST_POSTGRES_URL``, one schema per test.

Without that variable PostgreSQL tests skip, saying why, unless
``EOPROC_REQUIRE_POSTGRES=1`` (CI), which makes a missing database a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa

URL_VARIABLE = "EOPROC_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test database's URL; skips (or fails, when PostgreSQL is required) without one."""
    url = os.environ.get(URL_VARIABLE)
    required = os.environ.get("EOPROC_REQUIRE_POSTGRES") == "1"
    if not url:
        message = f"{URL_VARIABLE} is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"
        if required:
            pytest.fail(f"PostgreSQL is required (EOPROC_REQUIRE_POSTGRES=1) but {message}")
        pytest.skip(f"PostgreSQL tests need a database: {message}")
    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        if required:
            pytest.fail(f"PostgreSQL at {URL_VARIABLE} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {URL_VARIABLE} is not reachable: {exc}")
    return url


def with_schema(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (``search_path``)."""
    parsed = sa.engine.make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@contextmanager
def fresh_schema(url: str, prefix: str = "t") -> Iterator[str]:
    """A URL on a new, empty schema of the test database, dropped afterwards."""
    schema = f"eoproc_{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_schema(url, schema)
    finally:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        except psycopg.OperationalError:
            pass  # the database is down (a restart test failed); the schema stays behind


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema (see :func:`fresh_schema`)."""
    with fresh_schema(postgres_url()) as url:
        yield url
