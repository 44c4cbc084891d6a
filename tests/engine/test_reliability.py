"""Races and failures: concurrent completions, two scheduler processes, failing service tasks,
suspend/resume/terminate, and the audit chain."""
from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from engine.app import build_engine, core_services
from engine.kernel.accounts import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.errors import ConflictError, InvalidState, PermissionDenied
from engine.kernel.models import AuditEvent, HumanTask
from tests.engine.bpmn_helpers import chain, process, user_task
from tests.engine.test_instances import APPROVAL
from tests.engine.test_timers import WAIT


def test_two_clerks_completing_the_same_task_at_once_one_wins(engine, clerk):
    engine.deploy_xml(APPROVAL)
    inst = engine.start_instance("approval", body_code="LS.UBND")
    task = engine.inbox(clerk)[0]
    colleague = Actor("chuyenvien2", "Lê C", ("clerk",), "LS.UBND")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(actor, subject):
        barrier.wait()
        try:
            engine.complete_task(task.id, actor, {"subject": subject})
            outcomes[actor.username] = "ok"
        except ConflictError as exc:
            outcomes[actor.username] = exc

    # Each thread deserializes its own copy: drop the cached workflow so both race from the row.
    engine.instances.forget_cached()
    threads = [threading.Thread(target=attempt, args=(a, a.username)) for a in (clerk, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(str(v) == "ok" for v in outcomes.values()) == [False, True]
    winner = next(k for k, v in outcomes.items() if v == "ok")
    assert engine.instance_data(inst.id)["subject"] == winner
    with engine.db.session() as s:
        assert s.query(AuditEvent).filter_by(action="task_completed").count() == 1
        assert s.query(HumanTask).filter_by(instance_id=inst.id, status="completed").count() == 1
        assert s.query(HumanTask).filter_by(instance_id=inst.id, status="ready").count() == 1


def _fire_worker(url: str, now_iso: str, out):
    eng = build_engine(url, clock=FrozenClock(datetime.fromisoformat(now_iso)))
    try:
        sweep = eng.fire_due_timers()
        out.put((sweep.fired, sweep.failed))
    finally:
        eng.db.dispose()


def run_schedulers(db_url: str, now: datetime, workers: int, timeout: float = 120) -> list[tuple[int, int]]:
    """(fired, failed) of `workers` scheduler processes sweeping the same database at `now`."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_fire_worker, args=(db_url, now.isoformat(), out)) for _ in range(workers)]
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return results


@pytest.mark.parametrize("workers", [2])
def test_each_timer_fires_exactly_once_with_several_scheduler_processes(engine, clock, db_url, workers):
    engine.deploy_xml(WAIT)
    ids = [engine.start_instance("wait_then_act", body_code="LS.UBND").id for _ in range(30)]
    results = run_schedulers(db_url, clock.now() + timedelta(hours=2), workers)
    assert sum(fired for fired, _ in results) == len(ids) and all(failed == 0 for _, failed in results)
    with engine.db.session() as s:
        fired = dict(s.execute(text(
            "SELECT instance_id, count(*) FROM audit_event WHERE action = 'timer_fired' GROUP BY instance_id")).all())
    assert fired == {i: 1 for i in ids}
    assert all(engine.get_instance(i).ready_tasks[0].element_id == "Act" for i in ids)


FLAKY = process(
    "flaky",
    '<bpmn:startEvent id="S"/><bpmn:serviceTask id="Call" name="Gọi dịch vụ"><bpmn:extensionElements>'
    '<spiffworkflow:serviceTaskOperator id="flaky_service" resultVariable="result">'
    '<spiffworkflow:parameters/></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
    "</bpmn:serviceTask>" + user_task("After", "Sau dịch vụ") + '<bpmn:endEvent id="E"/>'
    + chain("S", "Call", "After", "E"),
    lanes={"Chuyên viên": ["S", "Call", "After", "E"]},
)


@pytest.fixture
def flaky_engine(db_url, clock):
    state = {"fail": True, "calls": 0}
    registry = core_services()

    def flaky_service(call, params):
        state["calls"] += 1
        call.session.add(HumanTask(
            instance_id=call.instance_id, task_uuid=f"side-effect-{state['calls']}", element_id="x", name="x",
            status="cancelled", process_id="flaky", created_at=call.now))
        if state["fail"]:
            raise RuntimeError("máy chủ thư không trả lời")
        return {"ok": True}

    registry.register("flaky_service", flaky_service)
    eng = build_engine(db_url, clock=clock, services=registry)
    eng.deploy_xml(FLAKY)
    yield eng, state
    eng.db.dispose()


def test_failing_service_task_puts_instance_in_error_and_retry_resumes(flaky_engine, admin, clerk):
    eng, state = flaky_engine
    inst = eng.start_instance("flaky", body_code="LS.UBND")
    assert inst.status == "error" and inst.error_element == "Call"
    assert "máy chủ thư không trả lời" in inst.error_message
    with eng.db.session() as s:  # the failed call's own writes were rolled back
        assert s.query(HumanTask).filter(HumanTask.task_uuid.like("side-effect-%")).count() == 0
    with pytest.raises(PermissionDenied):
        eng.retry(inst.id, clerk)
    state["fail"] = False
    after = eng.retry(inst.id, admin)
    assert after.status == "running" and after.error_message is None
    assert [t.element_id for t in after.ready_tasks] == ["After"]
    assert eng.instance_data(inst.id)["result"] == {"ok": True}
    with eng.db.session() as s:
        assert s.query(HumanTask).filter(HumanTask.task_uuid.like("side-effect-%")).count() == 1


def test_suspend_blocks_work_resume_allows_it_terminate_cancels_tasks(engine, admin, clerk, clock):
    engine.deploy_xml(APPROVAL)
    inst = engine.start_instance("approval", body_code="LS.UBND")
    task = engine.inbox(clerk)[0]
    engine.suspend(inst.id, admin)
    with pytest.raises(InvalidState):
        engine.complete_task(task.id, clerk, {"subject": "x"})
    engine.resume(inst.id, admin)
    engine.complete_task(task.id, clerk, {"subject": "x"})
    ended = engine.terminate(inst.id, admin, reason="Văn bản bị thu hồi")
    assert ended.status == "terminated" and ended.ready_tasks == []
    with pytest.raises(InvalidState):
        engine.resume(inst.id, admin)


def test_suspended_instance_timers_wait(engine, admin, clock):
    engine.deploy_xml(WAIT)
    inst = engine.start_instance("wait_then_act", body_code="LS.UBND")
    engine.suspend(inst.id, admin)
    clock.advance(hours=3)
    assert engine.fire_due_timers().fired == 0
    engine.resume(inst.id, admin)
    assert engine.fire_due_timers().fired == 1


def test_audit_chain_verifies_and_detects_tampering(engine, clerk):
    engine.deploy_xml(APPROVAL)
    engine.start_instance("approval", body_code="LS.UBND")
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"subject": "Về việc A"})
    report = engine.verify_audit()
    assert report.ok and report.checked >= 3
    with engine.db.session() as s:
        ev = s.query(AuditEvent).filter_by(action="task_completed").one()
        seq = ev.seq
        ev.payload = {**ev.payload, "data": {"subject": "Về việc B"}}
    bad = engine.verify_audit()
    assert not bad.ok and bad.broken_at == seq and "payload" in bad.reason


def test_audit_chain_detects_a_deleted_event(engine, clerk):
    engine.deploy_xml(APPROVAL)
    engine.start_instance("approval", body_code="LS.UBND")
    engine.complete_task(engine.inbox(clerk)[0].id, clerk, {"subject": "Về việc A"})
    with engine.db.session() as s:
        s.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    bad = engine.verify_audit()
    assert not bad.ok and bad.broken_at == 2
    with engine.db.session() as s:
        last = s.query(AuditEvent).order_by(AuditEvent.seq.desc()).first()
        s.delete(last)
    assert not engine.verify_audit().ok


def test_scheduler_schedules_the_next_due_timer(engine, clock):
    from engine.kernel.scheduler import TimerScheduler

    engine.deploy_xml(WAIT)
    engine.start_instance("wait_then_act", body_code="LS.UBND")
    sched = TimerScheduler(engine.timers, sweep_seconds=3600)
    sched._scheduler.start(paused=True)
    try:
        engine.instances.timer_listeners.append(sched.wake)
        sched.wake(engine.next_timer_due())
        assert sched.next_run() is not None
        clock.advance(hours=2)
        assert sched.run_due() == 1
        assert engine.next_timer_due() is None
    finally:
        sched._scheduler.shutdown(wait=False)


def test_a_scheduler_process_sees_timers_another_process_set(engine, db_url, clock):
    """`chithi scheduler` beside gunicorn: a web worker's new timer reaches the scheduler's date job
    through the poll of the earliest due time, not only at the half-minute sweep."""
    from engine.kernel.scheduler import TimerScheduler

    engine.deploy_xml(WAIT)
    sched = TimerScheduler(engine.timers, sweep_seconds=3600)
    sched._scheduler.start(paused=True)
    worker = build_engine(db_url, clock=clock)  # another process on the same database
    try:
        assert sched.next_run() is None
        worker.start_instance("wait_then_act", body_code="LS.UBND")
        assert sched.next_run() is None  # nothing in this process heard of it
        sched.poll()
        assert sched.next_run() is not None
        clock.advance(hours=2)
        assert sched.run_due() == 1 and engine.next_timer_due() is None
    finally:
        sched._scheduler.shutdown(wait=False)
        worker.db.dispose()


def test_task_property_that_cannot_be_evaluated_puts_instance_in_error(engine):
    xml = process("bad_due", '<bpmn:startEvent id="S"/>' + user_task("T", "Việc", props={"due": "deadline"})
                  + '<bpmn:endEvent id="E"/>' + chain("S", "T", "E"), lanes={"Chuyên viên": ["S", "T", "E"]})
    engine.deploy_xml(xml)
    inst = engine.start_instance("bad_due", body_code="LS.UBND")
    assert inst.status == "error" and inst.error_element == "T"
    assert "deadline" in inst.error_message
