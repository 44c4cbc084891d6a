"""Helpers shared by the benchmarks."""
from __future__ import annotations


def fresh_pg_database(url: str, name: str) -> str:
    """Create (or re-create) database `name` on the PostgreSQL server of `url`; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
