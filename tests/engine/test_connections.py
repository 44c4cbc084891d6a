"""Pooled PostgreSQL connections: one that was cut while idle in the pool (a server restart, a
firewall, an administrator's pg_terminate_backend) is replaced before use, so nobody sees an error;
one in steady use is not pinged before every transaction."""
from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from engine.kernel import db as dbmod


@pytest.fixture
def pg_database(pg_worker_url):
    """PostgreSQL only: SQLite has no server whose connections could be lost."""
    database = dbmod.Database(pg_worker_url)
    yield database
    database.dispose()


def _backend_pid(database) -> int:
    with database.session() as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_a_connection_cut_while_idle_is_replaced_before_use(pg_database, pg_worker_url, monkeypatch):
    pid = _backend_pid(pg_database)  # the pool now holds that connection
    _terminate(pg_worker_url, pid)
    monkeypatch.setattr(dbmod, "IDLE_PING_SECONDS", 0.0)  # it has been idle "long enough"
    assert _backend_pid(pg_database) != pid  # a fresh connection, no error


def test_a_connection_in_steady_use_is_not_pinged_before_each_transaction(pg_database, monkeypatch):
    _backend_pid(pg_database)
    pings = []
    real = pg_database.engine.dialect.do_ping
    monkeypatch.setattr(pg_database.engine.dialect, "do_ping", lambda conn: pings.append(1) or real(conn))
    for _ in range(20):
        _backend_pid(pg_database)
    assert pings == []
    monkeypatch.setattr(dbmod, "IDLE_PING_SECONDS", 0.0)
    _backend_pid(pg_database)
    assert pings == [1]
