"""An assigned body's officer on the web: the task panel and the directive page list the documents the
engine's rule lets it read (issued directive, transmittal, its own letters), each preview opens, and
another body's letter or the submission slip is 404."""
from __future__ import annotations

import re

from engine.directives.demo import Desk
from engine.directives.life import import_directive
from tests.workflows.helpers import ISSUER_LS, documents, draft, issue, review_to_signing, signer, state_directive
from web.seed import DemoUser, ensure_demo_users

from .directive_helpers import ready_task, user

LINK = re.compile(r'href="/documents/(\d+)"')


def _issued_to_two_bodies(engine, clock) -> int:
    desk = Desk(engine, clock)
    did, _ = import_directive(engine, state_directive(("LS.SGDDT", "LS.CA")), actor=user(engine, "chuyenvien"))
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    review_to_signing(desk, ISSUER_LS)
    issue(desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"), "2024-05-21")
    desk.wait(days=2, minutes=1)  # neither body acknowledged: one reminder letter each
    return did


def test_the_body_officer_reads_its_documents_from_the_task_panel_but_not_another_bodys(engine, client, auth, clock):
    did = _issued_to_two_bodies(engine, clock)
    docs = documents(engine, did)
    runs = {i.body_code: i.id for i in engine.list_instances(process_id="directive_followup")}
    mine = {d.id for d in docs if d.kind in ("directive_final", "transmittal_letter")
            or (d.kind == "reminder_letter" and d.instance_id == runs["LS.SGDDT"])}
    (other_letter,) = [d.id for d in docs if d.kind == "reminder_letter" and d.instance_id == runs["LS.CA"]]
    (slip,) = [d.id for d in docs if d.kind == "submission_slip"]
    assert len(mine) == 3

    task = ready_task(engine, "donvi", "Task_acknowledge")
    assert auth.login("donvi").status_code == 302
    panel = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="directive-panel"' in panel and "Ý kiến trả lại" not in panel
    assert {int(i) for i in LINK.findall(panel)} == mine
    for document_id in mine:
        page = client.get(f"/documents/{document_id}")
        assert page.status_code == 200 and 'id="document-preview"' in page.get_data(as_text=True)
    assert client.get(f"/documents/{other_letter}").status_code == 404
    assert client.get(f"/documents/{other_letter}/download").status_code == 404
    assert client.get(f"/documents/{slip}").status_code == 404

    page = client.get(f"/directives/{did}").get_data(as_text=True)
    assert {int(i) for i in LINK.findall(page)} == mine and "LS.CA" not in page


def test_an_unrelated_body_gets_404_for_the_directive_and_its_documents(engine, client, auth, clock):
    did = _issued_to_two_bodies(engine, clock)
    user(engine, "ngoai")  # Cần Thơ Provincial Party Committee: no part in this directive
    assert auth.login("ngoai").status_code == 302
    assert client.get(f"/directives/{did}").status_code == 404
    for doc in documents(engine, did):
        assert client.get(f"/documents/{doc.id}").status_code == 404


def test_a_consulted_department_not_assigned_sees_the_header_and_the_draft_on_its_task(engine, client, auth, clock):
    desk = Desk(engine, clock)
    did, _ = import_directive(engine, state_directive(("LS.CA",)), actor=user(engine, "chuyenvien"))
    desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
    draft(desk, ISSUER_LS)
    desk.do("unit_head", ISSUER_LS, "Task_head_review", {"decision": "return", "comment": "Nội bộ: sửa mục 3."})
    clock.advance(hours=1)
    draft(desk, ISSUER_LS, consult=True, consult_bodies="LS.SYT", consult_deadline="2024-05-23")
    draft_id = max(d.id for d in documents(engine, did) if d.kind == "directive_draft")  # the one sent out
    ensure_demo_users(engine, [DemoUser("yte", "Cán bộ Sở Y tế", ("body_officer",), "LS.SYT")])
    task = next(t for t in engine.inbox(engine.accounts.get("yte")) if t.element_id == "Task_give_opinion")
    assert auth.login("yte").status_code == 302
    panel = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="directive-panel"' in panel and "tăng cường công tác chỉ đạo" in panel
    assert "Nội bộ: sửa mục 3." not in panel
    assert [int(i) for i in LINK.findall(panel)] == [draft_id]
    assert client.get(f"/documents/{draft_id}").status_code == 200
    page = client.get(f"/directives/{did}").get_data(as_text=True)
    assert [int(i) for i in LINK.findall(page)] == [draft_id] and "Cơ quan được giao nhiệm vụ" not in page
