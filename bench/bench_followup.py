"""The follow-up pages and the inbox at size: the board and the leader's dashboard of a directive
with 1,000 assigned bodies × 8 reporting periods, rendered through the web app (SQLite file and
PostgreSQL); on the same data, the board's data alone (statuses computed in SQL), the rates by body,
the overdue bodies across directives and the .xlsx export; and the inbox's folder counts with 100,000
open tasks on PostgreSQL.

Targets (issue 9): board and dashboard ≤ 300 ms on each database; inbox counts ≤ 50 ms p95. Of the
page's budget the board's data may take half (≤ 150 ms); rates and overdue lists ≤ 100 ms; the
workbook ≤ 3 s.
"""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from engine.directives import tracking
from engine.directives.reports import submit_report
from engine.directives.store import assignments_of, create_directive, mark_issued, set_stage
from engine.kernel.accounts import Actor, cheap_hasher
from engine.kernel.clock import FrozenClock
from engine.kernel.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.model.loader import load_directive_file
from engine.model.periods import report_periods

from .bench_directives import directive_for
from .common import Figure, fresh_pg_database, percentile, timed_ms

NOW = datetime(2024, 8, 1, 3, 0, tzinfo=UTC)
BODIES, PERIODS = 1_000, 8
TASKS, ROLES, TASK_BODIES = 100_000, 8, 50


def _app(url: str, clock: FrozenClock):
    from engine.app import all_metadata
    from engine.kernel.db import upgrade
    from web import create_app

    all_metadata()
    upgrade(url)
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "CLOCK": clock,
                       "PASSWORD_HASHER": cheap_hasher()})


def _directive(engine, clock: FrozenClock) -> int:
    """The seed directive with BODIES assigned bodies, issued, PERIODS periods each; two thirds of
    the first five periods reported (some late)."""
    import yaml

    data = directive_for(BODIES)
    for a in data["assignments"]:  # weekly from 1/6 to 19/7 and the final report: 8 periods
        a["cycle"] = dict(a["cycle"], until="2024-07-19", final_due="2024-07-26")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as f:
        yaml.safe_dump(data, f, allow_unicode=True)
    d = load_directive_file(Path(f.name))
    Path(f.name).unlink()
    periods = report_periods(d.assignments[0].cycle)
    assert len(periods) == PERIODS
    with engine.transaction() as s:
        did = create_directive(s, d, actor="chuyenvien", clock=clock)
        mark_issued(s, did, number=5, issued_on=date(2024, 5, 25), outgoing_entry_id=None, actor="vanthu",
                    now=clock.now())
        set_stage(s, did, "following_up", actor="vanthu", now=clock.now())
        for a in assignments_of(s, did):
            tracking.plan_periods(s, a, periods, now=clock.now())
    with engine.transaction() as s:
        for n, a in enumerate(assignments_of(s, did)):
            for p in periods[:5]:
                if (n + p.index) % 3:
                    at = p.due_at - timedelta(days=1) if (n + p.index) % 5 else p.due_at + timedelta(days=2)
                    submit_report(s, directive_id=did, body_code=a.body_code, period_index=p.index,
                                  content="Đã thực hiện.", attachments=[], actor="bench", now=at,
                                  assignment_id=a.id)
    return did


def _timed_get(client, path: str, runs: int = 7) -> dict:
    client.get(path)  # warm: templates compiled, caches filled
    times = []
    size = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.data)
    return {"median_ms": statistics.median(times), "max_ms": max(times), "bytes": size}


def pages(url: str) -> dict:
    """Board and dashboard of the 1,000 × 8 directive rendered by the web app (median of 7)."""
    from web.seed import DEMO_PASSWORD, DemoUser, ensure_demo_users

    clock = FrozenClock(datetime(2024, 5, 20, 1, 0, tzinfo=UTC))
    app = _app(url, clock)
    engine = app.extensions["chithi"]
    try:
        did = _directive(engine, clock)
        clock.set(NOW)
        ensure_demo_users(engine, [DemoUser("lanhdao", "Trần Thị Bình", ("leader",))])
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match is not None
        client.post("/login", data={"username": "lanhdao", "password": DEMO_PASSWORD, "csrf_token": match.group(1)})
        board = _timed_get(client, f"/directives/{did}/board")
        dashboard = _timed_get(client, "/dashboard")
        return {"board": board, "dashboard": dashboard, "bodies": BODIES, "periods": PERIODS,
                **_data(engine, did)}
    finally:
        engine.shutdown()


