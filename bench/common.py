"""Helpers shared by the benchmarks: the figure record, the PostgreSQL server, percentiles."""
from __future__ import annotations

import os
from dataclasses import dataclass

LOCAL_PG = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Figure:
    """One measured figure and its target: `better` says which side of the target is good."""

    value: float
    target: float
    unit: str
    better: str = "lower"  # "lower" (value ≤ target) or "higher" (value ≥ target)

    @property
    def met(self) -> bool:
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def as_dict(self) -> dict:
        return {"value": round(self.value, 4), "target": self.target, "unit": self.unit, "better": self.better,
                "met": self.met}


def pg_server_url() -> str:
    """BENCH_DATABASE_URL, else the local server; RuntimeError when it does not answer."""
    import psycopg

    url = os.environ.get("BENCH_DATABASE_URL", "").strip() or LOCAL_PG
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise RuntimeError(f"the PostgreSQL server of {url} does not answer ({exc}); the benchmark needs it "
                           "(set BENCH_DATABASE_URL)") from exc
    return url


def fresh_pg_database(url: str, name: str) -> str:
    """Create (or re-create) database `name` on the PostgreSQL server of `url`; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` percentile (0.95: p95) of `values`, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, min(len(ordered), round(fraction * len(ordered))))
    return ordered[rank - 1]


def timed_ms(fn, runs: int) -> list[float]:
    """Milliseconds of `runs` calls of `fn`, after one warm-up call (imports, caches)."""
    import time

    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
