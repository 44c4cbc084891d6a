"""Messages: correlation to a waiting instance, and the parent ↔ child fan-out pattern."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.kernel.accounts import Actor
from engine.kernel.errors import NotFound
from tests.engine.bpmn_helpers import chain, process, user_task


def message_catch(eid: str, ref: str, variable: str | None = None) -> str:
    ext = ""
    if variable:
        ext = (f"<bpmn:extensionElements><spiffworkflow:messageVariable>{variable}"
               "</spiffworkflow:messageVariable></bpmn:extensionElements>")
    return (f'<bpmn:intermediateCatchEvent id="{eid}"><bpmn:messageEventDefinition messageRef="{ref}">{ext}'
            "</bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>")


def param(name: str, value: str) -> str:
    return f'<spiffworkflow:parameter id="{name}" type="any" value="{value}"/>'


PARENT = process(
    "directive_parent",
    '<bpmn:startEvent id="S"/>'
    '<bpmn:serviceTask id="Fanout" name="Giao các đơn vị"><bpmn:extensionElements>'
    '<spiffworkflow:serviceTaskOperator id="start_children" resultVariable="fanout"><spiffworkflow:parameters>'
    + param("process", "&quot;body_followup&quot;") + param("items", "bodies")
    + param("group", "&quot;followup&quot;") + param("done_message", "&quot;all_reported&quot;")
    + "</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    + message_catch("WaitAll", "Msg_all") + user_task("Aggregate", "Tổng hợp báo cáo") + '<bpmn:endEvent id="E"/>'
    + chain("S", "Fanout", "WaitAll", "Aggregate", "E"),
    lanes={"Chuyên viên": ["S", "Fanout", "WaitAll", "Aggregate", "E"]},
    extra='<bpmn:message id="Msg_all" name="all_reported"/>',
)

CHILD = process(
    "body_followup",
    '<bpmn:startEvent id="S"/>' + user_task("Report", "Báo cáo kết quả thực hiện",
                                          form="- name: content\n  label: Nội dung\n  required: true\n")
    + '<bpmn:endEvent id="E"/>' + chain("S", "Report", "E"),
    lanes={"Đơn vị được giao": ["S", "Report", "E"]},
)

ACK = process(
    "await_ack",
    '<bpmn:startEvent id="S"/>' + message_catch("WaitAck", "Msg_ack", "ack") + user_task("Next", "Tiếp tục")
    + '<bpmn:endEvent id="E"/>' + chain("S", "WaitAck", "Next", "E"),
    lanes={"Chuyên viên": ["S", "WaitAck", "Next", "E"]},
    extra='<bpmn:message id="Msg_ack" name="acknowledged"/>',
)

BODIES = [{"body_code": "LS.CA", "name": "Công an tỉnh"}, {"body_code": "LS.SYT", "name": "Sở Y tế"},
          {"body_code": "LS.STC", "name": "Sở Tài chính"}]


def officer(code: str) -> Actor:
    return Actor(f"cb_{code}", code, ("body_officer",), code)


def test_message_reaches_only_the_instance_with_that_business_key(engine, clerk):
    engine.deploy_xml(ACK)
    one = engine.start_instance("await_ack", business_key="K1", body_code="LS.UBND")
    two = engine.start_instance("await_ack", business_key="K2", body_code="LS.UBND")
    assert engine.correlate_message("acknowledged", business_key="K1", payload={"by": "Sở Y tế"}) == [one.id]
    assert [t.element_id for t in engine.get_instance(one.id).ready_tasks] == ["Next"]
    assert engine.get_instance(two.id).ready_tasks == []
    assert engine.instance_data(one.id)["ack"] == {"by": "Sở Y tế"}


def test_message_nobody_waits_for_is_reported(engine):
    engine.deploy_xml(ACK)
    with pytest.raises(NotFound):
        engine.correlate_message("acknowledged", business_key="nobody")


def test_parent_fans_out_and_resumes_when_the_last_child_ends(engine, clerk):
    engine.deploy_xml(CHILD)
    engine.deploy_xml(PARENT)
    parent = engine.start_instance("directive_parent", business_key="05/CT-UBND", data={"bodies": BODIES},
                                   body_code="LS.UBND")
    children = engine.list_instances(parent_id=parent.id)
    assert sorted(c.body_code for c in children) == sorted(b["body_code"] for b in BODIES)
    assert engine.instance_data(parent.id)["fanout"] == {"group": "followup", "count": 3}
    version_after_fanout = engine.get_instance(parent.id).version
    for i, body in enumerate(BODIES):
        tasks = engine.inbox(officer(body["body_code"]))
        assert len(tasks) == 1  # each body sees only its own report task
        engine.complete_task(tasks[0].id, officer(body["body_code"]), {"content": f"Báo cáo {i}"})
        parent_now = engine.get_instance(parent.id)
        if i < len(BODIES) - 1:
            assert parent_now.version == version_after_fanout and parent_now.ready_tasks == []
    assert [t.element_id for t in engine.get_instance(parent.id).ready_tasks] == ["Aggregate"]
    assert all(c.status == "completed" for c in engine.list_instances(parent_id=parent.id))


RACE = process(
    "reply_or_deadline",
    '<bpmn:startEvent id="S"/><bpmn:eventBasedGateway id="G"/>'
    + message_catch("Reply", "Msg_reply")
    + '<bpmn:intermediateCatchEvent id="Deadline"><bpmn:timerEventDefinition><bpmn:timeDuration>"P2D"'
      "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    + user_task("Answered", "Xử lý trả lời") + user_task("Silent", "Ghi nhận không trả lời")
    + '<bpmn:endEvent id="E1"/><bpmn:endEvent id="E2"/>'
    + chain("S", "G") + chain("G", "Reply", "Answered", "E1") + chain("G", "Deadline", "Silent", "E2"),
    lanes={"Chuyên viên": ["S", "G", "Reply", "Deadline", "Answered", "Silent", "E1", "E2"]},
    extra='<bpmn:message id="Msg_reply" name="reply"/>',
)


def test_event_based_gateway_takes_the_message_when_it_comes_first(engine, clock):
    engine.deploy_xml(RACE)
    inst = engine.start_instance("reply_or_deadline", business_key="R1", body_code="LS.UBND")
    assert inst.next_timer_at == clock.now() + timedelta(days=2)
    engine.correlate_message("reply", business_key="R1")
    after = engine.get_instance(inst.id)
    assert [t.element_id for t in after.ready_tasks] == ["Answered"] and after.next_timer_at is None


def test_event_based_gateway_takes_the_timer_when_nothing_comes(engine, clock):
    engine.deploy_xml(RACE)
    inst = engine.start_instance("reply_or_deadline", business_key="R2", body_code="LS.UBND")
    clock.advance(days=2, seconds=1)
    assert engine.fire_due_timers().fired == 1
    assert [t.element_id for t in engine.get_instance(inst.id).ready_tasks] == ["Silent"]
    with pytest.raises(NotFound):
        engine.correlate_message("reply", business_key="R2")


PATIENT_PARENT = PARENT.replace(
    message_catch("WaitAll", "Msg_all"),
    '<bpmn:receiveTask id="WaitAll" messageRef="Msg_all"/>'
    '<bpmn:boundaryEvent id="Deadline" attachedToRef="WaitAll"><bpmn:timerEventDefinition><bpmn:timeDuration>'
    '"P7D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
    + user_task("Late", "Tổng hợp khi hết hạn") + '<bpmn:endEvent id="E_late"/>' + chain("Deadline", "Late", "E_late"),
).replace('"Chuyên viên": ["S"', '"Chuyên viên": ["Deadline", "Late", "E_late", "S"').replace(
    "<bpmn:flowNodeRef>S</bpmn:flowNodeRef>",
    "<bpmn:flowNodeRef>S</bpmn:flowNodeRef><bpmn:flowNodeRef>Deadline</bpmn:flowNodeRef>"
    "<bpmn:flowNodeRef>Late</bpmn:flowNodeRef><bpmn:flowNodeRef>E_late</bpmn:flowNodeRef>")


def test_children_finishing_after_the_parent_moved_on_do_not_fail(engine, clock):
    from engine.kernel.models import AuditEvent

    engine.deploy_xml(CHILD)
    engine.deploy_xml(PATIENT_PARENT)
    parent = engine.start_instance("directive_parent", data={"bodies": BODIES[:2]}, body_code="LS.UBND")
    clock.advance(days=7, seconds=1)
    assert engine.fire_due_timers().fired == 1
    assert [t.element_id for t in engine.get_instance(parent.id).ready_tasks] == ["Late"]
    for body in BODIES[:2]:
        task = engine.inbox(officer(body["body_code"]))[0]
        engine.complete_task(task.id, officer(body["body_code"]), {"content": "muộn"})
    assert [t.element_id for t in engine.get_instance(parent.id).ready_tasks] == ["Late"]
    with engine.db.session() as s:
        assert s.query(AuditEvent).filter_by(instance_id=parent.id, action="message_not_awaited").count() == 1