def _timed(fn, runs: int = 7) -> float:
    return statistics.median(timed_ms(fn, runs))


def _data(engine, did: int) -> dict:
    """The readers behind the pages, alone: the board's data, rates by body, overdue bodies, .xlsx."""
    from engine.directives.export import board_workbook

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

    return {"board_data_ms": _timed(board), "rates_ms": _timed(rates), "overdue_ms": _timed(overdue),
            "xlsx_ms": _timed(workbook, runs=3), "rates": board().rates.as_dict()}


def inbox_counts(url: str, runs: int = 200) -> dict:
    """Folder counts of one clerk with TASKS open tasks in the table (ROLES roles × TASK_BODIES bodies)."""
    from engine.app import build_engine

    clock = FrozenClock(NOW)
    engine = build_engine(url, clock=clock, migrate=True, password_hasher=cheap_hasher())
    try:
        with engine.db.session(write=True) as s:
            definition = ProcessDefinition(process_id="bench", name="Bench", content_hash="0" * 64, bpmn_xml="",
                                           spec_json="{}", deployed_at=NOW)
            s.add(definition)
            s.flush()
            instances = [ProcessInstance(definition_id=definition.id, process_id="bench", status="running",
                                         state_json="{}", created_at=NOW, updated_at=NOW) for _ in range(1000)]
            s.add_all(instances)
            s.flush()
            ids = [i.id for i in instances]
        rows = []
        for n in range(TASKS):
            due = NOW + timedelta(hours=(n % 400) - 100)
            rows.append({"instance_id": ids[n % len(ids)], "task_uuid": f"t{n}", "element_id": "Task", "name": "Việc",
                         "candidate_role": f"role{n % ROLES}", "body_code": f"B{(n // ROLES) % TASK_BODIES:03d}",
                         "assignee": f"user{n % 997}" if n % 10 == 0 else None, "status": "ready",
                         "due_at": due, "process_id": "bench", "created_at": NOW, "search_text": "viec"})
        with engine.db.session(write=True) as s:
            for i in range(0, len(rows), 5000):
                s.execute(HumanTask.__table__.insert(), rows[i:i + 5000])
        with engine.db.engine.connect() as conn:  # fresh statistics, as autovacuum would have them
            if engine.db.dialect == "postgresql":
                conn.exec_driver_sql("ANALYZE")
            conn.commit()
        clerk = Actor("user5", "Bench", ("role3",), "B007")
        result = {}
        for name, actor in (("clerk", clerk), ("role_without_body", Actor("user6", "Bench", ("role1", "role2"), None))):
            engine.inbox_counts(actor)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                counts = engine.inbox_counts(actor)
                times.append((time.perf_counter() - t0) * 1000)
            result[name] = {"p50_ms": percentile(times, 0.50), "p95_ms": percentile(times, 0.95), "counts": counts}
        result["open_tasks"] = TASKS
        return result
    finally:
        engine.shutdown()


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = pages(f"sqlite:///{Path(tmp) / 'f.db'}")
    postgres = pages(fresh_pg_database(pg, "chithi_bench_followup"))
    counts = inbox_counts(fresh_pg_database(pg, "chithi_bench_inbox"))
    details = {"sqlite": sqlite, "postgresql": postgres, "inbox_counts_postgresql": counts}
    figures = {
        "board_ms_sqlite": Figure(sqlite["board"]["median_ms"], 300, "ms"),
        "board_ms_pg": Figure(postgres["board"]["median_ms"], 300, "ms"),
        "dashboard_ms_sqlite": Figure(sqlite["dashboard"]["median_ms"], 300, "ms"),
        "dashboard_ms_pg": Figure(postgres["dashboard"]["median_ms"], 300, "ms"),
        "inbox_counts_p95_ms": Figure(counts["clerk"]["p95_ms"], 50, "ms"),
        "board_data_1000x8_sqlite_ms": Figure(sqlite["board_data_ms"], 150, "ms"),
        "board_data_1000x8_pg_ms": Figure(postgres["board_data_ms"], 150, "ms"),
        "rates_by_body_1000x8_pg_ms": Figure(postgres["rates_ms"], 100, "ms"),
        "overdue_bodies_1000x8_pg_ms": Figure(postgres["overdue_ms"], 100, "ms"),
        "board_xlsx_1000x8_sqlite_ms": Figure(sqlite["xlsx_ms"], 3000, "ms"),
    }
    return figures, details
