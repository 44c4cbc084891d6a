"""Migrations are history: the models and the migrated schema agree on both databases, and a
database created by an earlier release reaches the same schema."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from engine.app import all_metadata
from engine.kernel.db import Database, upgrade
from tests.conftest import BACKENDS, PG_URL, _pg_admin_execute, _with_db


def schema_drift(url: str) -> list:
    """What Alembic's autogenerate would add or change to make the schema match the models."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, all_metadata())
    finally:
        db.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An empty database (no schema at all) of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"chithi_mig_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _pg_admin_execute(f'CREATE DATABASE "{name}"')
    yield _with_db(PG_URL, name)
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrated_schema_is_exactly_what_the_models_declare(db_url):
    assert schema_drift(db_url) == []


def test_a_model_change_without_a_migration_is_caught(db_url):
    from sqlalchemy import Column, String

    from engine.kernel.models import HumanTask

    column = Column("added_without_migration", String(10))
    HumanTask.__table__.append_column(column)
    try:
        drift = schema_drift(db_url)
    finally:
        HumanTask.__table__._columns.remove(column)
    assert [d[0] for d in drift] == ["add_column"] and drift[0][3].name == "added_without_migration"


def test_a_database_from_before_process_name_reaches_the_current_schema(empty_url):
    """Revision 0001 once had no human_task.process_name; such a database gets it from 0004."""
    upgrade(empty_url, "0003")
    db = Database(empty_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE human_task DROP COLUMN process_name"))
        assert "process_name" not in {c["name"] for c in inspect(db.engine).get_columns("human_task")}
    finally:
        db.dispose()
    upgrade(empty_url)
    assert schema_drift(empty_url) == []
