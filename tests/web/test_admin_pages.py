"""The administrators' pages without a browser: the modeler's check/draft/deploy calls, .bpmn
import and export, new and copied processes, the version comparison and migration pages, repair
then retry on the instance page (a refused repair keeps what was typed), users and directory forms,
the audit page's filters and its verification naming the first broken event, and what the
instance page shows to whom."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from engine.directory.service import load_bodies
from engine.kernel.models import AuditEvent

from .conftest import SAMPLE_BPMN
from .helpers import ensure_user, only_task, start_sample

SAMPLE = SAMPLE_BPMN.read_text(encoding="utf-8")
XML = {"Content-Type": "application/xml"}


def post_xml(client, auth, path: str, xml: str):
    return client.post(path, data=xml.encode("utf-8"), headers={**XML, "X-CSRF-Token": auth.token()})


@pytest.fixture
def admin_client(client, auth):
    auth.login("admin")
    return client


def test_the_modeler_check_names_the_element_and_deploy_makes_a_version(admin_client, auth, engine):
    bad = SAMPLE.replace(
        "</bpmn:process>", '<bpmn:intermediateCatchEvent id="Wait_bad"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        "</bpmn:process>")
    answer = post_xml(admin_client, auth, "/admin/modeler/check", bad).get_json()
    assert not answer["ok"]
    by_element = {p["element_id"]: p["message"] for p in answer["problems"]}
    assert '"P2D"' in by_element["Wait_bad"]
    refused = post_xml(admin_client, auth, "/admin/modeler/deploy", bad)
    assert refused.status_code == 422 and refused.get_json()["problems"]
    assert post_xml(admin_client, auth, "/admin/modeler/check", SAMPLE).get_json() == {"ok": True, "problems": []}
    renamed = SAMPLE.replace('name="Cho ý kiến chỉ đạo"', 'name="Cho ý kiến chỉ đạo (bút phê)"')
    saved = post_xml(admin_client, auth, "/admin/modeler/draft?base_version=1", renamed)
    assert saved.status_code == 200 and "Đã lưu bản nháp" in saved.get_json()["message"]
    page = admin_client.get("/admin/processes/sample_incoming").get_data(as_text=True)
    assert 'id="draft"' in page and "sửa từ phiên bản 1" in page
    deployed = post_xml(admin_client, auth, "/admin/modeler/deploy", renamed)
    assert deployed.status_code == 201 and "phiên bản 2" in deployed.get_json()["message"]
    assert engine.modeling.draft(ensure_user(engine, "admin"), "sample_incoming") is None  # the draft went live
    again = post_xml(admin_client, auth, "/admin/modeler/deploy", renamed)
    assert again.status_code == 200 and "giống hệt" in again.get_json()["message"]


def test_a_bpmn_file_is_imported_as_a_draft_and_each_version_exported(admin_client, auth):
    upload = {"csrf_token": auth.token(), "bpmn": (io.BytesIO(SAMPLE.replace("(mẫu)", "(mẫu 2)").encode()), "mau.bpmn")}
    response = admin_client.post("/admin/processes/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/modeler?draft=1")
    draft = admin_client.get("/admin/processes/sample_incoming/draft.bpmn")
    assert "Xử lý văn bản đến (mẫu 2)" in draft.get_data(as_text=True)
    exported = admin_client.get("/admin/processes/sample_incoming/versions/1.bpmn")
    assert exported.get_data(as_text=True) == SAMPLE
    assert 'filename="sample_incoming.v1.bpmn"' in exported.headers["Content-Disposition"]
    junk = {"csrf_token": auth.token(), "bpmn": (io.BytesIO(b"<html>not bpmn</html>"), "x.bpmn")}
    refused = admin_client.post("/admin/processes/import", data=junk, content_type="multipart/form-data")
    assert refused.status_code == 422 and "không phải mô hình BPMN" in refused.get_data(as_text=True)


def test_a_new_process_from_a_copy_deploys_under_its_own_id(admin_client, auth, engine):
    form = {"csrf_token": auth.token(), "name": "Tiếp nhận đơn thư", "process_id": "tiep_nhan_don",
            "start": "copy", "copy_of": "sample_incoming@1"}
    response = admin_client.post("/admin/processes/new", data=form)
    assert response.status_code == 302
    xml = admin_client.get("/admin/processes/tiep_nhan_don/draft.bpmn").get_data(as_text=True)
    assert 'id="tiep_nhan_don"' in xml and 'processRef="tiep_nhan_don"' in xml and "Tiếp nhận đơn thư" in xml
    assert post_xml(admin_client, auth, "/admin/modeler/deploy", xml).status_code == 201
    assert engine.start_instance("tiep_nhan_don", body_code="LS.UBND").ready_tasks[0].element_id == "Task_register"
    taken = admin_client.post("/admin/processes/new", data={**form, "start": "blank", "name": "Khác"})
    html = taken.get_data(as_text=True)
    assert taken.status_code == 422 and "đã được dùng" in html and 'value="Khác"' in html  # typed text kept


def test_versions_are_compared_and_instances_moved_from_the_pages(admin_client, auth, engine):
    instance_id = start_sample(engine)
    renamed = SAMPLE.replace('name="Đăng ký văn bản đến"', 'name="Vào sổ văn bản đến"')
    post_xml(admin_client, auth, "/admin/modeler/deploy", renamed)
    compare = admin_client.get("/admin/processes/sample_incoming/compare?from=1&to=2").get_data(as_text=True)
    assert 'id="change-Task_register"' in compare and "Vào sổ văn bản đến" in compare and "Tên" in compare
    page = admin_client.get("/admin/processes/sample_incoming").get_data(as_text=True)
    assert f'id="migrate-{instance_id}"' in page
    moved = admin_client.post("/admin/processes/sample_incoming/migrate", data={
        "csrf_token": auth.token(), "instance": str(instance_id), "version": "2", "reason": "đổi tên bước"})
    assert "Đã chuyển 1/1 hồ sơ" in moved.get_data(as_text=True)
    assert only_task(engine, "chuyenvien").name == "Vào sổ văn bản đến"


BROKEN = SAMPLE.replace('<bpmn:script>', '<bpmn:script>so_ngay = han_xu_ly + 1\n', 1)


def _failing_instance(engine, client, auth) -> int:
    """The sample with a script that reads a variable nobody set: it fails after the leader's step."""
    engine.deploy_xml(BROKEN, actor="test")
    instance_id = start_sample(engine)
    engine.complete_task(only_task(engine, "chuyenvien").id, ensure_user(engine, "chuyenvien"),
                         {"arrival_number": 125, "subject": "Chỉ thị 15", "sender": "VPCP"})
    engine.complete_task(only_task(engine, "lanhdao").id, ensure_user(engine, "lanhdao"),
                         {"decision": "approve", "instruction": "Giao Sở GD&ĐT"})
    assert engine.get_instance(instance_id).status == "error"
    return instance_id


