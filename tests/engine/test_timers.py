"""Timers with a moved clock: intermediate timers, interrupting and non-interrupting boundary
timers; due times stored on the row; firing is idempotent."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.kernel.models import AuditEvent, HumanTask
from tests.engine.bpmn_helpers import chain, process, user_task


def timer(kind: str, value: str) -> str:
    return f'<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>'


FOLLOW_UP = process(
    "follow_up",
    '<bpmn:startEvent id="S"/>'
    + user_task("Report", "Gửi báo cáo")
    + '<bpmn:boundaryEvent id="Remind" attachedToRef="Report" cancelActivity="false">'
    + timer("timeDuration", '"P1D"') + "</bpmn:boundaryEvent>"
    + '<bpmn:scriptTask id="Note"><bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>'
    + '<bpmn:endEvent id="RemindEnd"/>'
    + '<bpmn:boundaryEvent id="Overdue" attachedToRef="Report" cancelActivity="true">'
    + timer("timeDuration", '"P3D"') + "</bpmn:boundaryEvent>"
    + user_task("Escalate", "Báo cáo lãnh đạo: đơn vị chậm")
    + '<bpmn:endEvent id="E"/><bpmn:endEvent id="E2"/>'
    + chain("S", "Report", "E") + chain("Remind", "Note", "RemindEnd") + chain("Overdue", "Escalate", "E2"),
    lanes={"Đơn vị được giao": ["S", "Report", "E", "Remind", "Note", "RemindEnd", "Overdue"],
           "Lãnh đạo": ["Escalate", "E2"]},
)

WAIT = process(
    "wait_then_act",
    '<bpmn:startEvent id="S"/><bpmn:intermediateCatchEvent id="Wait">' + timer("timeDuration", '"PT1H"')
    + '</bpmn:intermediateCatchEvent><bpmn:scriptTask id="Mark"><bpmn:script>waited = True</bpmn:script>'
    + "</bpmn:scriptTask>" + user_task("Act", "Xử lý") + '<bpmn:endEvent id="E"/>'
    + chain("S", "Wait", "Mark", "Act", "E"),
    lanes={"Chuyên viên": ["S", "Wait", "Mark", "Act", "E"]},
)


def _fired(engine, instance_id):
    with engine.db.session() as s:
        return s.query(AuditEvent).filter_by(instance_id=instance_id, action="timer_fired").count()


def test_intermediate_timer_fires_only_when_the_clock_reaches_it(engine, clock, clerk):
    engine.deploy_xml(WAIT)
    inst = engine.start_instance("wait_then_act", body_code="LS.UBND")
    assert inst.next_timer_at == clock.now() + timedelta(hours=1)
    assert inst.ready_tasks == []
    clock.advance(minutes=59)
    assert engine.fire_due_timers().fired == 0
    clock.advance(minutes=2)
    assert engine.fire_due_timers().fired == 1
    after = engine.get_instance(inst.id)
    assert [t.element_id for t in after.ready_tasks] == ["Act"] and after.next_timer_at is None
    assert engine.instance_data(inst.id)["waited"] is True
    assert engine.fire_due_timers().fired == 0 and _fired(engine, inst.id) == 1


def test_boundary_timers_remind_then_interrupt(engine, clock, leader):
    engine.deploy_xml(FOLLOW_UP)
    inst = engine.start_instance("follow_up", body_code="LS.UBND")
    assert inst.next_timer_at == clock.now() + timedelta(days=1)
    clock.advance(days=1, seconds=1)
    assert engine.fire_due_timers().fired == 1
    mid = engine.get_instance(inst.id)
    assert [t.element_id for t in mid.ready_tasks] == ["Report"]  # non-interrupting: still open
    assert engine.instance_data(inst.id).get("reminded") is True
    assert mid.next_timer_at == inst.created_at + timedelta(days=3)
    clock.advance(days=2)
    assert engine.fire_due_timers().fired == 1
    late = engine.get_instance(inst.id)
    assert [t.element_id for t in late.ready_tasks] == ["Escalate"]
    with engine.db.session() as s:
        report = s.query(HumanTask).filter_by(instance_id=inst.id, element_id="Report").one()
        assert report.status == "cancelled"
    assert [t.element_id for t in engine.inbox(leader)] == ["Escalate"]


def test_completing_before_the_boundary_timer_clears_it(engine, clock):
    from engine.kernel.accounts import Actor

    officer = Actor("cb", "Cán bộ", ("body_officer",), "LS.UBND")
    engine.deploy_xml(FOLLOW_UP)
    inst = engine.start_instance("follow_up", body_code="LS.UBND")
    done = engine.complete_task(engine.inbox(officer)[0].id, officer, {})
    assert done.status == "completed" and done.next_timer_at is None
    clock.advance(days=10)
    assert engine.fire_due_timers().fired == 0
    assert _fired(engine, inst.id) == 0


def test_many_due_timers_fire_in_one_sweep(engine, clock):
    engine.deploy_xml(WAIT)
    ids = [engine.start_instance("wait_then_act", body_code="LS.UBND").id for _ in range(12)]
    clock.advance(hours=2)
    assert engine.fire_due_timers().fired == 12
    assert all(_fired(engine, i) == 1 for i in ids)
    assert engine.next_timer_due() is None


@pytest.mark.parametrize("when", ['"2024-05-21T08:00:00+00:00"'])
def test_time_date_timer_uses_the_given_instant(engine, clock, when):
    xml = WAIT.replace('<bpmn:timeDuration>"PT1H"</bpmn:timeDuration>', f"<bpmn:timeDate>{when}</bpmn:timeDate>")
    engine.deploy_xml(xml)
    inst = engine.start_instance("wait_then_act", body_code="LS.UBND")
    assert inst.next_timer_at.isoformat() == "2024-05-21T08:00:00+00:00"
    clock.set(inst.next_timer_at + timedelta(seconds=1))
    assert engine.fire_due_timers().fired == 1


def test_an_instance_that_cannot_be_loaded_does_not_hold_back_the_others(engine, clock):
    """The broken instance is in the middle of the batch: it goes to the error state with a message,
    and every healthy due instance of the batch still fires."""
    from sqlalchemy import update

    from engine.kernel.models import ProcessInstance

    engine.deploy_xml(WAIT)
    ids = [engine.start_instance("wait_then_act", body_code="LS.UBND").id for _ in range(5)]
    broken = ids[2]
    with engine.db.session(write=True) as s:
        s.execute(update(ProcessInstance).where(ProcessInstance.id == broken)
                  .values(state_json='{"not": "a workflow"}',
                          next_timer_at=clock.now() + timedelta(minutes=30)))
    engine.instances.forget_cached()
    clock.advance(hours=2)
    sweep = engine.fire_due_timers()
    assert (sweep.fired, sweep.failed) == (4, 1)
    for iid in ids:
        after = engine.get_instance(iid)
        if iid == broken:
            assert after.status == "error" and after.error_message.startswith("Không chạy được hẹn giờ")
        else:
            assert after.status == "running" and [t.element_id for t in after.ready_tasks] == ["Act"]
    again = engine.fire_due_timers()
    assert (again.fired, again.failed) == (0, 0)
    with engine.db.session() as s:
        assert s.query(AuditEvent).filter_by(instance_id=broken, action="timer_failed").count() == 1
        assert s.query(AuditEvent).filter_by(action="timer_fired").count() == 4


def test_a_step_that_fails_after_writing_is_rolled_back_to_its_savepoint(engine, clock, monkeypatch):
    """Timers fire in batches, each instance in a savepoint: one whose step fails after it wrote its
    row (the query-table write here) leaves nothing of that step behind — no task row, no audit
    event, its saved state untouched — goes to the error state, and the others of its batch fire."""
    from engine.kernel import humantasks
    from engine.kernel.models import ProcessInstance

    engine.deploy_xml(WAIT)
    ids = [engine.start_instance("wait_then_act", body_code="LS.UBND").id for _ in range(5)]
    broken = ids[2]
    with engine.db.session() as s:
        state_before = s.get(ProcessInstance, broken).state_json
    real_sync = humantasks.sync

    def failing_sync(session, instance, *args, **kwargs):
        if instance.id == broken:
            raise RuntimeError("the query table refused the row")
        return real_sync(session, instance, *args, **kwargs)

    monkeypatch.setattr(humantasks, "sync", failing_sync)
    clock.advance(hours=2)
    sweep = engine.fire_due_timers()
    assert (sweep.fired, sweep.failed) == (4, 1)
    with engine.db.session() as s:
        row = s.get(ProcessInstance, broken)
        assert row.status == "error" and "query table refused" in row.error_message
        assert row.state_json == state_before  # the step's save was rolled back with its savepoint
        assert s.query(HumanTask).filter_by(instance_id=broken).count() == 0
        assert s.query(AuditEvent).filter_by(instance_id=broken, action="timer_fired").count() == 0
        assert s.query(AuditEvent).filter_by(instance_id=broken, action="timer_failed").count() == 1
        assert s.query(AuditEvent).filter_by(action="timer_fired").count() == 4
    assert engine.verify_audit().ok


def test_a_batch_whose_transaction_fails_is_fired_again_one_instance_at_a_time(engine, clock, monkeypatch):
    """If the batch's own transaction fails (here its audit append, once), nothing of it is kept and
    its instances are fired again, each in a transaction of its own: every timer fires exactly once."""
    from engine.kernel import audit

    engine.deploy_xml(WAIT)
    ids = [engine.start_instance("wait_then_act", body_code="LS.UBND").id for _ in range(5)]
    real_append, calls = audit.append, []

    def append_failing_once(session, events):
        if events:
            calls.append(len(events))
        if len(calls) == 1 and events:
            raise RuntimeError("the disk is full")
        return real_append(session, events)

    monkeypatch.setattr(audit, "append", append_failing_once)
    clock.advance(hours=2)
    sweep = engine.fire_due_timers()
    assert (sweep.fired, sweep.failed) == (5, 0)
    assert calls[0] >= 5 and len(calls) == 6  # one batch of five, then five transactions of one
    assert all(_fired(engine, iid) == 1 for iid in ids)
    assert all([t.element_id for t in engine.get_instance(iid).ready_tasks] == ["Act"] for iid in ids)
    assert engine.verify_audit().ok
