"""The VPCP statuses of engine/directives/tracking.py, computed in SQL from the follow-up facts, on
every boundary: due at 17:00 Vietnam time on the minute, the "sắp đến hạn" window, cancellation,
and the board, rates and overdue lists built from them."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.directives import tracking
from engine.directives.reports import submit_report
from engine.directives.store import assignments_of, create_directive, set_stage
from engine.model.codec import cycle_from_dict
from engine.model.loader import load_directive_file
from engine.model.periods import report_periods

LANGSON = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
DUE_1 = datetime(2024, 6, 7, 10, 0, tzinfo=UTC)  # Friday 7/6/2024 17:00 in Vietnam
MINUTE = timedelta(minutes=1)


@pytest.fixture
def planned(database, clock):
    """The Lạng Sơn directive stored with every assigned body's periods planned (6 per body)."""
    with database.session() as s:
        did = create_directive(s, load_directive_file(LANGSON), actor="chuyenvien", clock=clock)
        for a in assignments_of(s, did):
            tracking.plan_periods(s, a, report_periods(cycle_from_dict(a.cycle)), now=clock.now())
        ids = {a.body_code: a.id for a in assignments_of(s, did)}
    return did, ids


def status(database, did, assignment_id, index, now, soon=3):
    with database.session() as s:
        return tracking.statuses_at(s, did, now, soon)[(assignment_id, index)]


def submit(database, did, body, index, at):
    with database.session() as s:
        return submit_report(s, directive_id=did, body_code=body, period_index=index, content="Đã thực hiện.",
                             attachments=[], actor="vanthu", now=at)


def test_planning_writes_one_row_per_body_and_period_due_17h_vietnam(database, planned):
    did, ids = planned
    with database.session() as s:
        rows = s.query(tracking.FollowupPeriod).filter_by(directive_id=did).all()
        first = [r for r in rows if r.assignment_id == ids["LS.SGDDT"] and r.period_index == 0][0]
        lead = s.get(tracking.AssignmentRow, ids["LS.SGDDT"])
        again = tracking.plan_periods(s, lead, report_periods(cycle_from_dict(lead.cycle)), now=DUE_1)
    assert len(rows) == len(ids) * 6 and again == 0  # planning twice adds nothing
    assert first.due_at == DUE_1 and first.state == "open" and first.lead


@pytest.mark.parametrize(("offset", "expected"), [
    (-timedelta(days=3) - MINUTE, "in_time"),
    (-timedelta(days=3), "due_soon"),  # exactly N days before due: the warning starts
    (-MINUTE, "due_soon"),
    (timedelta(0), "due_soon"),  # 17:00:00 on the due day is still in time
    (MINUTE, "overdue"),  # 17:01 Vietnam time
    (timedelta(days=40), "overdue"),
])
def test_open_period_status_on_every_boundary(database, planned, offset, expected):
    did, ids = planned
    assert status(database, did, ids["LS.CA"], 0, DUE_1 + offset) == expected


def test_due_soon_window_is_configurable(database, planned, monkeypatch):
    did, ids = planned
    at = DUE_1 - timedelta(days=5)
    assert status(database, did, ids["LS.CA"], 0, at, soon=5) == "due_soon"
    assert status(database, did, ids["LS.CA"], 0, at, soon=4) == "in_time"
    monkeypatch.setenv("CHITHI_DUE_SOON_DAYS", "7")
    assert tracking.soon_days() == 7
    with database.session() as s:
        assert tracking.statuses_at(s, did, at)[(ids["LS.CA"], 0)] == "due_soon"


@pytest.mark.parametrize(("offset", "expected", "late_days"), [
    (-timedelta(days=10), "on_time", 0),
    (timedelta(0), "on_time", 0),  # handed in at 17:00:00 sharp
    (MINUTE, "late", 1),  # 17:01: a day late
    (timedelta(hours=6, minutes=59), "late", 1),  # 23:59 Vietnam time, same day: still one day
    (timedelta(hours=7), "late", 1),  # 00:00 next day in Vietnam: one office day after
    (timedelta(days=1, hours=7), "late", 2),
])
def test_submitted_period_status_and_days_late(database, planned, offset, expected, late_days):
    did, ids = planned
    submit(database, did, "LS.CA", 0, DUE_1 + offset)
    later = DUE_1 + timedelta(days=60)
    assert status(database, did, ids["LS.CA"], 0, later) == expected  # a submitted status never changes
    with database.session() as s:
        cell = tracking.board(s, did, later, body_code="LS.CA").rows[0].cells[0]
    assert (cell.status, cell.late_days, cell.submitted_at) == (expected, late_days, DUE_1 + offset)
    assert cell.report_id is not None


