"""Reading a directive's documents, its summary and the list of directives follow the one rule of
engine/directives/policy.py (issuing office, assigned body, consulted department, nobody else) — the
summary's list through its SQL form, compared here with the rule for one document; the reference data
loads idempotently."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from engine.directives.demo import Desk
from engine.directives.life import directive_summary, document_for, import_directive, list_visible
from engine.documents import DocumentStore
from engine.kernel.accounts import Actor
from engine.kernel.errors import NotFound
from engine.registers.numbering import load_reference_data
from tests.workflows.helpers import (
    APPROVE,
    CLERK_LS,
    ISSUER_LS,
    documents,
    draft,
    issue,
    review_to_signing,
    signer,
    state_directive,
)

LANGSON = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
ISSUER_CLERK = Actor("cv", "Chuyên viên", ("clerk",), "LS.UBND")
BODY_OFFICER = Actor("dv", "Cán bộ Sở GD&ĐT", ("body_officer",), "LS.SGDDT")
OUTSIDER = Actor("ct", "Chuyên viên Cần Thơ", ("clerk",), "CT.TU")
NO_BODY = Actor("nb", "Không đơn vị", ("clerk",), None)
ADMIN = Actor("admin", "Quản trị", ("admin",), None)


def _docx(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _save(engine, directive_id, text: str) -> int:
    with engine.db.session(write=True) as s:
        doc = DocumentStore().save(s, kind="directive_draft", content=_docx(text), directive_id=directive_id,
                                   actor="test", now=engine.clock.now())
        s.flush()
        return doc.id


@pytest.fixture
def directive_id(engine):
    did, _ = import_directive(engine, LANGSON, actor=ISSUER_CLERK)
    return did


def test_the_issuing_office_and_admins_read_a_directive_document(engine, directive_id):
    document_id = _save(engine, directive_id, "Dự thảo lần 1")
    for actor in (ISSUER_CLERK, ADMIN):
        meta, content = document_for(engine, document_id, actor)
        assert meta.directive_id == directive_id and meta.kind_title == "Dự thảo chỉ thị"
        assert meta.mime_type.endswith("wordprocessingml.document")
        assert Document(io.BytesIO(content)).paragraphs[0].text == "Dự thảo lần 1"


def test_assigned_bodies_outsiders_and_unknown_ids_get_not_found_for_a_draft(engine, directive_id):
    document_id = _save(engine, directive_id, "Nội bộ")
    summary = directive_summary(engine, directive_id, actor=BODY_OFFICER)
    assert summary["assignments"] and summary["documents"] == []  # the header, no draft
    for actor in (BODY_OFFICER, OUTSIDER, NO_BODY):
        with pytest.raises(NotFound):
            document_for(engine, document_id, actor)
    with pytest.raises(NotFound):
        document_for(engine, 999_999, ADMIN)


def test_a_document_without_a_directive_is_for_admins_only(engine):
    document_id = _save(engine, None, "Mẫu thử")
    assert document_for(engine, document_id, ADMIN)[0].directive_id is None
    with pytest.raises(NotFound):
        document_for(engine, document_id, ISSUER_CLERK)


def test_list_visible_shows_the_issuer_and_assigned_bodies_their_directives(engine, directive_id):
    assert [(d["id"], d["full"]) for d in list_visible(engine, ISSUER_CLERK)] == [(directive_id, True)]
    assert [(d["id"], d["full"]) for d in list_visible(engine, BODY_OFFICER)] == [(directive_id, False)]
    assert [d["id"] for d in list_visible(engine, ADMIN)] == [directive_id]
    assert list_visible(engine, OUTSIDER) == []
    assert list_visible(engine, NO_BODY) == []


def test_reference_data_loads_idempotently(engine):
    first = load_reference_data(engine)
    assert first["bodies"] > 50 and first["party_terms"] > 0
    assert load_reference_data(engine) == first
    from engine.directory.service import get_body

    with engine.db.session() as s:
        assert get_body(s, "LS.SGDDT").name


# ------------------------------------------------------------------ assigned and consulted bodies, real paths

CA = Actor("ca", "Cán bộ Công an tỉnh", ("body_officer",), "LS.CA")
SYT = Actor("syt", "Cán bộ Sở Y tế", ("body_officer",), "LS.SYT")
UNRELATED = Actor("gd", "Cán bộ Sở GD&ĐT", ("body_officer",), "LS.SGDDT")
DUE_1 = datetime(2024, 6, 7, 10, 0, tzinfo=UTC)  # first report of SHORT_CYCLE due (17:00 Vietnam)
DEADLINE = datetime(2024, 6, 18, 10, 0, tzinfo=UTC)  # final due + chase + escalate + 1 day


def _readable(engine, actor, docs) -> set[int]:
    ids = set()
    for doc in docs:
        try:
            document_for(engine, doc.id, actor)
        except NotFound:
            continue
        ids.add(doc.id)
    return ids


def _by(docs, kind, runs=None) -> set[int]:
    return {d.id for d in docs if d.kind == kind and (runs is None or d.instance_id in runs)}


def _followup_of(engine, directive_id, body) -> set[int]:
    """The body's follow-up instance and its period instances (its letters and reports live there)."""
    run = next(a["followup_instance_id"] for a in directive_summary(engine, directive_id)["assignments"]
               if a["body_code"] == body)
    return {run} | {i.id for i in engine.list_instances(parent_id=run)}


