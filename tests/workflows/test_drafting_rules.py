"""The rules of writing a directive, on the engine (every way in goes through them): the directory is
law (dissolved bodies refused with their successors, on saving, importing, sending on and issuing),
repeated imports refused with a pointer, directives issued elsewhere start at follow-up with their
number in the register, arrival numbers follow the register, and every document of the path
passes the format checker."""
from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from engine.directives import store
from engine.directives.demo import person
from engine.directives.drafting import post_editor, respond, review_changes
from engine.directives.editor import form_of
from engine.directives.intake import receive_incoming
from engine.directives.life import import_directive, update_draft
from engine.documents import DocumentStore
from engine.kernel.errors import FormError
from engine.registers.models import IncomingEntry, OutgoingEntry
from tests.documents.format_checker import Expect, check
from tests.workflows.helpers import (
    APPROVE,
    CLERK_CT,
    CLERK_LS,
    ISSUER_CT,
    ISSUER_LS,
    documents,
    draft,
    issue,
    party_directive,
    ready,
    review_to_signing,
    signer,
    stage,
    state_directive,
)

RECORDS_LS = person("records_clerk", ISSUER_LS)
DISSOLVED = {"body_code": "LS.SLDTBXH", "body_name": "Sở Lao động - Thương binh và Xã hội", "section_ref": "2.c)",
             "tasks": ["Phối hợp bảo đảm an toàn"], "lead": True}


def in_2026(data: dict) -> dict:
    """The same description dated 2026 (after the 2025 reforms)."""
    data = copy.deepcopy(data)
    data["year"], data["month"] = 2026, 5
    return data


def test_a_dissolved_body_is_refused_at_import_with_its_successors_named(engine, clock):
    data_2024 = state_directive(bodies=("LS.CA",))  # in May 2024 the department existed
    data_2024["assignments"].append(DISSOLVED)
    assert import_directive(engine, data_2024, actor=CLERK_LS)[0] == 1
    clock.set(datetime(2026, 5, 20, 2, 0, tzinfo=UTC))
    data = in_2026(state_directive(bodies=("LS.CA",)))
    data["assignments"].append(DISSOLVED)
    data["subject"] = "Về việc tổ chức Kỳ thi năm 2026"
    with pytest.raises(FormError) as refused:
        import_directive(engine, data, actor=CLERK_LS)
    problems = {p.field: p.message for p in refused.value.fields}
    message = problems["$.assignments[1].body_code"]
    assert "Sở Lao động - Thương binh và Xã hội tỉnh Lạng Sơn không còn từ sau ngày 28/02/2025" in message
    assert "Sở Nội vụ tỉnh Lạng Sơn" in message and "Sở Y tế tỉnh Lạng Sơn" in message  # successors offered
    assert "$.recipients[6].body_code" in problems  # UBND các huyện, thành phố ended 30/6/2025
    assert "UBND các xã, phường" in problems["$.recipients[6].body_code"]
    with engine.db.session() as s:
        assert s.query(store.DirectiveRow).count() == 1  # nothing more stored


