"""Distribution and follow-up with a moved clock: acknowledgement with a reminder, reports on the
cycle, late report → reminder → chasing letter → escalation to the leader, the consolidated report
when all are in or at the deadline, and the close-out with archive."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.directives import store, tracking
from engine.directives.demo import person
from engine.directives.life import import_directive
from engine.directives.store import BodyReport
from tests.workflows.helpers import (
    APPROVE,
    CLERK_CT,
    CLERK_LS,
    ISSUER_CT,
    ISSUER_LS,
    comments,
    documents,
    draft,
    issue,
    kinds,
    party_directive,
    ready,
    review_to_signing,
    signer,
    stage,
    state_directive,
)
from tests.workflows.test_drafting_paths import docx_text

DUE_1 = datetime(2024, 6, 7, 10, 0, tzinfo=UTC)  # 17:00 in Vietnam, end of the first period
DUE_FINAL = datetime(2024, 6, 14, 10, 0, tzinfo=UTC)
DEADLINE = DUE_FINAL + timedelta(days=1 + 2 + 1)  # chase + escalate + one day: the parent aggregates


def issued(engine, desk, bodies) -> tuple[int, int]:
    did, iid = import_directive(engine, state_directive(bodies), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"), "2024-05-21")
    return did, iid


def report(desk, body: str, element: str = "Task_report", text: str = "Đã triển khai.") -> None:
    desk.do("body_officer", body, element, {"content": text})


def elements(desk, role, body) -> list[str]:
    return sorted(t.element_id for t in desk.tasks(role, body))


def review_chasing(desk, text: str = "", signer_key: str = "") -> None:
    desk.do("clerk", ISSUER_LS, "Task_review_chasing", {"letter_text": text, "signer": signer_key})


def test_late_report_is_reminded_chased_and_escalated_to_the_leader(engine, desk):
    did, iid = issued(engine, desk, ("LS.CA", "LS.SYT"))
    fanout = engine.instance_data(iid)["fanout"]
    assert fanout["count"] == 2 and fanout["deadline_at"] == DEADLINE.isoformat() and fanout["replanned"] == []
    desk.do("body_officer", "LS.CA", "Task_acknowledge")
    desk.wait(days=2, minutes=1)  # LS.SYT has not acknowledged: reminded
    assert kinds(engine, did).count("reminder_letter") == 1
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    with engine.db.session() as s:
        assert all(a.acknowledged_at is not None for a in store.assignments_of(s, did))
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    desk.move_to(DUE_1 - timedelta(hours=12))  # one day before: reminder to the body still silent
    assert kinds(engine, did).count("reminder_letter") == 2
    assert elements(desk, "body_officer", "LS.SYT") == ["Task_report"]  # the final report opens at DUE_1
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))  # overdue: a công văn đôn đốc drafted for review
    assert kinds(engine, did).count("chasing_letter") == 0  # nothing numbered or sent before a person looks
    [review] = desk.tasks("clerk", ISSUER_LS, "Task_review_chasing")
    shown = dict(engine.get_task(review.id, person("clerk", ISSUER_LS)).context)
    assert shown["Cơ quan"] == "Sở Y tế" and shown["Số ngày chậm"] == "1" and "07/06/2024" in shown["Hạn báo cáo"]
    assert "chậm 1 ngày" in shown["Dự thảo công văn"]
    review_chasing(desk, "Đề nghị Sở Y tế gửi ngay báo cáo kỳ 1.\nĐây là lần đôn đốc thứ nhất./.",
                   signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đoàn Thanh Sơn")["signer"])
    chasing = [d for d in documents(engine, did) if d.kind == "chasing_letter"]
    assert len(chasing) == 1 and chasing[0].register_entry_id is not None
    assert chasing[0].created_by == person("clerk", ISSUER_LS).username  # the drafter who sent it
    text = docx_text(engine, chasing[0].id)
    assert "V/v đôn đốc" in text and "Sở Y tế" in text and "Đây là lần đôn đốc thứ nhất" in text
    assert "Đoàn Thanh Sơn" in text
    assert elements(desk, "body_officer", "LS.SYT") == ["Task_report", "Task_report"]  # period 1 and the final
    assert desk.tasks("leader", ISSUER_LS) == []
    desk.move_to(DUE_1 + timedelta(days=3, minutes=2))  # still nothing: escalated to the leader
    assert elements(desk, "body_officer", "LS.SYT") == ["Task_report"]  # only the final report's
    [escalation] = desk.tasks("leader", ISSUER_LS)
    shown = dict(engine.get_task(escalation.id, person("leader", ISSUER_LS)).context)
    assert shown == {"Cơ quan": "Sở Y tế", "Kỳ báo cáo": "kỳ 1, từ ngày 01/06/2024 đến ngày 07/06/2024",
                     "Hạn báo cáo": "07/06/2024", "Số ngày chậm": "3"}
    desk.do("leader", ISSUER_LS, "Task_escalation", {"instruction": "Báo cáo ngay, kiểm điểm trách nhiệm."})
    assert ("following_up", "Báo cáo ngay, kiểm điểm trách nhiệm.") in comments(engine, did)
    report(desk, "LS.SYT", "Task_report_after", "Báo cáo chậm kỳ 1.")
    with engine.db.session() as s:
        late = s.query(BodyReport).filter_by(body_code="LS.SYT").one()
        assert (late.period_index, late.on_time, late.late_days) == (0, False, 3)
        syt = store.find_assignment(s, did, "LS.SYT")
        assert (syt.chase_count, syt.reports_late) == (1, 1)
        cell = tracking.board(s, did, engine.clock.now(), body_code="LS.SYT").rows[0].cells[0]
        assert (cell.status, cell.late_days, cell.chase_count) == ("late", 3, 1)
        assert cell.chasing_document_id == chasing[0].id and cell.escalated_at is not None
        assert cell.reminder_document_id is not None and cell.report_document_id is not None
    assert elements(desk, "body_officer", "LS.SYT") == ["Task_report"]  # the final period


def test_reports_all_in_are_aggregated_then_the_directive_is_closed_and_archived(engine, desk):
    did, iid = issued(engine, desk, ("LS.CA",))
    desk.do("body_officer", "LS.CA", "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    assert ready(engine, iid) == []
    desk.move_to(DUE_FINAL - timedelta(days=2))
    report(desk, "LS.CA", text="Báo cáo cuối kỳ.")
    assert engine.list_instances(parent_id=iid)[0].status == "completed"
    assert ready(engine, iid) == ["Task_closeout_draft"]
    aggregate = engine.instance_data(iid)["aggregate"]
    assert aggregate["all_in"] is True and aggregate["rows"][0]["status"] == "on_time"
    assert kinds(engine, did).count("body_report") == 2 and "consolidated_report" in kinds(engine, did)
    desk.do("clerk", ISSUER_LS, "Task_closeout_draft", {"summary": "Hoàn thành."})
    desk.do("leader", ISSUER_LS, "Task_closeout_approve", {"decision": "return", "comment": "Nêu số liệu."})
    assert ready(engine, iid) == ["Task_closeout_draft"] and ("closing", "Nêu số liệu.") in comments(engine, did)
    desk.do("clerk", ISSUER_LS, "Task_closeout_draft", {"summary": "Hoàn thành; 2 báo cáo đúng hạn."})
    desk.do("leader", ISSUER_LS, "Task_closeout_approve", APPROVE)
    assert stage(engine, did) == "closed" and ready(engine, iid) == ["Task_archive"]
    desk.do("records_clerk", ISSUER_LS, "Task_archive", {"file_code": "HS-01"})
    assert engine.get_instance(iid).status == "completed"
    archived = engine.instance_data(iid)["archived"]
    assert archived["documents"] == len(documents(engine, did)) and kinds(engine, did).count("closeout_report") == 2
    assert "Đúng hạn" in docx_text(engine, [d for d in documents(engine, did) if d.kind == "consolidated_report"][0].id)


def test_at_the_deadline_the_parent_aggregates_and_marks_the_silent_body_missing(engine, desk):
    did, iid = issued(engine, desk, ("LS.CA", "LS.SYT"))
    for body in ("LS.CA", "LS.SYT"):
        desk.do("body_officer", body, "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    desk.move_to(DUE_FINAL - timedelta(days=2))
    report(desk, "LS.CA")
    desk.move_to(DUE_1 + timedelta(days=3, minutes=2))
    desk.do("leader", ISSUER_LS, "Task_escalation", {"instruction": "Yêu cầu báo cáo."})
    assert ready(engine, iid) == []
    desk.move_to(DEADLINE - timedelta(minutes=1))
    assert ready(engine, iid) == []
    desk.move_to(DEADLINE + timedelta(minutes=1))
    assert ready(engine, iid) == ["Task_closeout_draft"]
    [consolidated] = [d for d in documents(engine, did) if d.kind == "consolidated_report"]
    table = docx_text(engine, consolidated.id)
    assert "Công an tỉnh\nĐúng hạn" in table and "Sở Y tế\nChưa báo cáo" in table
    report(desk, "LS.SYT", "Task_report_after")  # a straggler still reports; the parent is not disturbed
    assert ready(engine, iid) == ["Task_closeout_draft"]


def test_a_chased_body_that_reports_before_escalation_is_recorded_late(engine, desk):
    did, iid = issued(engine, desk, ("LS.SYT",))
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))
    review_chasing(desk)
    assert kinds(engine, did).count("chasing_letter") == 1
    assert "chậm 1 ngày" in docx_text(engine, [d for d in documents(engine, did) if d.kind == "chasing_letter"][0].id)
    report(desk, "LS.SYT", "Task_report")
    desk.move_to(DUE_1 + timedelta(days=3, minutes=2))
    assert desk.tasks("leader", ISSUER_LS) == []  # no escalation once the report is in
    with engine.db.session() as s:
        assert s.query(BodyReport).filter_by(body_code="LS.SYT").one().late_days == 1
    assert elements(desk, "body_officer", "LS.SYT") == ["Task_report"]


def test_a_body_that_reports_while_the_chasing_letter_waits_for_review_gets_no_letter(engine, desk):
    did, _iid = issued(engine, desk, ("LS.SYT",))
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))
    report(desk, "LS.SYT", "Task_report")
    review_chasing(desk)
    assert kinds(engine, did).count("chasing_letter") == 0


def test_with_automatic_sending_the_chasing_letter_goes_out_unreviewed(engine, desk):
    did, _iid = issued(engine, desk, ("LS.SYT",))
    with engine.db.session() as s:
        store.get_directive_row(s, did).chase_auto_send = True
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))
    assert desk.tasks("clerk", ISSUER_LS, "Task_review_chasing") == []
    assert kinds(engine, did).count("chasing_letter") == 1


def test_a_body_without_a_reporting_cycle_is_done_once_it_acknowledges(engine, desk):
    did, iid = import_directive(engine, party_directive(), actor=CLERK_CT)
    desk.do("unit_head", ISSUER_CT, "Task_choose", {"route": "party"})
    draft(desk, ISSUER_CT)
    review_to_signing(desk, ISSUER_CT)
    issue(desk, ISSUER_CT, "Task_sign_party", signer("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Văn Hiếu"), "2024-05-21")
    desk.do("body_officer", "CT.BAOCT", "Task_acknowledge")
    by_body = {c.body_code: c.status for c in engine.list_instances(parent_id=iid)}
    assert by_body == {"CT.BAOCT": "completed", "CT.BTGTU": "running"}


def test_a_chasing_letter_after_an_upload_uses_the_administrators_template(engine, desk):
    """Every document a step generates uses the template in force, not only those made by hand."""
    from engine.documents.templates_admin import upload_template
    from engine.kernel.accounts import Actor
    from tests.documents.template_edit import MARK, edited_template

    admin = Actor("admin", "Quản trị", ("admin",), None)
    did, _iid = issued(engine, desk, ("LS.SYT",))
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    upload_template(engine, admin, "chasing_letter", "state", edited_template("chasing_letter", "state"))
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))
    review_chasing(desk)
    chasing = [d for d in documents(engine, did) if d.kind == "chasing_letter"]
    assert len(chasing) == 1
    assert MARK in docx_text(engine, chasing[0].id)
    reminder = [d for d in documents(engine, did) if d.kind == "reminder_letter"][-1]
    assert MARK not in docx_text(engine, reminder.id)  # another kind keeps the shipped template


def test_a_body_report_carries_the_bodys_own_number_and_date_and_its_head_signs(engine, desk):
    did, _iid = issued(engine, desk, ("LS.SYT",))
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=1))
    desk.do("body_officer", "LS.SYT", "Task_report", {"content": "Sở Y tế đã bố trí 30 điểm y tế.",
                                                       "body_number": "15/BC-SYT", "body_date": "2024-06-05"})
    with engine.db.session() as s:
        row = s.query(BodyReport).filter_by(body_code="LS.SYT").one()
        assert (row.body_number, row.body_date.isoformat()) == ("15/BC-SYT", "2024-06-05")
    [doc] = [d for d in documents(engine, did) if d.kind == "body_report"]
    text = docx_text(engine, doc.id)
    assert "Số: 15/BC-SYT" in text and "ngày 05 tháng 6 năm 2024" in text
    assert "GIÁM ĐỐC" in text and "THỦ TRƯỞNG CƠ QUAN" not in text and "Số -BC" not in text
    desk.move_to(DUE_FINAL - timedelta(days=1))
    report(desk, "LS.SYT", text="Báo cáo cuối kỳ, chưa vào sổ.")  # no number given: left blank to be filled
    final = [d for d in documents(engine, did) if d.kind == "body_report"][-1]
    assert "/BC-SYT" in docx_text(engine, final.id) and "GIÁM ĐỐC" in docx_text(engine, final.id)
