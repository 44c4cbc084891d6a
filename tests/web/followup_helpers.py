"""A directive in follow-up for the page tests: the Lạng Sơn directive stored, issued and every
assigned body's periods planned; some reports handed in on time and late."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from engine.directives import tracking
from engine.directives.reports import submit_report
from engine.directives.store import assignments_of, create_directive, mark_issued, set_stage
from engine.model.codec import cycle_from_dict
from engine.model.loader import load_directive_file
from engine.model.periods import report_periods

from .directive_helpers import LANGSON

DUE_1 = datetime(2024, 6, 7, 10, 0, tzinfo=UTC)  # 7/6/2024 17:00 Vietnam time


def followed_directive(engine, clock) -> tuple[int, dict[str, int]]:
    """(directive id, {body code: assignment id}) of the issued Lạng Sơn directive with its periods."""
    with engine.transaction() as s:
        did = create_directive(s, load_directive_file(LANGSON), actor="chuyenvien", clock=clock)
        mark_issued(s, did, number=5, issued_on=date(2024, 5, 20), outgoing_entry_id=None, actor="vanthu",
                    now=clock.now())
        set_stage(s, did, "following_up", actor="vanthu", now=clock.now())
        for a in assignments_of(s, did):
            tracking.plan_periods(s, a, report_periods(cycle_from_dict(a.cycle)), now=clock.now())
        ids = {a.body_code: a.id for a in assignments_of(s, did)}
    return did, ids


def hand_in(engine, did: int, body: str, index: int, at: datetime) -> None:
    with engine.transaction() as s:
        submit_report(s, directive_id=did, body_code=body, period_index=index, content="Đã thực hiện.",
                      attachments=[], actor="donvi", now=at)


def some_reports(engine, did: int) -> None:
    """SGDDT on time for period 0, CA late for period 0 (the others not at all)."""
    hand_in(engine, did, "LS.SGDDT", 0, DUE_1 - timedelta(days=1))
    hand_in(engine, did, "LS.CA", 0, DUE_1 + timedelta(days=2))
