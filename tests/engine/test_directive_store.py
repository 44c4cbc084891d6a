"""Stored directives: round trip of the description, assignments as rows, comments kept, and the
bodies' reports judged on time / late / overdue / missing against their cycle."""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.directives.reports import report_status, submit_report
from engine.directives.store import (
    acknowledge_assignment,
    add_comment,
    assignments_of,
    create_directive,
    get_directive,
    list_comments,
    mark_issued,
    update_directive,
)
from engine.kernel.errors import ConflictError, FormError, NotFound
from engine.kernel.models import StoredBlob
from engine.model.loader import load_directive_file
from engine.model.periods import report_periods
from engine.registers import issue_number

LANGSON = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"


@pytest.fixture
def directive():
    return load_directive_file(LANGSON)


@pytest.fixture
def stored(database, clock, directive):
    with database.session() as s:
        return create_directive(s, directive, actor="chuyenvien", clock=clock)


def test_created_directive_reads_back_identical_with_one_row_per_assignment(database, stored, directive):
    with database.session() as s:
        row, held = get_directive(s, stored)
        rows = assignments_of(s, stored)
    assert held == directive
    assert (row.stage, row.symbol, row.number, row.issuer_code) == ("drafting", "CT-UBND", None, "LS.UBND")
    assert row.national_ref == "15/CT-TTg 2024-05-16 Thủ tướng Chính phủ"
    assert [r.body_code for r in rows] == [a.body_code for a in directive.assignments]
    assert rows[0].lead and rows[0].cycle["final_due"] == "2024-07-15"


def test_unknown_directive_is_not_found(database):
    with database.session() as s, pytest.raises(NotFound):
        get_directive(s, 999)


def test_comments_from_returns_are_kept_in_order(database, stored, clock):
    with database.session() as s:
        add_comment(s, stored, actor="truongphong", stage="review", text="Bổ sung Sở Tài chính", now=clock.now())
        add_comment(s, stored, actor="chutich", stage="signing", text="Rút gọn mục 1", now=clock.advance(days=1))
    with database.session() as s:
        comments = list_comments(s, stored)
    assert [(c.actor, c.stage, c.text) for c in comments] == [
        ("truongphong", "review", "Bổ sung Sở Tài chính"), ("chutich", "signing", "Rút gọn mục 1")]
    assert comments[1].at == clock.now()


def test_update_replaces_the_text_and_withdraws_dropped_assignments(database, stored, directive, clock):
    directive.subject = "Về việc tổ chức Kỳ thi năm 2024"
    dropped = directive.assignments.pop()
    with database.session() as s:
        row = update_directive(s, stored, directive, "chuyenvien", now=clock.advance(hours=2))
    with database.session() as s:
        _, held = get_directive(s, stored)
        active = [r.body_code for r in assignments_of(s, stored)]
        every = assignments_of(s, stored, include_withdrawn=True)
    assert held.subject == "Về việc tổ chức Kỳ thi năm 2024" and row.version == 2
    assert dropped.body_code not in active and every[-1].status == "withdrawn"


def test_issuing_writes_number_and_date_into_the_held_directive(database, stored, clock):
    with database.session(write=True) as s:
        entry = issue_number(s, issuer_code="LS.UBND", instrument="CT", side="state", on=date(2024, 5, 22),
                             subject="Về việc tăng cường…", signer="Hồ Tiến Thiệu", directive_id=stored,
                             actor="vanthu", issuer_symbol="UBND")
        mark_issued(s, stored, number=entry.number, issued_on=entry.issued_on, outgoing_entry_id=entry.id,
                    actor="vanthu", now=clock.now())
    with database.session() as s:
        row, held = get_directive(s, stored)
    assert held.number_line == "Số: 01/CT-UBND" and held.issued_on == date(2024, 5, 22)
    assert (row.stage, row.number, row.outgoing_entry_id) == ("issued", 1, entry.id)


def test_weekly_cycle_gives_friday_reports_and_a_final_one(directive):
    periods = report_periods(directive.assignments[0].cycle)
    assert [(p.start, p.end) for p in periods[:2]] == [
        (date(2024, 6, 1), date(2024, 6, 7)), (date(2024, 6, 8), date(2024, 6, 14))]
    assert [p.end.isoweekday() for p in periods[:-1]] == [5] * 5
    assert periods[-1].is_final and periods[-1].end == date(2024, 7, 15)
    assert periods[0].due_at == datetime(2024, 6, 7, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam


def test_report_on_time_and_late_are_recorded_with_days_late(database, stored):
    due = datetime(2024, 6, 7, 10, 0, tzinfo=UTC)
    with database.session() as s:
        ok = submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=0, content="Đã chuẩn bị",
                           attachments=[], actor="syt", now=due)
        late = submit_report(s, directive_id=stored, body_code="LS.CA", period_index=0, content="Báo cáo",
                             attachments=[], actor="ca", now=due + timedelta(days=2, hours=1))
    assert (ok.on_time, ok.late_days) == (True, 0)
    assert (late.on_time, late.late_days) == (False, 2)


