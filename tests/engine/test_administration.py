"""What the administrators' pages stand on in the engine: repair then retry (values checked, before
and after audited), the error list (longest-failing first, with since-when), the instance page's
diagram states and timeline (labelled form data, the steps the engine ran, what a non-admin may
open), drafts and new processes, and the audit log's filters."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.kernel.accounts import Actor
from engine.kernel.audit import AuditFilter
from engine.kernel.errors import FormError, InvalidState, NotFound, PermissionDenied
from engine.kernel.models import AuditEvent
from tests.engine.bpmn_helpers import chain, process, user_task

FORM = "- name: so_den\n  label: Số đến\n  type: number\n  required: true"
CALC = process("calc", '<bpmn:startEvent id="S"/>' + user_task("Enter", "Nhập văn bản", FORM)
               + '<bpmn:scriptTask id="Due" name="Tính hạn"><bpmn:script>han = so_den + so_ngay</bpmn:script>'
               '</bpmn:scriptTask>' + user_task("Handle", "Xử lý") + '<bpmn:endEvent id="E"/>'
               + chain("S", "Enter", "Due", "Handle", "E"),
               lanes={"Chuyên viên": ["S", "Enter", "Due", "Handle", "E"]})


@pytest.fixture
def failing(engine, clerk, clock):
    """An instance that fails at "Tính hạn" (so_ngay was never set), an hour after it started."""
    engine.deploy_xml(CALC)
    inst = engine.start_instance("calc", body_code="LS.UBND", business_key="VB-1")
    clock.advance(hours=1)
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"so_den": 125})
    assert engine.get_instance(inst.id).status == "error"
    return inst.id


def test_repair_sets_the_missing_variable_and_runs_the_failed_step_again(engine, failing, admin, clerk):
    info = engine.repair_and_retry(failing, admin, {"so_ngay": 15}, [], "thiếu số ngày xử lý")
    assert info.status == "running" and [t.element_id for t in info.ready_tasks] == ["Handle"]
    assert engine.instance_data(failing)["han"] == 140
    with engine.db.session() as s:
        event = s.query(AuditEvent).filter_by(instance_id=failing, action="instance_repaired").one()
    assert event.payload["changes"] == {"so_ngay": {"before": None, "after": 15}}
    assert event.payload["reason"] == "thiếu số ngày xử lý" and "Due" in event.payload["ran"]


def test_a_repair_is_checked_before_anything_changes(engine, failing, admin, clerk):
    with pytest.raises(PermissionDenied):
        engine.repair_and_retry(failing, clerk, {"so_ngay": 15}, [], "x")
    with pytest.raises(FormError) as refused:
        engine.repair_and_retry(failing, admin, {"_private": 1, "x": {"typename": "chithi.date"}, "y": [[[]] * 2] * 2},
                                ["bad name"], "")
    fields = {p.field for p in refused.value.fields}
    assert {"_private", "x", "bad name", "reason"} <= fields
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(FormError, match="lồng quá"):
        engine.repair_and_retry(failing, admin, {"z": deep}, [], "sâu")
    assert engine.get_instance(failing).status == "error"
    engine.retry(failing, admin, reason="chưa sửa gì")  # the same failure again keeps its first moment
    with pytest.raises(InvalidState):
        engine.repair_and_retry(engine.start_instance("calc", body_code="LS.UBND").id, admin, {"a": 1}, [], "x")


def test_the_error_list_gives_the_failed_step_by_name_and_since_when(engine, failing, admin, clock):
    first_error_at = engine.get_instance(failing).error_at
    clock.advance(hours=2)
    engine.retry(failing, admin, reason="thử lại")  # fails the same way: still failing since the first time
    [row] = engine.admin.errors(admin)
    assert (row.info.id, row.error_element_name, row.info.error_at) == (failing, "Tính hạn", first_error_at)
    assert "so_ngay" in row.info.error_message and row.process_name == "calc" and row.version == 1
    with pytest.raises(PermissionDenied):
        engine.admin.errors(Actor("x", "X", ("clerk",), "LS.UBND"))


def test_the_instance_page_shows_where_it_stands_and_who_did_what(engine, failing, admin, clerk):
    detail = engine.instance_detail(failing, admin)
    assert detail.states.completed[:2] == ["S", "Enter"] and detail.states.failed == ["Due"]
    assert detail.error_element_name == "Tính hạn" and detail.data["so_den"] == 125
    completed = next(e for e in detail.timeline if e.action == "task_completed")
    assert completed.actor == "chuyenvien" and completed.element_name == "Nhập văn bản"
    assert completed.fields == [("Số đến", 125)] and completed.error and "so_ngay" in completed.error
    engine.repair_and_retry(failing, admin, {"so_ngay": 15}, [], "sửa")
    after = engine.instance_detail(failing, clerk)
    assert after.data is None  # the data is for administrators
    assert "Due" in after.states.completed and after.states.current == ["Handle"]
    assert [e.action for e in after.timeline][-1] == "instance_repaired"
    assert after.timeline[-1].ran == ["Tính hạn"]


def test_parent_and_children_are_listed_only_when_they_may_be_opened(engine, admin, clerk):
    engine.deploy_xml(process("child", '<bpmn:startEvent id="S"/>' + user_task("Do", "Làm") + '<bpmn:endEvent id="E"/>'
                              + chain("S", "Do", "E"), lanes={"Cán bộ đơn vị được giao": ["S", "Do", "E"]}))
    engine.deploy_xml(process("parent", '<bpmn:startEvent id="S"/><bpmn:serviceTask id="Fan"><bpmn:extensionElements>'
                              '<spiffworkflow:serviceTaskOperator id="start_children"><spiffworkflow:parameters>'
                              '<spiffworkflow:parameter id="process" type="any" value="\'child\'"/>'
                              '<spiffworkflow:parameter id="items" type="any" value="bodies"/>'
                              '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
                              '</bpmn:serviceTask>' + user_task("Wait", "Chờ", props={"role": "clerk"})
                              + '<bpmn:endEvent id="E"/>' + chain("S", "Fan", "Wait", "E")))
    parent = engine.start_instance("parent", body_code="LS.UBND",
                                   data={"bodies": [{"body_code": "LS.SYT"}, {"body_code": "LS.CA"}]})
    assert engine.instance_detail(parent.id, admin).children_total == 2
    assert engine.instance_detail(parent.id, clerk).children == []  # neither child is the clerk's body's
    health = Actor("syt", "Cán bộ Sở Y tế", ("body_officer",), "LS.SYT")
    [child] = [c for c in engine.list_instances(parent_id=parent.id) if c.body_code == "LS.SYT"]
    mine = engine.instance_detail(child.id, health)
    assert mine.parent is None  # the issuing office's instance is not theirs to open: no link
    assert engine.instance_detail(child.id, admin).parent.id == parent.id
    with pytest.raises(NotFound):
        engine.instance_detail(parent.id, health)


def test_drafts_new_processes_and_copies(engine, admin, clerk):
    engine.deploy_xml(CALC)
    with pytest.raises(PermissionDenied):
        engine.modeling.processes(clerk)
    draft = engine.modeling.new_process(admin, "nhac_viec", "Nhắc việc")
    assert draft.process_id == "nhac_viec" and engine.modeling.check(admin, draft.xml.encode()) == []
    copy = engine.modeling.new_process(admin, "calc_2", "Tính hạn (bản sao)", copy_of=("calc", 1))
    assert 'id="calc_2"' in copy.xml and "Tính hạn (bản sao)" in copy.xml
    [deployed] = engine.modeling.deploy(admin, copy.xml.encode())
    assert (deployed.process_id, deployed.version, deployed.deployed_by) == ("calc_2", 1, "admin")
    assert engine.modeling.draft(admin, "calc_2") is None
    with pytest.raises(FormError, match="đã được dùng"):
        engine.modeling.new_process(admin, "calc", "Trùng")
    with pytest.raises(FormError, match="Mã quy trình"):
        engine.modeling.new_process(admin, "1 sai", "Sai")
    summary = {p.process_id: p for p in engine.modeling.processes(admin)}
    assert summary["nhac_viec"].latest_version is None and summary["nhac_viec"].draft_updated_at is not None
    engine.modeling.discard_draft(admin, "nhac_viec")
    with pytest.raises(NotFound):
        engine.modeling.discard_draft(admin, "nhac_viec")
    with pytest.raises(NotFound):
        engine.modeling.versions(admin, "khong_co")


def test_the_audit_log_filters_by_person_action_record_and_time(engine, failing, admin, clock):
    other = engine.start_instance("calc", body_code="LS.UBND", ref=("directive", 7))
    mine = engine.admin.audit_events(admin, AuditFilter(), ref=("directive", 7))
    assert {e.instance_id for e in mine} == {other.id}
    by_person = engine.admin.audit_events(admin, AuditFilter(actor="chuyenvien"))
    assert [e.action for e in by_person] == ["task_completed"]
    started = engine.admin.audit_events(admin, AuditFilter(action="instance_started"))
    assert [e.instance_id for e in started] == [other.id, failing]  # newest first
    later = engine.admin.audit_events(admin, AuditFilter(since=clock.now() + timedelta(minutes=1)))
    assert later == []
    report, broken, _at = engine.admin.audit_report(admin)
    assert report.ok and broken is None
