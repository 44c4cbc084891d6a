"""Drafting, consultation, review and sign-off paths of directive_life and directive_intake, with a
moved clock, acting as each role: both sign-off routes, return for revision with the comments kept,
a consulted department that stays silent, the lighter instruments, intake of a national directive."""
from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from docx import Document

from engine.directives import store
from engine.directives.demo import person
from engine.directives.life import import_directive, national_only
from engine.kernel.errors import FormError
from engine.registers.models import IncomingEntry, OutgoingEntry
from tests.workflows.helpers import (
    APPROVE,
    CLERK_CT,
    CLERK_LS,
    DIRECTIVES,
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


def docx_text(engine, document_id: int) -> str:
    from engine.documents import DocumentStore

    with engine.db.session() as s:
        doc = Document(io.BytesIO(DocumentStore().content(s, document_id)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def last(engine, directive_id: int, kind: str):
    return [d for d in documents(engine, directive_id) if d.kind == kind][-1]


def test_state_route_return_for_revision_keeps_comments_then_vice_chairman_signs(engine, desk):
    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    assert ready(engine, iid) == ["Task_choose"] and stage(engine, did) == "drafting"
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    desk.do("unit_head", ISSUER_LS, "Task_head_review", APPROVE)
    desk.do("office_reviewer", ISSUER_LS, "Task_office", {"decision": "return", "comment": "Thiếu căn cứ pháp lý."})
    assert ready(engine, iid) == ["Task_draft"] and stage(engine, did) == "drafting"  # the stage shown is true
    assert ("review", "Thiếu căn cứ pháp lý.") in comments(engine, did)
    assert any(c["text"] == "Thiếu căn cứ pháp lý." for c in engine.instance_data(iid)["comments"])
    draft(desk, ISSUER_LS, note="Đã bổ sung căn cứ.")
    review_to_signing(desk, ISSUER_LS)
    assert ready(engine, iid) == ["Task_sign_state"]
    assert stage(engine, did) == "signing"
    issue(desk, ISSUER_LS, "Task_sign_state", signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đoàn Thanh Sơn"), "2024-05-20")
    with engine.db.session() as s:
        row = store.get_directive_row(s, did)
        assert (row.number, row.symbol, row.stage) == (1, "CT-UBND", "following_up")
        entry = s.get(OutgoingEntry, row.outgoing_entry_id)
        assert entry.number_text == "01/CT-UBND" and entry.signer == "Đoàn Thanh Sơn"
    assert kinds(engine, did)[:5] == ["directive_draft", "submission_slip", "directive_draft", "submission_slip",
                                      "directive_final"]
    assert {"register_page", "transmittal_letter"} <= set(kinds(engine, did))
    final = last(engine, did, "directive_final")
    assert final.register_entry_id == row.outgoing_entry_id and final.instance_id == iid
    text = docx_text(engine, final.id)
    assert "Số: 01/CT-UBND" in text and "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text
    assert len(engine.list_instances(parent_id=iid)) == 2  # one follow-up per assigned body


def test_party_route_is_signed_for_the_standing_committee(engine, desk):
    did, iid = import_directive(engine, party_directive(), actor=CLERK_CT)
    desk.do("unit_head", ISSUER_CT, "Task_choose", {"route": "party"})
    draft(desk, ISSUER_CT)
    assert "DỰ THẢO LẦN 1" in docx_text(engine, last(engine, did, "directive_draft").id)
    review_to_signing(desk, ISSUER_CT)
    assert ready(engine, iid) == ["Task_sign_party"]
    desk.do("leader", ISSUER_CT, "Task_sign_party", {"decision": "return", "comment": "Nêu rõ thời hạn báo cáo."})
    assert ready(engine, iid) == ["Task_draft"] and ("signing", "Nêu rõ thời hạn báo cáo.") in comments(engine, did)
    draft(desk, ISSUER_CT, note="Đã nêu thời hạn.")
    assert "DỰ THẢO LẦN 2" in docx_text(engine, last(engine, did, "directive_draft").id)
    review_to_signing(desk, ISSUER_CT)
    issue(desk, ISSUER_CT, "Task_sign_party", signer("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Đỗ Thanh Bình"), "2024-05-20")
    text = docx_text(engine, last(engine, did, "directive_final").id)
    assert "Số 01-CT/TU" in text and "T/M BAN THƯỜNG VỤ" in text and "BÍ THƯ" in text and "Đỗ Thanh Bình" in text
    assert "DỰ THẢO" not in text


def test_consultation_records_a_silent_department_as_no_comment(engine, desk, clock):
    from engine.directives.drafting import respond

    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS, consult=True, consult_bodies="LS.CA, LS.SYT", consult_deadline="2024-05-23")
    assert ready(engine, iid) == [] and stage(engine, did) == "consultation"
    children = engine.list_instances(parent_id=iid, process_id="directive_consultation")
    assert sorted(c.body_code for c in children) == ["LS.CA", "LS.SYT"]
    desk.do("body_officer", "LS.CA", "Task_give_opinion", {"opinion": "comment", "comment": "Bổ sung an ninh điểm thi."})
    assert ready(engine, iid) == []
    desk.wait(days=2)
    assert ready(engine, iid) == [] and desk.tasks("body_officer", "LS.SYT", "Task_give_opinion")
    desk.wait(days=1, hours=3)  # past 17:00 on the 23rd, Vietnam time
    assert desk.tasks("body_officer", "LS.SYT") == []
    assert ready(engine, iid) == ["Task_absorb"] and stage(engine, did) == "drafting"
    consulted = [text for st, text in comments(engine, did) if st == "consultation"]
    assert consulted == ["Bổ sung an ninh điểm thi.", "Không có ý kiến (không trả lời đúng hạn)."]
    assert engine.instance_data(iid)["consultation_comments"] == [
        "Công an tỉnh Lạng Sơn: Bổ sung an ninh điểm thi.", "Sở Y tế tỉnh Lạng Sơn: Không có ý kiến (không trả lời đúng hạn)."]
    with pytest.raises(FormError) as unanswered:  # every comment is taken in or explained first
        desk.do("clerk", ISSUER_LS, "Task_absorb", {"note": ""})
    assert "còn 2 ý kiến chưa tiếp thu" in unanswered.value.fields[0].message
    with engine.db.session() as s:
        ids = [c.id for c in store.list_comments(s, did) if c.stage == "consultation"]
    respond(engine, did, ids[0], "accepted", "Đã bổ sung vào mục 2.a).", CLERK_LS)
    respond(engine, did, ids[1], "explained", "Không có ý kiến: giữ nguyên.", CLERK_LS)
    desk.do("clerk", ISSUER_LS, "Task_absorb", {"note": "Tiếp thu."})
    assert ready(engine, iid) == ["Task_head_review"] and stage(engine, did) == "review"
    summary = docx_text(engine, last(engine, did, "consultation_summary").id)
    assert "BẢN TỔNG HỢP" in summary and "Đã bổ sung vào mục 2.a)." in summary and "Giải trình" in summary


def test_cong_dien_skips_consultation_and_office_review(engine, desk):
    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "cong_dien"})
    draft(desk, ISSUER_LS, consult=True, consult_bodies="LS.CA", consult_deadline="2024-05-22")
    assert engine.list_instances(parent_id=iid) == []
    desk.do("unit_head", ISSUER_LS, "Task_head_review", APPROVE)
    assert ready(engine, iid) == ["Task_sign_light"]
    issue(desk, ISSUER_LS, "Task_sign_light", {}, "2024-05-20")
    with engine.db.session() as s:
        assert store.get_directive_row(s, did).symbol == "CĐ-UBND"
    assert "CÔNG ĐIỆN" in docx_text(engine, last(engine, did, "directive_final").id)


def test_cong_van_is_reviewed_by_the_office_and_can_be_returned_at_signing(engine, desk):
    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "cong_van"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    desk.do("leader", ISSUER_LS, "Task_sign_light", {"decision": "return", "comment": "Viết gọn lại."})
    assert ready(engine, iid) == ["Task_draft"] and ("signing", "Viết gọn lại.") in comments(engine, did)
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_light", {}, "2024-05-20")
    with engine.db.session() as s:
        assert s.get(OutgoingEntry, store.get_directive_row(s, did).outgoing_entry_id).number_text == "01/UBND-KGVX"


def test_intake_registers_the_national_directive_and_starts_drafting(engine, desk):
    start = national_only(DIRECTIVES / "langson-2024-ct-ubnd.yaml")
    did, intake_id = import_directive(engine, start, actor=person("records_clerk", ISSUER_LS))
    assert ready(engine, intake_id) == ["Task_assign"] and stage(engine, did) == "intake"
    desk.do("leader", ISSUER_LS, "Task_assign",
            {"lead_unit": "LS.SGDDT", "partner_units": "LS.CA, LS.SYT", "deadline": "2024-05-27",
             "instruction": "Giao Sở GD&ĐT chủ trì tham mưu."})
    [propose] = desk.tasks("clerk", ISSUER_LS, "Task_propose")
    assert propose.due_at == datetime(2024, 5, 27, 10, 0, tzinfo=UTC)  # the leader's deadline, 17:00 in Vietnam
    desk.do("clerk", ISSUER_LS, "Task_propose", {"route": "ke_hoach", "subject": "Kế hoạch tổ chức Kỳ thi"})
    intake = engine.get_instance(intake_id)
    assert intake.status == "completed" and store.directive_of(intake) == did
    with engine.db.session() as s:
        entry = s.query(IncomingEntry).one()
        assert (entry.arrival_number, entry.number_symbol, entry.handling_unit, entry.directive_id) == (
            1, "15/CT-TTg", "LS.SGDDT", did)
        assert [u["name"] for u in entry.partner_units] == ["Công an tỉnh Lạng Sơn", "Sở Y tế tỉnh Lạng Sơn"]
        row, directive = store.get_directive(s, did)
        assert directive.instrument.value == "KH" and directive.implements.symbol == "CT-TTg"
        assert directive.legal_basis[0].startswith("Thực hiện Chỉ thị số 15/CT-TTg ngày 16/5/2024")
        assert directive.subject == "Kế hoạch tổ chức Kỳ thi" and directive.preamble == []  # the instruction stays one
    [life] = engine.list_instances(parent_id=intake_id)
    assert life.process_id == "directive_life" and row.instance_id == life.id
    assert ready(engine, life.id) == ["Task_draft"]  # the instrument was chosen at intake
    slips = [d for d in documents(engine, did) if d.kind == "incoming_slip"]
    assert len(slips) == 2  # the leader's instruction, then with the handler's proposal
    text = docx_text(engine, slips[-1].id)
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in text and "Giao Sở GD&ĐT chủ trì tham mưu." in text
    assert "Công an tỉnh Lạng Sơn, Sở Y tế tỉnh Lạng Sơn" in text and "Đề xuất ban hành kế hoạch" in text


def test_leader_assignment_refuses_a_past_deadline_unless_confirmed_and_a_dissolved_unit(engine, desk):
    did, intake_id = import_directive(engine, national_only(DIRECTIVES / "langson-2024-ct-ubnd.yaml"),
                                      actor=person("records_clerk", ISSUER_LS))
    past = {"lead_unit": "LS.SGDDT", "deadline": "2024-05-10", "instruction": "Giao tham mưu."}
    with pytest.raises(FormError) as refused:
        desk.do("leader", ISSUER_LS, "Task_assign", past)
    assert "thời hạn 10/05/2024 đã qua" in {p.field: p.message for p in refused.value.fields}["deadline"]
    with pytest.raises(FormError) as unknown:
        desk.do("leader", ISSUER_LS, "Task_assign", {**past, "deadline": "2024-05-30", "lead_unit": "LS.KHONGCO"})
    assert "không có trong danh mục" in unknown.value.fields[0].message
    assert ready(engine, intake_id) == ["Task_assign"] and engine.get_instance(intake_id).status == "running"
    desk.do("leader", ISSUER_LS, "Task_assign", {**past, "confirm_past": True})
    assert ready(engine, intake_id) == ["Task_propose"]


def test_import_refuses_a_wrong_description_naming_each_field(engine):
    with pytest.raises(FormError) as bad:
        import_directive(engine, {"side": "state", "instrument": "CT"}, actor=CLERK_LS)
    assert {p.field for p in bad.value.fields} == {"$"}
    with pytest.raises(FormError) as national:
        import_directive(engine, {"national": {"number": "15"}, "receiver": {}}, actor=CLERK_LS)
    fields = {p.field for p in national.value.fields}
    assert {"$.national.symbol", "$.national.date", "$.receiver.issuer_code", "$.receiver.place"} <= fields
    assert engine.list_instances() == []


def test_unit_head_return_needs_a_comment_and_an_empty_consultation_list_is_refused(engine, desk):
    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    with pytest.raises(FormError) as nobody:
        draft(desk, ISSUER_LS, consult=True, consult_bodies=" , ", consult_deadline="2024-05-25")
    assert {p.field for p in nobody.value.fields} == {"consult_bodies"}
    draft(desk, ISSUER_LS)
    assert engine.list_instances(parent_id=iid) == [] and ready(engine, iid) == ["Task_head_review"]
    with pytest.raises(FormError) as empty:
        desk.do("unit_head", ISSUER_LS, "Task_head_review", {"decision": "return", "comment": "  "})
    assert "bắt buộc khi 'Quyết định' là 'Trả lại để sửa'" in empty.value.fields[0].message
    assert engine.get_instance(iid).status == "running" and ready(engine, iid) == ["Task_head_review"]
    desk.do("unit_head", ISSUER_LS, "Task_head_review", {"decision": "return", "comment": "Sửa mục 2."})
    assert ready(engine, iid) == ["Task_draft"] and comments(engine, did)[-1] == ("review", "Sửa mục 2.")


def test_a_directive_without_assigned_bodies_goes_from_issuance_to_close_out(engine, desk):
    did, iid = import_directive(engine, state_directive(bodies=()), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "ke_hoach"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_light", {}, "2024-05-20")
    assert engine.list_instances(parent_id=iid) == [] and stage(engine, did) == "distributed"
    assert ready(engine, iid) == ["Task_closeout_draft"] and "consolidated_report" in kinds(engine, did)
