"""Shared fixtures: every database test runs on SQLite and, when TEST_DATABASE_URL is set, on
PostgreSQL. Each test gets a freshly migrated, empty schema."""
from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import pytest

from engine.app import all_metadata
from engine.kernel.clock import FrozenClock
from engine.kernel.db import Database, upgrade
from engine.kernel.serialization import InstanceSerializer

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def pytest_configure(config):
    # every instance saved by the suite is also dumped by SpiffWorkflow itself and compared
    InstanceSerializer.verify_dumps = True
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError(
            "CI must run the database tests on PostgreSQL too: set TEST_DATABASE_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/test)"
        )


def _worker(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _pg_admin_execute(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def pg_worker_url(request):
    """A PostgreSQL database of this xdist worker's own, migrated once."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    name = f"chithi_test_{_worker(request)}_{os.getpid()}"
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin_execute(f'CREATE DATABASE "{name}"')
    url = _with_db(PG_URL, name)
    upgrade(url)
    yield url
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file copied for each test (cheaper than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate_pg(url: str) -> None:
    from sqlalchemy import inspect

    db = Database(url)
    try:
        existing = set(inspect(db.engine).get_table_names())
        tables = [t.name for t in all_metadata().sorted_tables if t.name in existing]
        if not tables:
            return
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
    finally:
        db.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """URL of an empty, migrated database; parametrized over every configured backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "chithi.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_worker_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def clock():
    return FrozenClock(datetime(2024, 5, 20, 8, 0, tzinfo=UTC))
