"""Follow-up you can trust: close-out ends every open follow-up (no task, timer or letter after it)
and reports the live figures of the board; a directive issued after its cycle's dates is re-planned
(no letter counts lateness from before issuance); a cycle of any length runs to its end."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.directives import store, tracking
from engine.directives.life import import_directive
from engine.directives.store import BodyReport
from engine.kernel.calendar import end_of_day, local_date
from engine.kernel.models import HumanTask, ProcessInstance
from tests.workflows.helpers import (
    APPROVE,
    CLERK_LS,
    ISSUER_LS,
    comments,
    documents,
    draft,
    issue,
    kinds,
    ready,
    review_to_signing,
    signer,
    stage,
    state_directive,
)
from tests.workflows.test_drafting_paths import docx_text
from tests.workflows.test_followup_paths import DEADLINE, DUE_1, DUE_FINAL, issued, report


def _descendants(engine, iid: int) -> list[ProcessInstance]:
    with engine.db.session() as s:
        out, parents = [], [iid]
        while parents:
            rows = list(s.scalars(select(ProcessInstance).where(ProcessInstance.parent_id.in_(parents))))
            out += rows
            parents = [r.id for r in rows]
        s.expunge_all()
        return out


def test_close_out_ends_every_open_followup_and_reports_the_live_board(engine, desk):
    did, iid = issued(engine, desk, ("LS.CA", "LS.SYT"))
    for body in ("LS.CA", "LS.SYT"):
        desk.do("body_officer", body, "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    desk.move_to(DUE_FINAL + timedelta(days=2))  # chased, not yet escalated: the final report comes in late
    report(desk, "LS.CA", "Task_report", "Báo cáo cuối kỳ (chậm).")
    desk.move_to(DEADLINE + timedelta(minutes=1))  # the parent aggregates; LS.SYT never reported
    assert ready(engine, iid) == ["Task_closeout_draft"]
    consolidated = [d for d in documents(engine, did) if d.kind == "consolidated_report"][-1]
    table = docx_text(engine, consolidated.id)
    assert "Công an tỉnh\nChậm hạn" in table and "Sở Y tế\nChưa báo cáo" in table
    running = [i for i in _descendants(engine, iid) if i.status == "running"]
    assert {i.process_id for i in running} == {"directive_followup", "directive_period"}
    with engine.db.session() as s:
        first = tracking.fact_of(s, store.find_assignment(s, did, "LS.SYT").id, 0).instance_id
    desk.do("leader", ISSUER_LS, "Task_escalation", {"instruction": "Báo cáo ngay."}, instance_id=first)
    desk.do("body_officer", "LS.SYT", "Task_report_after", {"content": "Báo cáo kỳ 1 (chậm)."})  # after the
    desk.do("clerk", ISSUER_LS, "Task_closeout_draft", {"summary": "Tổng kết."})  # aggregation: it counts
    with engine.db.session() as s:
        board = tracking.board(s, did, engine.clock.now())
    closeout = [d for d in documents(engine, did) if d.kind == "closeout_report"][-1]
    text = docx_text(engine, closeout.id)
    assert tracking.rates_sentence(board.rates) in text  # the close-out's figures are the board's
    assert (board.rates.on_time, board.rates.late, board.rates.overdue) == (1, 2, 1)
    assert "Công an tỉnh\nChậm hạn" in text and "Sở Y tế\nCó kỳ quá hạn" in text

    desk.do("leader", ISSUER_LS, "Task_closeout_approve", APPROVE)
    assert stage(engine, did) == "closed"
    closed = engine.instance_data(iid)["closed"]
    assert closed["followups_still_open"] == 0 and closed["followups_ended"] == len(running)
    assert closed["periods_cancelled"] == 1  # LS.SYT's final report, overdue: it stays overdue
    after = _descendants(engine, iid)
    assert {i.status for i in after if i.id in {r.id for r in running}} == {"terminated"}
    assert all(i.next_timer_at is None for i in after)
    with engine.db.session() as s:
        open_tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id.in_([i.id for i in after]),
                                                       HumanTask.status == "open")).all()
        assert open_tasks == []
        facts = s.scalars(select(tracking.FollowupPeriod).where(tracking.FollowupPeriod.directive_id == did)).all()
        assert {f.state for f in facts} == {"submitted", "cancelled"}
        assert all("Chỉ thị đã kết thúc" in (f.cancel_reason or "") for f in facts if f.state == "cancelled")
        statuses = tracking.board(s, did, engine.clock.now() + timedelta(days=400)).rows
        syt = next(r for r in statuses if r.body_code == "LS.SYT")
        assert [c.status for c in syt.cells] == ["late", "overdue"]  # the overdue one frozen at the close
        assert tracking.overdue_bodies(s, engine.clock.now()) == []
    assert any(text.startswith("Chỉ thị đã kết thúc") for _stage, text in comments(engine, did))
    assert desk.tasks("body_officer", "LS.SYT") == [] and desk.tasks("leader", ISSUER_LS) == []
    before = len(documents(engine, did))
    assert desk.move_to(engine.clock.now() + timedelta(days=90)) == 0  # nothing keeps running
    assert len(documents(engine, did)) == before
    desk.do("records_clerk", ISSUER_LS, "Task_archive", {"file_code": "HS-09"})
    assert engine.get_instance(iid).status == "completed"


def test_issuing_a_directive_whose_periods_are_past_replans_the_cycle_from_the_issue_date(engine, desk, clock):
    did, iid = import_directive(engine, state_directive(("LS.SYT",)), actor=CLERK_LS)
    clock.advance(days=195)  # December 2024: the June cycle is long past (the directory still the same)
    today = local_date(clock.now())
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"),
          today.isoformat())
    assert engine.instance_data(iid)["fanout"]["replanned"] == ["Sở Y tế"]
    assert any("lập lại lịch báo cáo từ ngày" in text for _stage, text in comments(engine, did))
    with engine.db.session() as s:
        cycle = store.find_assignment(s, did, "LS.SYT").cycle
        facts = s.scalars(select(tracking.FollowupPeriod).where(tracking.FollowupPeriod.directive_id == did)
                          .order_by(tracking.FollowupPeriod.period_index)).all()
    assert cycle["start"] == today.isoformat() and cycle["until"] == (today + timedelta(days=6)).isoformat()
    assert [f.due_at for f in facts] == [end_of_day(today + timedelta(days=6)), end_of_day(today + timedelta(days=13))]
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.wait(hours=1)
    assert kinds(engine, did).count("chasing_letter") == 0 and desk.tasks("clerk", ISSUER_LS, "Task_review_chasing") == []
    assert kinds(engine, did).count("reminder_letter") == 0
    desk.move_to(facts[0].due_at + timedelta(days=1, minutes=1))  # the re-planned due passes: one day late
    [review] = desk.tasks("clerk", ISSUER_LS, "Task_review_chasing")
    desk.do("clerk", ISSUER_LS, "Task_review_chasing", {"letter_text": "", "signer": ""})
    letter = [d for d in documents(engine, did) if d.kind == "chasing_letter"][0]
    assert "chậm 1 ngày" in docx_text(engine, letter.id)


def _walk_daily_cycle(engine, desk, clock, days: int) -> None:
    cycle = {"every_days": 1, "start": "2024-06-01",
             "until": (date(2024, 6, 1) + timedelta(days=days - 1)).isoformat(),
             "remind_days_before": 0, "chase_after_days": 1, "escalate_after_days": 2}
    did, iid = import_directive(engine, state_directive(("LS.SYT",), cycle=cycle), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"), "2024-05-21")
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    [followup] = engine.list_instances(parent_id=iid)
    for n in range(days):
        due = end_of_day(date(2024, 6, 1) + timedelta(days=n))
        desk.move_to(due - timedelta(hours=2))
        desk.do("body_officer", "LS.SYT", "Task_report", {"content": f"Báo cáo ngày {n + 1}."})
    assert engine.get_instance(followup.id).status == "completed"
    assert ready(engine, iid) == ["Task_closeout_draft"]  # the parent heard that the body is done
    with engine.db.session() as s:
        assert s.query(BodyReport).filter_by(directive_id=did).count() == days
        rates = tracking.directive_rates(s, did, clock.now())
    assert (rates.on_time, rates.total, rates.on_time_rate) == (days, days, 1.0)
    assert kinds(engine, did).count("chasing_letter") == 0


def test_a_daily_cycle_of_200_reports_runs_to_its_end(engine, desk, clock):
    _walk_daily_cycle(engine, desk, clock, 200)


@pytest.mark.soak
def test_a_daily_cycle_of_500_reports_runs_to_its_end(engine, desk, clock):
    _walk_daily_cycle(engine, desk, clock, 500)


def test_due_dates_of_the_facts_are_17h_vietnam(engine, desk):
    did, _iid = issued(engine, desk, ("LS.CA",))
    desk.do("body_officer", "LS.CA", "Task_acknowledge")
    with engine.db.session() as s:
        facts = s.scalars(select(tracking.FollowupPeriod).where(tracking.FollowupPeriod.directive_id == did)).all()
    assert [f.due_at for f in facts] == [DUE_1, datetime(2024, 6, 14, 10, 0, tzinfo=UTC)]


def test_a_timer_due_exactly_now_fires_once_its_moment_has_passed_and_the_sweep_does_not_spin(engine, desk):
    """SpiffWorkflow fires a timer once its moment has passed; the sweep claims only those (a timer
    due exactly now used to be claimed 10,000 times without firing)."""
    import time

    did, _iid = issued(engine, desk, ("LS.SYT",))
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    remind_at = DUE_1 - timedelta(days=1)
    started = time.perf_counter()
    assert desk.move_to(remind_at) == 0
    assert time.perf_counter() - started < 5
    assert kinds(engine, did).count("reminder_letter") == 0
    assert desk.wait(seconds=1) == 1
    assert kinds(engine, did).count("reminder_letter") == 1


def test_the_board_entry_points_follow_the_reading_rule(engine, desk):
    from engine.directives import boards
    from engine.directives.demo import person
    from engine.kernel.errors import NotFound

    did, _iid = issued(engine, desk, ("LS.CA", "LS.SYT"))
    for body in ("LS.CA", "LS.SYT"):
        desk.do("body_officer", body, "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    desk.move_to(DUE_1 + timedelta(hours=1))
    office, ca, other = person("leader", ISSUER_LS), person("body_officer", "LS.CA"), person("body_officer", "LS.SGDDT")
    full = boards.board_for(engine, did, office)
    assert [r.body_code for r in full.rows] == ["LS.CA", "LS.SYT"]
    assert [r.body_code for r in boards.board_for(engine, did, ca).rows] == ["LS.CA"]  # its own row only
    with pytest.raises(NotFound):
        boards.board_for(engine, did, ca, body_code="LS.SYT")
    with pytest.raises(NotFound):
        boards.board_for(engine, did, other)
    with pytest.raises(NotFound):
        boards.board_xlsx_for(engine, did, office, status="bogus")
    assert boards.board_xlsx_for(engine, did, ca).content[:2] == b"PK"
    assert [(o.body_code, o.days_late) for o in boards.overdue_for(engine, office)] == [("LS.SYT", 1)]
    assert boards.overdue_for(engine, person("leader", "CT.TU")) == []  # another office's directives
    assert [(p.period_index, p.status) for p in boards.my_periods(engine, ca)] == [(0, "on_time"), (1, "in_time")]
    [syt] = [r for r in boards.rates_for(engine, office) if r.key == "LS.SYT"]
    assert (syt.rates.overdue, syt.rates.completion_rate) == (1, 0.0)