@pytest.mark.parametrize(("offset", "late_days"), [
    (MINUTE, 1), (timedelta(hours=7), 1), (timedelta(days=1, hours=7), 2), (timedelta(days=9, hours=7), 10)])
def test_overdue_days_late_count_office_days(database, planned, offset, late_days):
    did, ids = planned
    with database.session() as s:
        cell = tracking.board(s, did, DUE_1 + offset, body_code="LS.CA").rows[0].cells[0]
        [row] = [o for o in tracking.overdue_bodies(s, DUE_1 + offset) if o.body_code == "LS.CA"]
    assert (cell.status, cell.late_days) == ("overdue", late_days)
    assert (row.periods_overdue, row.days_late, row.first_period_index) == (1 + (late_days > 7), late_days, 0)


def test_cancelled_periods_stop_counting_and_an_overdue_one_stays_overdue_frozen(database, planned):
    did, ids = planned
    closed_at = DUE_1 + timedelta(days=2, hours=1)  # period 0 two days late, period 1 not yet due
    with database.session() as s:
        n = tracking.cancel_open(s, did, reason="Chỉ thị đã kết thúc", now=closed_at)
        assert n == len(ids) * 6
        set_stage(s, did, "closed", actor="lanhdao", now=closed_at)
    much_later = closed_at + timedelta(days=100)
    with database.session() as s:
        cells = tracking.board(s, did, much_later, body_code="LS.CA").rows[0].cells
        assert tracking.overdue_bodies(s, much_later) == []  # closed: nobody is chased any more
    assert (cells[0].status, cells[0].late_days) == ("overdue", 2)
    assert {c.status for c in cells[1:]} == {"cancelled"}
    assert cells[1].cancel_reason == "Chỉ thị đã kết thúc"


def test_board_rows_lead_first_columns_periods_and_rates(database, planned):
    did, ids = planned
    submit(database, did, "LS.SGDDT", 0, DUE_1 - timedelta(days=1))
    submit(database, did, "LS.CA", 0, DUE_1 + timedelta(days=1))
    submit(database, did, "LS.SGDDT", 1, DUE_1 + timedelta(days=7))  # on time, due 14/6
    now = DUE_1 + timedelta(days=7, hours=1)  # period 1 (due 14/6 17:00) overdue by an hour for the others
    with database.session() as s:
        b = tracking.board(s, did, now)
        only_late = tracking.board(s, did, now, status="late")
        by_body = {r.key: r.rates for r in tracking.rates_by(s, now, by="body", directive_id=did)}
        [by_directive] = tracking.rates_by(s, now, by="directive")
    assert b.rows[0].body_code == "LS.SGDDT" and b.rows[0].lead
    assert [c.label for c in b.columns] == ["Kỳ 1", "Kỳ 2", "Kỳ 3", "Kỳ 4", "Kỳ 5", "Cuối kỳ"]
    assert b.columns[0].due_date.isoformat() == "2024-06-07"
    assert [r.body_code for r in only_late.rows] == ["LS.CA"]
    bodies = len(ids)
    assert (b.rates.on_time, b.rates.late, b.rates.overdue) == (2, 1, 2 * bodies - 3)
    assert b.rates.on_time_rate == pytest.approx(2 / 3)
    assert b.rates.completion_rate == pytest.approx(3 / (3 + 2 * bodies - 3))
    assert by_body["LS.SGDDT"].on_time_rate == 1.0 and by_body["LS.CA"].on_time_rate == 0.0
    assert by_directive.rates.as_dict() == b.rates.as_dict()
    assert b.status_grid()[0][:3] == ["Hoàn thành đúng hạn", "Hoàn thành đúng hạn", "Chưa hoàn thành – trong hạn"]


def test_a_bodys_deadlines_across_directives(database, planned):
    did, ids = planned
    with database.session() as s:
        mine = tracking.periods_of_body(s, "LS.SYT", DUE_1 - timedelta(days=1))
        soon = tracking.periods_of_body(s, "LS.SYT", DUE_1 - timedelta(days=1), statuses=("due_soon",))
    assert [p.period_index for p in mine] == [0, 1, 2, 3, 4, 5]
    assert [(p.period_index, p.words) for p in soon] == [(0, "Sắp đến hạn")]


