"""Versions of a model: the element-by-element comparison, and running instances moved to a newer
version — one waiting on a user task, one waiting on a timer — only when every waiting element
exists there, audited, with data, task ids and timer due times kept."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.kernel.errors import NotFound, PermissionDenied
from engine.kernel.models import AuditEvent, HumanTask
from engine.kernel.versions import compare_elements, model_elements
from tests.engine.bpmn_helpers import chain, flow, process, user_task

LANES = {"Chuyên viên": ["S", "Draft", "Wait", "Check", "E", "Note", "Remind", "RemindEnd"]}


def timer(kind: str, value: str) -> str:
    return f'<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>'


def v1() -> str:
    """Draft → wait 1 day → end."""
    return process("report", '<bpmn:startEvent id="S"/>' + user_task("Draft", "Soạn báo cáo", "- name: text\n  label: Nội dung")
                   + f'<bpmn:intermediateCatchEvent id="Wait" name="Chờ 1 ngày">{timer("timeDuration", chr(34) + "P1D" + chr(34))}'
                   + '</bpmn:intermediateCatchEvent><bpmn:endEvent id="E"/>' + chain("S", "Draft", "Wait", "E"),
                   lanes={"Chuyên viên": ["S", "Draft", "Wait", "E"]})


def v2(wait: str = '"P1D"', keep_draft: bool = True) -> str:
    """Draft → wait → a new check step → end; the draft gets a reminder after 2 days."""
    draft = (user_task("Draft", "Soạn báo cáo", "- name: text\n  label: Nội dung của báo cáo") if keep_draft
             else user_task("Draft2", "Soạn lại báo cáo"))
    first = "Draft" if keep_draft else "Draft2"
    remind = (f'<bpmn:boundaryEvent id="Remind" attachedToRef="Draft" cancelActivity="false">{timer("timeDuration", chr(34) + "P2D" + chr(34))}'
              '</bpmn:boundaryEvent><bpmn:scriptTask id="Note"><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>'
              '<bpmn:endEvent id="RemindEnd"/>' + chain("Remind", "Note", "RemindEnd")) if keep_draft else ""
    return process("report", '<bpmn:startEvent id="S"/>' + draft + remind
                   + f'<bpmn:intermediateCatchEvent id="Wait" name="Chờ 1 ngày">{timer("timeDuration", wait)}'
                   + '</bpmn:intermediateCatchEvent>' + user_task("Check", "Kiểm tra báo cáo")
                   + '<bpmn:endEvent id="E"/>' + chain("S", first, "Wait", "Check", "E"),
                   lanes={"Chuyên viên": ["S", first, "Wait", "Check", "E", "Remind", "Note", "RemindEnd"]})


@pytest.fixture
def two_versions(engine):
    engine.deploy_xml(v1())
    return engine


def test_comparison_names_added_removed_and_changed_elements(two_versions, admin):
    engine = two_versions
    engine.deploy_xml(v2())
    diff = engine.versions.compare(admin, "report", 1, 2)
    added = {c.element_id for c in diff.of("added")}
    assert {"Check", "Remind", "Note", "RemindEnd"} <= added
    assert {c.element_id for c in diff.of("removed")} == {"F_Wait_E"}
    changed = {c.element_id: c for c in diff.of("changed")}
    assert [a[0] for a in changed["Draft"].aspects] == ["form"]
    assert "Nội dung của báo cáo" in changed["Draft"].aspects[0][2]
    assert "Wait" not in changed  # the timer did not change


def test_a_model_saved_again_differently_shows_no_change():
    original = v1()
    # Another editor: attributes reordered, an id on the timer definition, a condition type, whitespace.
    resaved = original.replace('<bpmn:timerEventDefinition>', '<bpmn:timerEventDefinition id="TimerEventDefinition_0x1">') \
                      .replace('name="Chờ 1 ngày"', ' name="Chờ 1 ngày" ').replace("><bpmn:endEvent", ">\n  <bpmn:endEvent")
    assert compare_elements(model_elements(original.encode(), "report"), model_elements(resaved.encode(), "report")) == []
    changed = compare_elements(model_elements(original.encode(), "report"),
                               model_elements(original.replace('"P1D"', '"P2D"').encode(), "report"))
    assert [(c.element_id, [a[0] for a in c.aspects]) for c in changed] == [("Wait", ["timer"])]


def test_an_instance_waiting_on_a_user_task_moves_and_runs_the_new_step(two_versions, admin, clerk, clock):
    engine = two_versions
    inst = engine.start_instance("report", body_code="LS.UBND", data={"topic": "thi THPT"})
    task = engine.inbox(clerk)[0]
    engine.deploy_xml(v2())
    [outcome] = engine.migrate_instances(admin, [inst.id], "report", 2, reason="thêm bước kiểm tra")
    assert outcome.migrated and (outcome.from_version, outcome.to_version) == (1, 2)
    engine.instances.forget_cached()  # what follows loads the moved instance from its row
    moved = engine.get_instance(inst.id)
    assert [t.id for t in moved.ready_tasks] == [task.id]  # the same task, same id, the new form
    assert [f.label for f in engine.get_task(task.id, clerk).form] == ["Nội dung của báo cáo"]
    assert engine.instance_data(inst.id)["topic"] == "thi THPT"
    clock.advance(days=2, minutes=1)  # the reminder the new version attaches to the waiting task
    assert engine.fire_due_timers().fired == 1
    assert engine.instance_data(inst.id)["reminded"] is True
    engine.complete_task(task.id, clerk, {"text": "Đã tổ chức"})
    clock.advance(days=1, minutes=1)
    engine.fire_due_timers()
    assert [t.element_id for t in engine.get_instance(inst.id).ready_tasks] == ["Check"]  # the new step
    with engine.db.session() as s:
        event = s.query(AuditEvent).filter_by(instance_id=inst.id, action="instance_migrated").one()
        assert event.actor == "admin" and event.payload["from_version"] == 1 and event.payload["to_version"] == 2
        assert event.payload["reason"] == "thêm bước kiểm tra"


def test_an_instance_waiting_on_a_timer_moves_keeping_its_due_time(two_versions, admin, clerk, clock):
    engine = two_versions
    inst = engine.start_instance("report", body_code="LS.UBND")
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"text": "Xong"})
    due = engine.get_instance(inst.id).next_timer_at
    assert due == clock.now() + timedelta(days=1)
    clock.advance(hours=20)
    engine.deploy_xml(v2())
    [outcome] = engine.migrate_instances(admin, [inst.id], "report", 2)
    assert outcome.migrated
    engine.instances.forget_cached()
    assert engine.get_instance(inst.id).next_timer_at == due  # not restarted by the move
    clock.advance(hours=4, minutes=1)
    assert engine.fire_due_timers().fired == 1
    assert [t.element_id for t in engine.get_instance(inst.id).ready_tasks] == ["Check"]


def test_a_changed_timer_is_planned_again_from_the_move(two_versions, admin, clerk, clock):
    engine = two_versions
    inst = engine.start_instance("report", body_code="LS.UBND")
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"text": "Xong"})
    clock.advance(hours=20)
    engine.deploy_xml(v2(wait='"PT2H"'))
    assert engine.migrate_instances(admin, [inst.id], "report", 2)[0].migrated
    assert engine.get_instance(inst.id).next_timer_at == clock.now() + timedelta(hours=2)


def test_moving_is_refused_naming_the_waiting_elements_the_new_version_lacks(two_versions, admin, clerk):
    engine = two_versions
    waiting = engine.start_instance("report", body_code="LS.UBND")
    past_it = engine.start_instance("report", body_code="LS.UBND")
    engine.complete_task([t for t in engine.inbox(clerk) if t.instance_id == past_it.id][0].id, clerk, {"text": "X"})
    engine.deploy_xml(v2(keep_draft=False))
    refused, moved = engine.migrate_instances(admin, [waiting.id, past_it.id], "report", 2, reason="đổi bước")
    assert not refused.migrated and refused.missing == [("Draft", "Soạn báo cáo")]
    assert "«Soạn báo cáo»" in refused.message
    assert moved.migrated  # one refusal does not hold the others back
    assert engine.get_instance(waiting.id).definition_id != engine.get_instance(past_it.id).definition_id
    with engine.db.session() as s:
        assert s.query(AuditEvent).filter_by(instance_id=waiting.id, action="instance_migrated").count() == 0


def test_only_newer_versions_of_the_same_process_and_only_administrators(two_versions, admin, clerk):
    engine = two_versions
    inst = engine.start_instance("report", body_code="LS.UBND")
    with pytest.raises(PermissionDenied):
        engine.migrate_instances(clerk, [inst.id], "report", 1)
    with pytest.raises(NotFound):
        engine.migrate_instances(admin, [inst.id], "report", 7)
    [same] = engine.migrate_instances(admin, [inst.id], "report", 1)
    assert not same.migrated and "phiên bản mới hơn" in same.message
    [unknown] = engine.migrate_instances(admin, [10**6], "report", 1)
    assert not unknown.migrated


def test_an_instance_in_error_moves_and_is_fixed_by_the_retry(engine, admin):
    broken = process("fix", '<bpmn:startEvent id="S"/><bpmn:scriptTask id="Calc" name="Tính hạn"><bpmn:script>due = start + 1'
                     '</bpmn:script></bpmn:scriptTask>' + user_task("Act", "Xử lý", props={"role": "'clerk'"})
                     + '<bpmn:endEvent id="E"/>' + chain("S", "Calc", "Act", "E"))
    engine.deploy_xml(broken)
    inst = engine.start_instance("fix", body_code="LS.UBND")
    assert engine.get_instance(inst.id).status == "error"
    engine.deploy_xml(broken.replace("due = start + 1", "due = 1"))
    [outcome] = engine.migrate_instances(admin, [inst.id], "fix", 2)
    assert outcome.migrated and engine.get_instance(inst.id).status == "error"  # the failed step is still there
    assert engine.retry(inst.id, admin, reason="đã sửa mô hình").status == "running"
    assert engine.instance_data(inst.id)["due"] == 1


def test_open_task_rows_follow_the_new_version(two_versions, admin, clerk):
    engine = two_versions
    inst = engine.start_instance("report", body_code="LS.UBND")
    task = engine.claim_task(engine.inbox(clerk)[0].id, clerk)
    engine.deploy_xml(v2().replace('name="Soạn báo cáo"', 'name="Soạn báo cáo tháng"'))
    assert engine.migrate_instances(admin, [inst.id], "report", 2)[0].migrated
    with engine.db.session() as s:
        row = s.get(HumanTask, task.id)
        assert (row.name, row.status, row.assignee) == ("Soạn báo cáo tháng", "claimed", clerk.username)


def test_waiting_flow_is_listed_with_its_element(two_versions):
    """The comparison keeps flows: a model without the old flow shows it removed, by its route."""
    old = model_elements(v1().encode(), "report")
    assert old["F_Wait_E"].aspects["flow"] == "Chờ 1 ngày → E"
    assert flow  # the helper used by other version tests
