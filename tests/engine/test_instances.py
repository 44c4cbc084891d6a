"""Instances and human tasks: start, inbox, claim, complete, form checks, version pinning."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.kernel.accounts import Actor
from engine.kernel.errors import ConflictError, FormError, NotFound, PermissionDenied
from engine.kernel.models import HumanTask, ProcessInstance
from tests.engine.bpmn_helpers import DECISION_FORM, chain, flow, process, user_task

APPROVAL = process(
    "approval",
    '<bpmn:startEvent id="S"/>'
    + user_task("Draft", "Soạn thảo", form="- name: subject\n  label: Trích yếu\n  required: true\n")
    + user_task("Review", "Duyệt", form=DECISION_FORM, props={"due": "&quot;P2D&quot;"})
    + '<bpmn:exclusiveGateway id="G" default="F_back"/><bpmn:endEvent id="E"/>'
    + chain("S", "Draft", "Review", "G")
    + flow("F_ok", "G", "E", 'decision == "approve"') + flow("F_back", "G", "Draft"),
    lanes={"Chuyên viên": ["S", "Draft", "E"], "Lãnh đạo": ["Review", "G"]},
)


@pytest.fixture
def deployed(engine):
    engine.deploy_xml(APPROVAL)
    return engine


def test_started_instance_puts_first_task_in_the_role_inbox(deployed, clerk, leader):
    inst = deployed.start_instance("approval", business_key="CT-01", body_code="LS.UBND")
    assert inst.status == "running" and [t.element_id for t in inst.ready_tasks] == ["Draft"]
    inbox = deployed.inbox(clerk)
    assert [(t.name, t.business_key, t.candidate_role) for t in inbox] == [("Soạn thảo", "CT-01", "clerk")]
    assert deployed.inbox(leader) == []


def test_completing_tasks_walks_the_route_and_return_goes_back(deployed, clerk, leader, clock):
    inst = deployed.start_instance("approval", business_key="CT-02", body_code="LS.UBND")
    draft = deployed.inbox(clerk)[0]
    deployed.complete_task(draft.id, clerk, {"subject": "Về việc tổ chức Kỳ thi"})
    review = deployed.inbox(leader)[0]
    assert review.due_at == clock.now() + timedelta(days=2)
    after_return = deployed.complete_task(review.id, leader, {"decision": "return", "comment": "Sửa mục 2"})
    assert [t.element_id for t in after_return.ready_tasks] == ["Draft"]
    assert deployed.instance_data(inst.id)["comment"] == "Sửa mục 2"
    deployed.complete_task(deployed.inbox(clerk)[0].id, clerk, {"subject": "Về việc tổ chức Kỳ thi (sửa)"})
    done = deployed.complete_task(deployed.inbox(leader)[0].id, leader, {"decision": "approve"})
    assert done.status == "completed" and done.ready_tasks == []
    assert deployed.inbox(clerk) == [] and deployed.inbox(leader) == []


def test_form_errors_name_each_field_and_change_nothing(deployed, clerk, leader):
    inst = deployed.start_instance("approval", body_code="LS.UBND")
    deployed.complete_task(deployed.inbox(clerk)[0].id, clerk, {"subject": "X"})
    task = deployed.inbox(leader)[0]
    with pytest.raises(FormError) as info:
        deployed.complete_task(task.id, leader, {"decision": "maybe", "status": "hacked"})
    fields = {f.field for f in info.value.fields}
    assert fields == {"decision", "status"}
    after = deployed.get_instance(inst.id)
    assert [t.id for t in after.ready_tasks] == [task.id]


def test_other_bodies_cannot_see_or_complete_a_task(deployed, clerk):
    deployed.start_instance("approval", body_code="LS.UBND")
    task = deployed.inbox(clerk)[0]
    outsider = Actor("cv_cantho", "Cần Thơ", ("clerk",), "CT.UBND")
    assert deployed.inbox(outsider) == []
    with pytest.raises(NotFound):
        deployed.complete_task(task.id, outsider, {"subject": "x"})
    wrong_role = Actor("vt", "Văn thư", ("records_clerk",), "LS.UBND")
    with pytest.raises(NotFound):
        deployed.get_task(task.id, wrong_role)


def test_claimed_task_leaves_colleagues_inboxes_and_release_returns_it(deployed, clerk):
    deployed.start_instance("approval", body_code="LS.UBND")
    colleague = Actor("chuyenvien2", "Lê C", ("clerk",), "LS.UBND")
    task = deployed.inbox(clerk)[0]
    deployed.claim_task(task.id, clerk)
    assert deployed.inbox(colleague) == []
    with pytest.raises(ConflictError):
        deployed.claim_task(task.id, colleague)
    with pytest.raises(ConflictError):
        deployed.complete_task(task.id, colleague, {"subject": "x"})
    with pytest.raises(PermissionDenied):
        deployed.release_task(task.id, colleague)
    deployed.release_task(task.id, clerk)
    assert [t.id for t in deployed.inbox(colleague)] == [task.id]


def test_second_completion_of_same_task_is_a_conflict(deployed, clerk):
    inst = deployed.start_instance("approval", body_code="LS.UBND")
    task = deployed.inbox(clerk)[0]
    deployed.complete_task(task.id, clerk, {"subject": "Một"})
    with pytest.raises(ConflictError):
        deployed.complete_task(task.id, clerk, {"subject": "Hai"})
    assert deployed.instance_data(inst.id)["subject"] == "Một"


def test_instance_stays_pinned_to_its_definition_version(deployed, clerk):
    old = deployed.start_instance("approval", body_code="LS.UBND")
    deployed.deploy_xml(APPROVAL.replace('name="Duyệt"', 'name="Duyệt (bản 2)"'))
    new = deployed.start_instance("approval", body_code="LS.UBND")
    for task in deployed.inbox(clerk):
        deployed.complete_task(task.id, clerk, {"subject": "x"})
    names = {i: deployed.get_instance(i).ready_tasks[0].name for i in (old.id, new.id)}
    assert names == {old.id: "Duyệt", new.id: "Duyệt (bản 2)"}


def test_instance_row_holds_no_spec(deployed):
    inst = deployed.start_instance("approval", body_code="LS.UBND")
    with deployed.db.session() as s:
        state = s.get(ProcessInstance, inst.id).state_json
    assert '"spec"' not in state and "task_specs" not in state
    assert len(state) < 6000


def test_query_table_is_the_only_thing_the_inbox_reads(deployed, clerk):
    deployed.start_instance("approval", body_code="LS.UBND")
    with deployed.db.session() as s:
        s.query(ProcessInstance).update({ProcessInstance.state_json: "corrupt"})
    assert len(deployed.inbox(clerk)) == 1  # the inbox never deserializes a workflow
    with deployed.db.session() as s:
        assert s.query(HumanTask).count() == 1


def test_instance_is_visible_to_its_body_and_past_actors_only(deployed, clerk, leader):
    inst = deployed.start_instance("approval", body_code="LS.UBND")
    deployed.complete_task(deployed.inbox(clerk)[0].id, clerk, {"subject": "x"})
    assert deployed.get_instance(inst.id, clerk).id == inst.id
    assert deployed.get_instance(inst.id, leader).id == inst.id
    outsider = Actor("cv_cantho", "Cần Thơ", ("clerk",), "CT.UBND")
    with pytest.raises(NotFound):
        deployed.get_instance(inst.id, outsider)
    helper = Actor("cv_moved", "Đã chuyển đơn vị", ("clerk",), "CT.UBND")
    with deployed.db.session() as s:  # a task this person completed before moving to another body
        s.query(HumanTask).filter_by(instance_id=inst.id, element_id="Draft").update({"completed_by": "cv_moved"})
    assert deployed.get_instance(inst.id, helper).id == inst.id


def test_tasks_carry_the_process_name_for_inboxes(deployed, clerk):
    deployed.start_instance("approval", body_code="LS.UBND")
    assert deployed.inbox(clerk)[0].process_name == "approval"


def test_show_property_puts_earlier_data_on_the_task(engine, clerk, leader):
    xml = APPROVAL.replace('<spiffworkflow:property name="due" value="&quot;P2D&quot;"/>',
                           '<spiffworkflow:property name="due" value="&quot;P2D&quot;"/>'
                           '<spiffworkflow:property name="show" value="{&quot;Trích yếu&quot;: subject, '
                           '&quot;Hạn&quot;: date(2024, 5, 27)}"/>')
    assert xml != APPROVAL
    engine.deploy_xml(xml)
    engine.start_instance("approval", body_code="LS.UBND")
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"subject": "Về việc tổ chức Kỳ thi"})
    assert engine.inbox(leader)[0].context == [("Trích yếu", "Về việc tổ chức Kỳ thi"), ("Hạn", "27/05/2024")]


def test_show_property_that_is_not_a_dict_is_a_model_error(engine):
    xml = process("bad_show", '<bpmn:startEvent id="S"/>' + user_task("T", "Việc", props={"show": "1 + 1"})
                  + '<bpmn:endEvent id="E"/>' + chain("S", "T", "E"), lanes={"Chuyên viên": ["S", "T", "E"]})
    engine.deploy_xml(xml)
    inst = engine.start_instance("bad_show", body_code="LS.UBND")
    assert inst.status == "error" and inst.error_element == "T" and "show" in inst.error_message