def test_the_board_as_xlsx_in_the_layout_offices_send_upward(database, planned):
    from openpyxl import load_workbook

    from engine.directives.export import FILLS, GRID_SHEET, UPWARD_COLUMNS, UPWARD_SHEET, board_workbook, read_grid

    did, ids = planned
    submit(database, did, "LS.CA", 0, DUE_1 + timedelta(days=2))
    now = DUE_1 + timedelta(days=3)
    with database.session() as s:
        export = board_workbook(s, did, now)
        board = tracking.board(s, did, now)
    assert export.filename.endswith(".xlsx") and export.mime_type.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == [UPWARD_SHEET, GRID_SHEET]
    rows = list(wb[UPWARD_SHEET].iter_rows(values_only=True))
    assert rows[0][0].startswith("TÌNH HÌNH THỰC HIỆN") and rows[2][0] == "(Số liệu đến ngày 10/06/2024)"
    assert list(rows[4]) == [name for name, _w in UPWARD_COLUMNS]
    body = [r for r in rows[5:] if isinstance(r[0], int)]
    assert len(body) == len(ids) * 6 and [r[0] for r in body] == list(range(1, len(body) + 1))
    ca_first = next(r for r in body if r[1] == "Công an tỉnh")
    assert ca_first[3:7] == ("07/06/2024", "Hoàn thành trễ hạn", "09/06/2024", 2)
    assert tracking.rates_sentence(board.rates) in [r[0] for r in rows if r[0]]
    assert read_grid(export.content) == board.status_grid()
    # the styles as offices print them: bold headers, Times New Roman, boxed cells, the status colours
    sheet = wb[UPWARD_SHEET]
    header, ca_row = sheet[5], next(r for r in sheet.iter_rows(min_row=6) if r[1].value == "Công an tỉnh")
    assert all(c.font.b and c.font.name == "Times New Roman" for c in header)
    assert all(c.border.left.style == "thin" for c in (*header, *ca_row))
    assert not ca_row[1].font.b and ca_row[0].alignment.horizontal == "center" and ca_row[1].alignment.wrap_text
    assert ca_row[4].fill.fgColor.rgb.endswith(FILLS[tracking.LATE])  # "Hoàn thành trễ hạn"
    colours = {tracking.STATUS_WORDS[code]: colour for code, colour in FILLS.items()}
    status_cells = [row[4] for row in sheet.iter_rows(min_row=6) if row[4].value in colours]
    assert {c.value for c in status_cells} >= {tracking.STATUS_WORDS[tracking.OVERDUE], tracking.STATUS_WORDS[tracking.LATE]}
    assert all(c.fill.fgColor.rgb.endswith(colours[c.value]) for c in status_cells)


def test_the_board_rates_and_overdue_lists_take_a_fixed_number_of_queries(database, planned):
    from sqlalchemy import event

    did, ids = planned
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as s:
            for body in (None, "LS.CA"):
                statements.clear()
                b = tracking.board(s, did, DUE_1 + timedelta(days=9), body_code=body)
                assert len(b.rows) == (len(ids) if body is None else 1)
                assert len(statements) == 3, statements  # bodies, distinct periods, cells: no query per body
            statements.clear()
            tracking.rates_by(s, DUE_1, by="body")
            tracking.rates_by(s, DUE_1, by="directive")
            tracking.overdue_bodies(s, DUE_1 + timedelta(days=9))
            tracking.periods_of_body(s, "LS.CA", DUE_1)
            assert len(statements) == 4
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_assignments_followed_up_before_the_facts_existed_are_backfilled(database, clock):
    from engine.directives.store import BodyReport

    with database.session() as s:
        did = create_directive(s, load_directive_file(LANGSON), actor="chuyenvien", clock=clock)
        rows = assignments_of(s, did)
        for a in rows:
            a.followup_instance_id = 1000 + a.id
    submit(database, did, "LS.CA", 0, DUE_1 - timedelta(days=1))  # no facts yet: only the report row
    with database.session() as s:
        assert s.query(tracking.FollowupPeriod).count() == 0 and s.query(BodyReport).count() == 1
        assert tracking.backfill_facts(s, DUE_1) == len(rows) * 6
        assert tracking.backfill_facts(s, DUE_1) == 0  # once
        cell = tracking.board(s, did, DUE_1 + timedelta(days=1), body_code="LS.CA").rows[0].cells[0]
    assert (cell.status, cell.report_id is not None) == ("on_time", True)


def test_the_schema_upgrade_backfills_older_directives_facts(database, clock):
    """`chithi db upgrade` runs the features' after-upgrade hooks: a database upgraded to 0009 gets
    the facts of directives followed up before (and nothing more on the next upgrade)."""
    from engine.app import build_engine

    with database.session() as s:
        did = create_directive(s, load_directive_file(LANGSON), actor="chuyenvien", clock=clock)
        rows = assignments_of(s, did)
        for a in rows:
            a.followup_instance_id = 1000 + a.id
    engine = build_engine(database.url, clock=clock)
    try:
        assert engine.upgrade_schema() == len(rows) * 6
        assert engine.upgrade_schema() == 0
    finally:
        engine.db.dispose()