def test_a_period_is_reported_once_and_must_exist(database, stored, clock):
    with database.session() as s:
        submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=1, content="x",
                      attachments=[], actor="syt", now=clock.now())
    with database.session() as s:
        with pytest.raises(ConflictError):
            submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=1, content="y",
                          attachments=[], actor="syt", now=clock.now())
        with pytest.raises(FormError):
            submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=6, content="y",
                          attachments=[], actor="syt", now=clock.now())
        with pytest.raises(NotFound):
            submit_report(s, directive_id=stored, body_code="VN.BCA", period_index=0, content="y",
                          attachments=[], actor="x", now=clock.now())


def test_attachments_must_be_stored_blobs(database, stored, clock):
    content = b"bao cao tuan 1"
    sha = hashlib.sha256(content).hexdigest()
    with database.session() as s:
        with pytest.raises(FormError, match="tải lên"):
            submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=0, content="x",
                          attachments=[sha], actor="syt", now=clock.now())
    with database.session() as s:
        s.add(StoredBlob(sha256=sha, size=len(content), content=content, created_at=clock.now()))
    with database.session() as s:
        report = submit_report(s, directive_id=stored, body_code="LS.SYT", period_index=0, content="x",
                               attachments=[sha], actor="syt", now=clock.now())
    assert report.attachments == [sha]


def test_status_tells_on_time_late_overdue_missing_and_pending(database, stored):
    week1, week2 = datetime(2024, 6, 7, 10, tzinfo=UTC), datetime(2024, 6, 14, 10, tzinfo=UTC)
    with database.session() as s:
        for body, period, when in [("LS.SYT", 0, week1), ("LS.SYT", 1, week2),
                                   ("LS.CA", 0, week1 + timedelta(days=1)), ("LS.CA", 1, week2),
                                   ("LS.SGDDT", 0, week1)]:
            submit_report(s, directive_id=stored, body_code=body, period_index=period, content="Báo cáo",
                          attachments=[], actor=body, now=when)
        acknowledge_assignment(s, stored, "LS.SYT", week1)
    now = datetime(2024, 6, 15, 3, tzinfo=UTC)
    with database.session() as s:
        status = {x.body_code: x for x in report_status(s, stored, now)}
        rows = {r.body_code: r for r in assignments_of(s, stored)}
    assert status["LS.SYT"].state == "on_time" and status["LS.SYT"].on_time == 2
    assert status["LS.CA"].state == "late" and status["LS.CA"].periods[0].late_days == 1
    assert status["LS.SGDDT"].state == "overdue" and status["LS.SGDDT"].periods[1].late_days == 1
    assert status["LS.SYT"].next_due_at == datetime(2024, 6, 21, 10, tzinfo=UTC)
    assert status["LS.TTR"].state == "missing" and status["LS.TTR"].overdue == 2
    with database.session() as s:
        early = {x.body_code: x.state for x in report_status(s, stored, datetime(2024, 6, 1, tzinfo=UTC))}
    assert early["LS.TTR"] == "pending" and early["LS.SGDDT"] == "on_time"
    assert (rows["LS.CA"].reports_submitted, rows["LS.CA"].reports_late) == (2, 1)
    assert rows["LS.SYT"].status == "acknowledged" and rows["LS.SYT"].acknowledged_at == week1


def test_party_directive_is_stored_with_its_party_symbol(database, clock):
    cantho = load_directive_file(LANGSON.with_name("cantho-2022-ct-tu.yaml"))
    with database.session() as s:
        directive_id = create_directive(s, cantho, actor="vptu", clock=clock)
        row, held = get_directive(s, directive_id)
    assert (row.side, row.symbol, row.issuer_code) == ("party", "CT/TU", "CT.TU") and held == cantho


def test_follow_up_links_and_chasing_letters_are_counted_per_assignment(database, stored, clock):
    from engine.directives.store import link_followup, list_directives, record_chase

    with database.session() as s:
        first = assignments_of(s, stored)[0]
        link_followup(s, first.id, 42)
        assert record_chase(s, first.id) == 1
        assert record_chase(s, first.id) == 2
        assert [r.id for r in list_directives(s, stage="drafting")] == [stored]
        assert list_directives(s, stage="closed") == []
    with database.session() as s:
        again = assignments_of(s, stored)[0]
    assert (again.followup_instance_id, again.chase_count) == (42, 2)
