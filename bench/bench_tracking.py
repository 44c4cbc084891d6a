"""The follow-up board's data for a directive with 1,000 assigned bodies × 8 reporting periods: the
board (statuses computed in SQL), the rates by body, the overdue bodies across directives and the
.xlsx export, on SQLite and PostgreSQL.

Targets: the board's data ≤ 150 ms (half of the page's 300 ms budget), rates ≤ 100 ms, overdue
bodies ≤ 100 ms, the workbook ≤ 3 s.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from engine.app import build_engine
from engine.directives import tracking
from engine.directives.export import board_workbook
from engine.directives.store import assignments_of, create_directive
from engine.kernel.accounts import cheap_hasher
from engine.kernel.clock import FrozenClock
from engine.model.directive import ReportingCycle
from engine.model.loader import load_directive_file
from engine.model.periods import report_periods

from .common import Figure, fresh_pg_database

SEED = Path(__file__).resolve().parents[1] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
BODIES, PERIODS = 1000, 8
CYCLE = ReportingCycle(every_days=7, start=date(2024, 6, 1), until=date(2024, 7, 19), final_due=date(2024, 7, 26))
NOW = datetime(2024, 7, 1, 3, 0, tzinfo=UTC)  # half the periods due: every status appears


def _seed(engine) -> int:
    from dataclasses import replace

    directive = load_directive_file(SEED)
    template = directive.assignments[1]
    directive = replace(directive, assignments=[
        replace(template, body_code=f"BENCH.{i:04d}", body_name=f"Đơn vị {i}", cycle=CYCLE, lead=i == 0)
        for i in range(BODIES)])
    clock = FrozenClock(datetime(2024, 5, 20, 1, 0, tzinfo=UTC))
    periods = report_periods(CYCLE)
    assert len(periods) == PERIODS
    with engine.db.session(write=True) as s:
        did = create_directive(s, directive, actor="bench", clock=clock, stage="following_up")
        for a in assignments_of(s, did):
            tracking.plan_periods(s, a, periods, now=clock.now())
        fp = tracking.FollowupPeriod
        for i, p in enumerate(periods[:4]):  # the first four: on time, late or missing by body
            on_time, late = p.due_at - timedelta(days=1), p.due_at + timedelta(days=2)
            s.execute(update(fp).where(fp.directive_id == did, fp.period_index == i, fp.position % 3 == 0)
                      .values(state="submitted", submitted_at=on_time))
            s.execute(update(fp).where(fp.directive_id == did, fp.period_index == i, fp.position % 3 == 1)
                      .values(state="submitted", submitted_at=late, late_days=2))
    return did


def _time(fn, repeat: int = 7) -> float:
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1e3


def measure(url: str) -> dict:
    engine = build_engine(url, clock=FrozenClock(NOW), migrate=True, password_hasher=cheap_hasher())
    try:
        did = _seed(engine)

        def board():
            with engine.db.session() as s:
                b = tracking.board(s, did, NOW)
                assert len(b.rows) == BODIES and len(b.columns) == PERIODS
                return b

        def rates():
            with engine.db.session() as s:
                return tracking.rates_by(s, NOW, by="body", directive_id=did)

        def overdue():
            with engine.db.session() as s:
                return tracking.overdue_bodies(s, NOW)

        def workbook():
            with engine.db.session() as s:
                return board_workbook(s, did, NOW)

        figures = board().rates.as_dict()
        return {"board_ms": _time(board), "rates_ms": _time(rates), "overdue_ms": _time(overdue),
                "xlsx_ms": _time(workbook, repeat=3), "rates": figures}
    finally:
        engine.shutdown()


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    """The board of 1,000 bodies × 8 periods on a SQLite file and on PostgreSQL."""
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(f"sqlite:///{Path(tmp) / 't.db'}")
    postgres = measure(fresh_pg_database(pg, "chithi_bench_tracking"))
    details = {"sqlite": sqlite, "postgresql": postgres, "bodies": BODIES, "periods": PERIODS}
    figures = {
        "board_data_1000x8_sqlite_ms": Figure(sqlite["board_ms"], 150, "ms"),
        "board_data_1000x8_pg_ms": Figure(postgres["board_ms"], 150, "ms"),
        "rates_by_body_1000x8_pg_ms": Figure(postgres["rates_ms"], 100, "ms"),
        "overdue_bodies_1000x8_pg_ms": Figure(postgres["overdue_ms"], 100, "ms"),
        "board_xlsx_1000x8_sqlite_ms": Figure(sqlite["xlsx_ms"], 3000, "ms"),
    }
    return figures, details