def test_an_assigned_body_reads_the_issued_directive_its_letters_and_reports_only(engine, clock):
    desk = Desk(engine, clock)
    did, _ = import_directive(engine, state_directive(("LS.CA", "LS.SYT")), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"), "2024-05-21")
    desk.do("body_officer", "LS.CA", "Task_acknowledge")
    desk.wait(days=2, minutes=1)  # LS.SYT has not acknowledged: a reminder letter in its follow-up
    desk.do("body_officer", "LS.SYT", "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    desk.do("body_officer", "LS.CA", "Task_report", {"content": "Công an tỉnh đã triển khai."})
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))  # LS.SYT overdue: chasing letter, once reviewed
    desk.do("clerk", ISSUER_LS, "Task_review_chasing", {"letter_text": "", "signer": ""})
    desk.move_to(DEADLINE + timedelta(minutes=1))  # the parent aggregates: consolidated report
    docs = documents(engine, did)
    ca_run, syt_run = _followup_of(engine, did, "LS.CA"), _followup_of(engine, did, "LS.SYT")
    issued = _by(docs, "directive_final") | _by(docs, "transmittal_letter")
    ca_reports = _by(docs, "body_report", ca_run)
    syt_letters = _by(docs, "reminder_letter", syt_run) | _by(docs, "chasing_letter", syt_run)
    assert len(issued) == 2 and ca_reports and _by(docs, "chasing_letter", syt_run)
    assert _by(docs, "consolidated_report") and _by(docs, "submission_slip") and _by(docs, "register_page")

    ca_own = {d.id for d in docs if d.instance_id in ca_run}  # its reports and the letters sent to it
    syt_own = {d.id for d in docs if d.instance_id in syt_run}
    assert {d.kind for d in docs if d.id in ca_own | syt_own} <= {"reminder_letter", "chasing_letter", "body_report"}
    assert _readable(engine, CA, docs) == issued | ca_own
    assert _readable(engine, SYT, docs) == issued | syt_own
    assert not ca_reports & _readable(engine, SYT, docs) and not syt_letters & _readable(engine, CA, docs)
    assert _readable(engine, ISSUER_CLERK, docs) == {d.id for d in docs}
    assert _readable(engine, UNRELATED, docs) == set()

    summary = directive_summary(engine, did, actor=CA)
    assert summary["scope"] == "assigned" and "comments" not in summary
    assert [a["body_code"] for a in summary["assignments"]] == ["LS.CA"]
    assert {d["id"] for d in summary["documents"]} == _readable(engine, CA, docs)
    with pytest.raises(NotFound):
        directive_summary(engine, did, actor=UNRELATED)
    assert [(d["id"], d["full"]) for d in list_visible(engine, CA)] == [(did, False)]
    assert list_visible(engine, UNRELATED) == []


def test_a_consulted_department_reads_the_draft_it_comments_on_and_later_ones_only(engine, clock):
    desk = Desk(engine, clock)
    did, _ = import_directive(engine, state_directive(("LS.CA",)), actor=CLERK_LS)
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    for _ in range(2):  # two rounds without consultation: drafts v1 and v2
        draft(desk, ISSUER_LS)
        clock.advance(hours=1)
        desk.do("unit_head", ISSUER_LS, "Task_head_review", {"decision": "return", "comment": "Sửa lại."})
        clock.advance(hours=1)
    v1, v2 = sorted(_by(documents(engine, did), "directive_draft"))
    draft(desk, ISSUER_LS, consult=True, consult_bodies="LS.SYT", consult_deadline="2024-05-23")
    sent = max(_by(documents(engine, did), "directive_draft"))  # the draft sent for comments
    assert sent > v2
    assert _readable(engine, SYT, documents(engine, did)) == {sent}
    summary = directive_summary(engine, did, actor=SYT)
    assert summary["scope"] == "consulted" and summary["assignments"] == [] and "comments" not in summary
    assert [d["id"] for d in summary["documents"]] == [sent]
    assert [(d["id"], d["full"]) for d in list_visible(engine, SYT)] == [(did, False)]

    clock.advance(hours=1)
    desk.do("body_officer", "LS.SYT", "Task_give_opinion", {"opinion": "agree"})
    from engine.directives.drafting import respond
    from engine.directives.store import list_comments

    with engine.db.session() as s:
        [agreed] = [c.id for c in list_comments(s, did) if c.stage == "consultation"]
    respond(engine, did, agreed, "accepted", "Ghi nhận.", CLERK_LS)
    desk.do("clerk", ISSUER_LS, "Task_absorb", {"note": "Tiếp thu."})  # the revised draft
    desk.do("unit_head", ISSUER_LS, "Task_head_review", APPROVE)  # submission slip
    docs = documents(engine, did)
    (revised,) = _by(docs, "directive_draft") - {v1, v2, sent}
    assert _by(docs, "submission_slip")
    assert _readable(engine, SYT, docs) == {sent, revised}
    assert {d["id"] for d in directive_summary(engine, did, actor=SYT)["documents"]} == {sent, revised}
    assert _readable(engine, CA, docs) == set()  # assigned, not consulted: no draft before issuance
    assert directive_summary(engine, did, actor=CA)["documents"] == []
    assert _readable(engine, UNRELATED, docs) == set() and list_visible(engine, UNRELATED) == []