def test_a_draft_is_refused_at_issuance_when_a_body_ended_before_the_issue_date(engine, desk):
    data = state_directive(bodies=("LS.CA",))
    data["assignments"].append(DISSOLVED)
    did, iid = import_directive(engine, data, actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    desk.do("leader", ISSUER_LS, "Task_sign_state", APPROVE)
    with pytest.raises(FormError) as refused:  # numbered a year later: the department no longer exists
        desk.do("records_clerk", ISSUER_LS, "Task_issue", {"issued_on": "2025-03-05"})
    assert any("thay bằng: Sở Nội vụ tỉnh Lạng Sơn" in p.message for p in refused.value.fields)
    assert ready(engine, iid) == ["Task_issue"] and engine.get_instance(iid).status == "running"
    desk.do("records_clerk", ISSUER_LS, "Task_issue", {"issued_on": "2024-05-20"})
    assert stage(engine, did) == "following_up"


def test_the_same_directive_imported_twice_is_refused_with_a_pointer(engine):
    first, _ = import_directive(engine, state_directive(), actor=CLERK_LS)
    with pytest.raises(FormError) as again:
        import_directive(engine, state_directive(), actor=CLERK_LS)
    assert f"chỉ thị #{first}" in again.value.fields[0].message and "đã được nhập" in again.value.fields[0].message
    issued = dict(state_directive(), number=5, issued_on="2024-05-16")
    numbered, _ = import_directive(engine, issued, actor=CLERK_LS)
    reworded = dict(issued, subject="Về việc tổ chức Kỳ thi (bản nhập lại)")  # same issuer, number, year
    with pytest.raises(FormError) as twice:
        import_directive(engine, reworded, actor=CLERK_LS)
    assert "05/CT-UBND năm 2024" in twice.value.fields[0].message and f"#{numbered}" in twice.value.fields[0].message


def test_a_directive_issued_elsewhere_starts_at_follow_up_and_the_register_continues(engine, desk):
    issued = dict(state_directive(), number=5, issued_on="2024-05-16")
    did, iid = import_directive(engine, issued, actor=CLERK_LS)
    assert stage(engine, did) == "following_up"
    assert len(engine.list_instances(parent_id=iid, process_id="directive_followup")) == 2
    assert [d.kind for d in documents(engine, did)] == ["directive_final"]
    with engine.db.session() as s:
        entry = s.get(OutgoingEntry, store.get_directive_row(s, did).outgoing_entry_id)
        assert (entry.number_text, entry.note) == ("05/CT-UBND", "Nhập văn bản đã ban hành")
    other, oid = import_directive(engine, dict(state_directive(bodies=("LS.CA",)), subject="Về việc khác"),
                                  actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"}, instance_id=oid)
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", {}, "2024-05-20")
    with engine.db.session() as s:
        assert store.get_directive_row(s, other).number == 6  # after the highest number used, never colliding
    with pytest.raises(FormError) as taken:
        import_directive(engine, dict(party_directive(), number=1, issued_on="2022-06-05"), actor=CLERK_CT)
        import_directive(engine, dict(party_directive(), number=1, issued_on="2022-06-05",
                                      subject="về nội dung khác"), actor=CLERK_CT)
    assert "01-CT/TU" in taken.value.fields[0].message


def test_arrival_numbers_follow_the_register_and_a_typed_one_must_be_positive_and_free(engine):
    base = {"sender": "Thủ tướng Chính phủ", "document_type": "Chỉ thị", "symbol": "CT-TTg",
            "document_date": "16/05/2024", "subject": "về Kỳ thi", "received_on": "20/05/2024"}
    with pytest.raises(FormError) as negative:
        receive_incoming(engine, {**base, "number": "15", "arrival_number": "-5"}, None, actor=RECORDS_LS,
                         require_file=False)
    assert "phải từ 1 trở lên" in {p.field: p.message for p in negative.value.fields}["arrival_number"]
    receive_incoming(engine, {**base, "number": "15", "arrival_number": "7"}, None, actor=RECORDS_LS,
                     require_file=False)
    receive_incoming(engine, {**base, "number": "16"}, None, actor=RECORDS_LS, require_file=False)
    with pytest.raises(FormError) as used:
        receive_incoming(engine, {**base, "number": "17", "arrival_number": "7"}, None, actor=RECORDS_LS,
                         require_file=False)
    assert "số đến 7 năm 2024 đã dùng cho 15/CT-TTg" in used.value.fields[0].message and "(9)" in used.value.fields[0].message
    with pytest.raises(FormError) as twice:
        receive_incoming(engine, {**base, "number": "15"}, None, actor=RECORDS_LS, require_file=False)
    assert "đã vào sổ đến: số đến 7" in twice.value.fields[0].message
    with engine.db.session() as s:
        assert sorted(e.arrival_number for e in s.query(IncomingEntry)) == [7, 8]


def test_every_save_is_a_version_and_a_reviewer_sees_what_changed_since_the_return(engine, desk):
    did, iid = import_directive(engine, state_directive(), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    desk.do("unit_head", ISSUER_LS, "Task_head_review", {"decision": "return", "comment": "Bổ sung mục 3."})
    head = person("unit_head", ISSUER_LS)
    with engine.db.session() as s:
        returned_on = store.list_comments(s, did)[-1].version
        row, d = store.get_directive(s, did)
    posted = _posted(form_of(d, "Lưu: VT, KGVX"))
    posted["s-0-paragraphs"] = [posted["s-0-paragraphs"][0] + "\nBáo cáo kết quả trước ngày 15/7/2024."]
    view, _ = post_editor(engine, did, posted, "save", CLERK_LS)
    assert not view.problems and view.version == returned_on + 1
    changes = review_changes(engine, did, head)
    assert changes.since == returned_on and changes.comment["text"] == "Bổ sung mục 3."
    [changed] = changes.changes
    assert changed.label == "Mục 1." and ("ins", "\nBáo cáo kết quả trước ngày 15/7/2024.") in changed.segments
    with engine.db.session() as s:
        reasons = [v.reason for v in store.versions_of(s, did)]
    assert reasons == ["created", "instrument", "draft_round", "saved"]


def test_every_document_of_the_path_passes_the_format_checker(engine, desk):
    """Intake (Phiếu giải quyết), drafts, consultation summary, slips, the issued directive, the
    register page and the transmittal letter, on both sides."""
    from engine.directives.life import national_only
    from tests.workflows.helpers import DIRECTIVES

    did, _ = import_directive(engine, national_only(DIRECTIVES / "langson-2024-ct-ubnd.yaml"), actor=RECORDS_LS)
    desk.do("leader", ISSUER_LS, "Task_assign", {"lead_unit": "LS.SGDDT", "deadline": "2024-05-27",
                                                 "instruction": "Giao Sở GD&ĐT chủ trì tham mưu."})
    desk.do("clerk", ISSUER_LS, "Task_propose", {"route": "state"})
    update_draft(engine, did, state_directive(), actor=CLERK_LS)
    draft(desk, ISSUER_LS, consult=True, consult_bodies="LS.SYT", consult_deadline="2024-05-23")
    desk.do("body_officer", "LS.SYT", "Task_give_opinion", {"opinion": "comment", "comment": "Bổ sung y tế."})
    with engine.db.session() as s:
        [comment] = [c.id for c in store.list_comments(s, did) if c.stage == "consultation"]
    respond(engine, did, comment, "accepted", "Đã bổ sung.", CLERK_LS)
    desk.do("clerk", ISSUER_LS, "Task_absorb", {"note": ""})
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đoàn Thanh Sơn"), "2024-05-20")
    party, _ = import_directive(engine, party_directive(), actor=CLERK_CT)
    desk.do("unit_head", ISSUER_CT, "Task_choose", {"route": "party"})
    draft(desk, ISSUER_CT)
    review_to_signing(desk, ISSUER_CT)
    issue(desk, ISSUER_CT, "Task_sign_party", signer("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Văn Hiếu"),
          "2024-05-20")
    kinds = {"directive_draft": "CHỈ THỊ", "directive_final": "CHỈ THỊ", "submission_slip": "PHIẾU TRÌNH",
             "register_page": "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "incoming_slip": "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN",
             "consultation_summary": "BẢN TỔNG HỢP", "transmittal_letter": None}
    checked = set()
    with engine.db.session() as s:
        for directive_id, side in ((did, "state"), (party, "party")):
            for doc in DocumentStore().for_directive(s, directive_id):
                if doc.kind not in kinds:
                    continue
                expect = Expect(doc.kind, side, draft=doc.kind == "directive_draft", type_name=kinds[doc.kind])
                assert check(DocumentStore().content(s, doc.id), expect) == [], (doc.kind, side)
                checked.add((doc.kind, side))
    assert {k for k, side in checked if side == "state"} == set(kinds)
    assert {"directive_draft", "directive_final", "submission_slip", "register_page"} <= {k for k, side in checked
                                                                                           if side == "party"}


def _posted(form) -> dict:
    """What the editor's page posts for a form (the names the template gives its fields)."""
    posted = {"side": [form.side], "instrument": [form.instrument], "drafting_unit": [form.drafting_unit],
              "urgency": [form.urgency], "subject": [form.subject], "legal_basis": [form.legal_basis],
              "preamble": [form.preamble], "closing": [form.closing], "archive_line": [form.archive_line],
              "signer": [form.signer]}
    for n, s in enumerate(form.sections):
        posted |= {f"s-{n}-label": [s.label], f"s-{n}-heading": [s.heading], f"s-{n}-paragraphs": [s.paragraphs],
                   f"s-{n}-trailing": [s.trailing]}
        for j, i in enumerate(s.items):
            posted |= {f"s-{n}-i-{j}-label": [i.label], f"s-{n}-i-{j}-heading": [i.heading],
                       f"s-{n}-i-{j}-paragraphs": [i.paragraphs]}
    for k, r in enumerate(form.rows):
        posted |= {f"a-{k}-{key}": [str(getattr(r, key))] for key in ("section_ref", "everyone_name", "lead", "partners",
                                                                      "tasks", "deadline", "frequency", "start",
                                                                      "until", "final_due", "report_to", "every_days",
                                                                      "remind", "chase", "escalate")}
        if r.everyone:
            posted[f"a-{k}-everyone"] = ["on"]
    for n, r in enumerate(form.recipients):
        posted |= {f"r-{n}-text": [r.text], f"r-{n}-code": [r.code]}
    return posted