def test_a_failed_instance_is_repaired_then_retried_from_its_page(admin_client, auth, engine):
    instance_id = _failing_instance(engine, admin_client, auth)
    listing = admin_client.get("/admin/instances").get_data(as_text=True)
    assert f'id="error-{instance_id}"' in listing and "han_xu_ly" in listing
    page = admin_client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert 'id="repair-form"' in page and 'value="han_xu_ly"' in page  # the missing variable, prefilled
    bad = {"csrf_token": auth.token(), "var_name": ["han_xu_ly", "ghi_chu"], "var_type": ["json", "text"],
           "var_value": ["{không phải json", "Đã kiểm tra"], "reason": "thiếu hạn xử lý"}
    refused = admin_client.post(f"/admin/instances/{instance_id}/repair", data=bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "không phải JSON hợp lệ" in html
    assert "{không phải json" in html and "Đã kiểm tra" in html and "thiếu hạn xử lý" in html  # nothing typed lost
    good = dict(bad, var_type=["number", "text"], var_value=["15", "Đã kiểm tra"])
    response = admin_client.post(f"/admin/instances/{instance_id}/repair", data=good)
    assert response.status_code == 302
    assert engine.get_instance(instance_id).status == "completed"
    assert engine.instance_data(instance_id)["so_ngay"] == 16
    with engine.db.session() as s:
        event = s.query(AuditEvent).filter_by(instance_id=instance_id, action="instance_repaired").one()
        assert event.payload["changes"]["han_xu_ly"] == {"before": None, "after": 15}
        assert event.payload["reason"] == "thiếu hạn xử lý"
    timeline = admin_client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Sửa dữ liệu rồi chạy lại" in timeline and "Lý do: thiếu hạn xử lý" in timeline


def test_actions_need_a_reason_and_are_audited(admin_client, auth, engine):
    instance_id = start_sample(engine)
    without = admin_client.post(f"/admin/instances/{instance_id}/suspend", data={"csrf_token": auth.token()},
                                follow_redirects=True)
    assert "Ghi lý do" in without.get_data(as_text=True) and engine.get_instance(instance_id).status == "running"
    admin_client.post(f"/admin/instances/{instance_id}/suspend", data={"csrf_token": auth.token(), "reason": "chờ"})
    assert engine.get_instance(instance_id).status == "suspended"
    admin_client.post(f"/admin/instances/{instance_id}/resume", data={"csrf_token": auth.token(), "reason": "tiếp"})
    admin_client.post(f"/admin/instances/{instance_id}/terminate", data={"csrf_token": auth.token(), "reason": "hủy"})
    assert engine.get_instance(instance_id).status == "terminated"
    with engine.db.session() as s:
        reasons = [(e.action, e.payload.get("reason")) for e in
                   s.query(AuditEvent).filter_by(instance_id=instance_id).order_by(AuditEvent.seq)
                   if e.action.startswith("instance_") and e.action != "instance_started"]
    assert reasons == [("instance_suspended", "chờ"), ("instance_resumed", "tiếp"), ("instance_terminated", "hủy")]


def test_the_instance_page_shows_labelled_form_data_and_data_only_to_administrators(client, auth, engine):
    instance_id = start_sample(engine)
    engine.complete_task(only_task(engine, "chuyenvien").id, ensure_user(engine, "chuyenvien"),
                         {"arrival_number": 125, "subject": "Chỉ thị 15/CT-TTg", "sender": "Văn phòng Chính phủ"})
    auth.login("chuyenvien")
    clerk_view = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in clerk_view and "Hoàn thành việc" in clerk_view and "Số đến" in clerk_view
    assert 'id="instance-data"' not in clerk_view and 'id="repair' not in clerk_view
    assert client.get(f"/instances/{instance_id}/diagram.bpmn").get_data(as_text=True) == SAMPLE
    detail = engine.instance_detail(instance_id, ensure_user(engine, "chuyenvien"))
    assert "Task_register" in detail.states.completed and detail.states.current == ["Task_instruct"]
    assert "Flow_2" in detail.states.flows  # Đăng ký → Cho ý kiến
    client.post("/logout", data={"csrf_token": auth.token()})
    auth.login("admin")
    assert 'id="instance-data"' in client.get(f"/instances/{instance_id}").get_data(as_text=True)


def test_users_are_created_with_every_problem_shown_and_the_last_admin_kept(admin_client, auth, engine):
    with engine.transaction() as s:
        load_bodies(s)
    form = {"csrf_token": auth.token(), "username": "ld2", "full_name": "Lê Văn Đức", "password": "ngan",
            "confirm_password": "khac", "body_code": "LS.UBND", "title": "PHÓ CHỦ TỊCH", "signer": "on"}
    refused = admin_client.post("/admin/users/new", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "ít nhất 8 ký tự" in html and "không giống nhau" in html and "Chọn ít nhất một vai trò" in html
    assert 'value="Lê Văn Đức"' in html and 'value="PHÓ CHỦ TỊCH"' in html
    created = admin_client.post("/admin/users/new", data=dict(form, password="mat-khau-ld2", roles=["leader"],
                                                              confirm_password="mat-khau-ld2"))
    assert created.status_code == 302
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Lê Văn Đức" in listing and "Người ký" in listing and "Ủy ban nhân dân tỉnh Lạng Sơn" in listing
    admin = next(a for a in engine.accounts.list_accounts(ensure_user(engine, "admin")) if a.username == "admin")
    demoted = admin_client.post(f"/admin/users/{admin.id}", data={"csrf_token": auth.token(),
                                                                  "full_name": "Quản trị", "roles": ["clerk"]})
    assert demoted.status_code == 422 and "quản trị viên cuối cùng" in demoted.get_data(as_text=True)


def test_a_body_is_edited_with_problems_shown_and_the_directory_exported(admin_client, auth, engine):
    with engine.transaction() as s:
        load_bodies(s)
    form = {"csrf_token": auth.token(), "name": "Bưu điện tỉnh Lạng Sơn", "kind": "enterprise",
            "province": "Lạng Sơn", "valid_to": "31/02/2025", "successor_code": ["LS.VNPT"],
            "successor_functions": ["bưu chính"], "reason": "thử"}
    refused = admin_client.post("/admin/directory/LS.BDT", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "31/02/2025" in html and 'value="bưu chính"' in html
    saved = admin_client.post("/admin/directory/LS.BDT", data=dict(form, valid_to="30/06/2025"))
    assert saved.status_code == 302
    page = admin_client.get("/admin/directory/LS.BDT").get_data(as_text=True)
    assert "VNPT Lạng Sơn (bưu chính)" in page and 'id="history-2"' in page
    exported = admin_client.get("/admin/directory/export.yaml").get_data(as_text=True)
    assert "code: LS.BDT" in exported and "valid_to: 2025-06-30" in exported


def events_table(response) -> str:
    html = response.get_data(as_text=True)
    start = html.find('id="audit-events"')
    return html[start:html.find("</table>", start)] if start >= 0 else ""


def test_the_audit_page_filters_and_names_the_first_broken_event(admin_client, auth, engine):
    instance_id = start_sample(engine)
    page = events_table(admin_client.get(f"/admin/audit?instance={instance_id}"))
    assert "Khởi tạo hồ sơ" in page and "Tạo tài khoản" not in page
    by_action = events_table(admin_client.get("/admin/audit?action=user_created"))
    assert "Tạo tài khoản" in by_action and "Khởi tạo hồ sơ" not in by_action
    by_user = events_table(admin_client.get("/admin/audit?user=seed"))
    assert "Khởi tạo hồ sơ" in by_user and "Tạo tài khoản" not in by_user
    future = events_table(admin_client.get("/admin/audit?from=01/01/2030"))
    assert future == ""
    ok = admin_client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert "Nhật ký toàn vẹn" in ok
    with engine.db.session() as s:
        seq = s.query(AuditEvent).filter_by(action="instance_started").one().seq
        s.execute(text("UPDATE audit_event SET actor = 'ke-gian' WHERE seq = :seq"), {"seq": seq})
    broken = admin_client.get("/admin/audit?verify=1").get_data(as_text=True)
    assert f"Nhật ký đã bị can thiệp từ sự kiện thứ {seq}" in broken and "người, thời điểm hoặc thao tác" in broken
    assert 'id="broken-event"' in broken
    bad_date = admin_client.get("/admin/audit?from=32/13/2024").get_data(as_text=True)
    assert "Ngày không hợp lệ" in bad_date
