"""Database plumbing: declarative base, aware datetimes on every backend, engines, sessions,
migrations. SQLite (WAL) is the embedded default; PostgreSQL is the production store."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from . import faults
from .clock import UTC

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored as UTC; SQLite hands naive values back, this restores UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every engine table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime()}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an SQLAlchemy engine; SQLite gets WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(eng, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not pysqlite, open transactions, so BEGIN IMMEDIATE can be issued.
        @event.listens_for(eng, "connect")
        def _no_pysqlite_tx(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(eng, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("immediate") else "BEGIN")

        return eng
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    eng = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(eng)
    return eng


IDLE_PING_SECONDS = 10.0


def _ping_when_idle(eng: Engine) -> None:
    """Check a pooled connection before use only when it has been idle a while (a server restarted or
    a connection cut meanwhile is replaced, as with SQLAlchemy's pre-ping), not before every
    transaction: a ping is one more round trip, about half a millisecond, several per page."""

    @event.listens_for(eng, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(eng, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get("checked_in_at")
        if last is not None and time.monotonic() - last < IDLE_PING_SECONDS:
            return
        try:
            alive = eng.dialect.do_ping(dbapi_conn)
        except eng.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the database connection was lost: {exc}") from exc
        if not alive:
            raise DisconnectionError("the database connection was lost")


class Database:
    """One engine and its session factory; the composition root creates it once per process."""

    def __init__(self, url: str, **engine_kwargs: Any):
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        `write=True` takes SQLite's write lock at BEGIN (BEGIN IMMEDIATE), so read-then-write
        transactions queue up instead of failing with "database is locked"; on PostgreSQL it
        changes nothing (row locks and version checks do the work there).
        """
        with self.engine.connect() as conn:
            immediate = write and self.dialect == "sqlite"
            if immediate:
                conn.info["immediate"] = True
            try:
                with Session(bind=conn, expire_on_commit=False) as s:
                    try:
                        yield s
                        if write:
                            faults.reach("before_commit")
                        s.commit()
                    except BaseException:
                        s.rollback()
                        raise
            finally:
                if immediate:
                    conn.info.pop("immediate", None)

    def dispose(self) -> None:
        self.engine.dispose()


MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"  # engine/migrations: every feature's tables


def alembic_config(url: str) -> Config:
    """Alembic configuration for this package's migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
