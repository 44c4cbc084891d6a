"""The directive's own fan-out: issue and distribute a directive to N assigned bodies through the
shipped models, then one body's acknowledgement and report, at 10 and at 1,000 bodies.

Targets (architecture.md): distribute to 1,000 bodies ≤ 10 s; one body's report at 1,000 bodies
≤ 1.2× the cost at 10.
"""
from __future__ import annotations

import copy
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from engine.app import build_engine
from engine.directives.demo import Desk, person
from engine.directives.life import import_directive
from engine.directives.reference import load_reference_data
from engine.directory.models import Body
from engine.kernel.accounts import cheap_hasher
from engine.kernel.clock import FrozenClock

from .common import Figure, fresh_pg_database

SEED = Path(__file__).resolve().parents[1] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
APPROVE = {"decision": "approve", "comment": "Đồng ý."}
CYCLE = {"every_days": 7, "start": "2024-06-01", "until": "2024-06-07", "final_due": "2024-06-14",
         "remind_days_before": 1, "chase_after_days": 1, "escalate_after_days": 2}


def directive_for(n: int) -> dict:
    """The Lạng Sơn directive with `n` assigned bodies (synthetic codes, same tasks)."""
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    template = data["assignments"][1]
    data["assignments"] = [dict(copy.deepcopy(template), body_code=f"BENCH.{i:04d}", body_name=f"Đơn vị {i}",
                                cycle=dict(CYCLE), deadline=None) for i in range(n)]
    return data


def with_bodies(engine, codes: list[str], names: list[str]) -> None:
    """The shipped directory and reference data, plus synthetic bodies (the directory is law: a
    directive may only assign bodies it holds)."""
    engine.deploy_directory()
    load_reference_data(engine)
    with engine.db.session(write=True) as s:
        s.add_all([Body(code=code, name=name, short_names=[], kind="department", province="Lạng Sơn",
                        successors=[], search_key=name.lower()) for code, name in zip(codes, names, strict=True)])


def issue(engine, desk: Desk, data: dict, issued_on: str, issuer: str = "LS.UBND") -> float:
    """Import a directive description and carry it through the shipped models to issuance, as the
    clerk, the unit head, the office, the leader and the records clerk would; returns the seconds
    the issuing step itself took (numbering, documents, distribution to every body)."""
    import_directive(engine, data, actor=person("clerk", issuer))
    desk.do("unit_head", issuer, "Task_choose", {"route": "state"})
    desk.do("clerk", issuer, "Task_draft", {"note": "Dự thảo."})
    desk.do("unit_head", issuer, "Task_head_review", APPROVE)
    desk.do("office_reviewer", issuer, "Task_office", APPROVE)
    desk.do("leader", issuer, "Task_sign_state", {**APPROVE, "signer": "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH|Hồ Tiến Thiệu"})
    t0 = time.perf_counter()
    desk.do("records_clerk", issuer, "Task_issue", {"issued_on": issued_on})
    return time.perf_counter() - t0


class Issued:
    """A directive issued to `n` bodies on a fresh database, ready for its bodies' steps to be timed."""

    def __init__(self, n: int, tmp: str, url: str | None = None):
        clock = FrozenClock(datetime(2024, 5, 20, 1, 0, tzinfo=UTC))
        self.n, self.next_body = n, 0
        self.engine = build_engine(url or f"sqlite:///{Path(tmp) / f'd{n}.db'}", clock=clock, migrate=True,
                                   password_hasher=cheap_hasher())
        with_bodies(self.engine, [f"BENCH.{i:04d}" for i in range(n)], [f"Đơn vị {i}" for i in range(n)])
        self.desk = Desk(self.engine, clock)
        self.issue_and_distribute_s = issue(self.engine, self.desk, directive_for(n), "2024-05-21")
        self.acks: list[float] = []
        self.reports: list[float] = []

    def one_body(self) -> None:
        """The next body acknowledges its assignment and reports (each step timed)."""
        body = f"BENCH.{self.next_body:04d}"
        self.next_body += 1
        officer = person("body_officer", body)
        t0 = time.perf_counter()
        self.desk.do("body_officer", body, "Task_acknowledge")
        self.acks.append(time.perf_counter() - t0)
        task = next(t for t in self.engine.inbox(officer) if t.element_id == "Task_report")
        t0 = time.perf_counter()
        self.engine.complete_task(task.id, officer, {"content": "Đã triển khai."})
        self.reports.append(time.perf_counter() - t0)

    def figures(self) -> dict:
        return {"bodies": self.n, "issue_and_distribute_s": self.issue_and_distribute_s,
                "acknowledge_ms_median": statistics.median(self.acks) * 1e3,
                "report_ms_median": statistics.median(self.reports) * 1e3, "samples": len(self.reports)}


def compare(url_for, sample: int = 10) -> dict:
    """One body's steps at 10 and at 1,000 assigned bodies, measured in turns (small, large, small…)
    so that the machine's drift during the run weighs on both sides alike."""
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Issued(10, tmp, url_for(10)), Issued(1000, tmp, url_for(1000))
        try:
            for _ in range(sample):
                small.one_body()
                big.one_body()
        finally:
            small.engine.shutdown()
            big.engine.shutdown()
    s, b = small.figures(), big.figures()
    return {"small": s, "large": b,
            "report_cost_ratio": b["report_ms_median"] / s["report_ms_median"], "target_report_ratio": 1.2,
            "distribute_1000_s": b["issue_and_distribute_s"], "target_distribute_s": 10}


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    """Distribution to 1,000 bodies and one body's report at 1,000 vs 10 (SQLite file; PostgreSQL detail)."""
    details = {"sqlite": compare(lambda n: None),
               "postgresql": compare(lambda n: fresh_pg_database(pg, f"chithi_bench_directives_{n}"))}
    figures = {
        "fanout_step_ratio_1000_vs_10": Figure(details["sqlite"]["report_cost_ratio"], 1.2, "×"),
        "distribute_1000_s": Figure(details["sqlite"]["distribute_1000_s"], 10, "s"),
    }
    return figures, details
