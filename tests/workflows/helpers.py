"""Small directive descriptions for the path tests (few bodies, short cycles) and shared moves."""
from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml

from engine.directives import store
from engine.directives.demo import person
from engine.documents import GeneratedDocument

DIRECTIVES = Path(__file__).resolve().parents[2] / "workflows" / "directives"
ISSUER_LS, ISSUER_CT = "LS.UBND", "CT.TU"
CLERK_LS, CLERK_CT = person("clerk", ISSUER_LS), person("clerk", ISSUER_CT)
APPROVE = {"decision": "approve", "comment": "Đồng ý."}
SHORT_CYCLE = {"every_days": 7, "start": "2024-06-01", "until": "2024-06-07", "final_due": "2024-06-14",
               "remind_days_before": 1, "chase_after_days": 1, "escalate_after_days": 2}


@cache
def _seed(name: str) -> dict:
    return yaml.safe_load((DIRECTIVES / name).read_text(encoding="utf-8"))


def state_directive(bodies=("LS.CA", "LS.SYT"), cycle: dict | None = SHORT_CYCLE) -> dict:
    """The Lạng Sơn State directive with only `bodies` assigned, on a short two-report cycle."""
    data = copy.deepcopy(_seed("langson-2024-ct-ubnd.yaml"))
    data["assignments"] = [dict(a, cycle=dict(cycle) if cycle else None, deadline=None)
                           for a in data["assignments"] if a["body_code"] in bodies]
    return data


def party_directive() -> dict:
    """The Cần Thơ Party directive with two assigned bodies, one without a reporting cycle."""
    data = copy.deepcopy(_seed("cantho-2022-ct-tu.yaml"))
    keep = {"CT.BTGTU": SHORT_CYCLE | {"start": "2022-06-01", "until": "2022-06-07", "final_due": "2022-06-14"},
            "CT.BAOCT": None}
    data["assignments"] = [dict(a, cycle=keep[a["body_code"]], deadline=None)
                           for a in data["assignments"] if a["body_code"] in keep]
    return data


def demo_rows(db_url: str, out_dir):
    """`chithi demo` on the test database: both lives, documents into `out_dir`; the stage table."""
    from engine.app import build_engine
    from engine.directives.demo import DEMO_START, run_demo
    from engine.kernel.accounts import cheap_hasher
    from engine.kernel.clock import FrozenClock

    clock = FrozenClock(DEMO_START)
    engine = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    try:
        return run_demo(engine, clock, out_dir)
    finally:
        engine.shutdown()


def documents(engine, directive_id: int) -> list[GeneratedDocument]:
    """Stored documents of a directive, oldest first."""
    with engine.db.session() as s:
        rows = s.query(GeneratedDocument).filter_by(directive_id=directive_id).order_by(GeneratedDocument.id).all()
        s.expunge_all()
        return rows


def kinds(engine, directive_id: int) -> list[str]:
    return [d.kind for d in documents(engine, directive_id)]


def comments(engine, directive_id: int) -> list[tuple[str, str]]:
    with engine.db.session() as s:
        return [(c.stage, c.text) for c in store.list_comments(s, directive_id)]


def stage(engine, directive_id: int) -> str:
    with engine.db.session() as s:
        return store.get_directive_row(s, directive_id).stage


def ready(engine, instance_id: int) -> list[str]:
    return [t.element_id for t in engine.get_instance(instance_id).ready_tasks]


def draft(desk, issuer: str, **extra) -> None:
    desk.do("clerk", issuer, "Task_draft", {"note": "Dự thảo.", **extra})


def signer(authority: str | None, title: str, name: str) -> dict:
    """The sign-off form's choice of a signer of the issuer (issuers.yaml)."""
    from engine.directives.issuers import signer_key
    from engine.model.directive import Signature

    return {"signer": signer_key(Signature(authority, title, name))}


def review_to_signing(desk, issuer: str) -> None:
    """Unit head and office approve the draft."""
    desk.do("unit_head", issuer, "Task_head_review", APPROVE)
    desk.do("office_reviewer", issuer, "Task_office", APPROVE)


def issue(desk, issuer: str, sign_task: str, signer: dict, issued_on: str) -> None:
    desk.do("leader", issuer, sign_task, {**APPROVE, **signer})
    desk.do("records_clerk", issuer, "Task_issue", {"issued_on": issued_on})
