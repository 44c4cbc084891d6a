"""A process killed (SIGKILL) in the middle of a step leaves nothing half-applied: the task is still
ready, the instance row and the audit chain are unchanged, a service's writes are gone, and the
step can be done again."""
from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import datetime

from engine.app import build_engine, core_services
from engine.kernel.accounts import Actor
from engine.kernel.clock import FrozenClock
from engine.kernel.models import AuditEvent, HumanTask, ProcessInstance
from tests.engine.bpmn_helpers import chain, process, user_task

MODEL = process(
    "crashy",
    '<bpmn:startEvent id="S"/>' + user_task("Prepare", "Chuẩn bị")
    + '<bpmn:serviceTask id="Record" name="Ghi sổ"><bpmn:extensionElements>'
      '<spiffworkflow:serviceTaskOperator id="record_and_wait" resultVariable="recorded">'
      "<spiffworkflow:parameters/></spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>"
    + user_task("Next", "Bước sau") + '<bpmn:endEvent id="E"/>' + chain("S", "Prepare", "Record", "Next", "E"),
    lanes={"Chuyên viên": ["S", "Prepare", "Record", "Next", "E"]},
)
CLERK = Actor("chuyenvien", "Nguyễn Văn A", ("clerk",), "LS.UBND")


def _registry(reached=None, hold=None):
    registry = core_services()

    def record_and_wait(call, params):
        call.session.add(HumanTask(instance_id=call.instance_id, task_uuid="written-by-service", element_id="x",
                                   name="x", status="cancelled", process_id="crashy", created_at=call.now))
        call.session.flush()
        if reached is not None:
            reached.set()
            hold.wait()  # never set: the parent kills this process here, mid-step
        return {"ok": True}

    registry.register("record_and_wait", record_and_wait)
    return registry


def _complete_then_hang(url, now_iso, task_id, reached, hold):
    eng = build_engine(url, clock=FrozenClock(datetime.fromisoformat(now_iso)), services=_registry(reached, hold))
    eng.complete_task(task_id, CLERK, {})


def _snapshot(engine, instance_id):
    with engine.db.session() as s:
        row = s.get(ProcessInstance, instance_id)
        return (row.version, row.state_json, row.status,
                s.query(AuditEvent).count(),
                s.query(HumanTask).filter_by(task_uuid="written-by-service").count(),
                [(t.element_id, t.status) for t in s.query(HumanTask).filter_by(instance_id=instance_id)
                 .filter(HumanTask.task_uuid != "written-by-service").order_by(HumanTask.id)])


def test_sigkill_inside_a_step_leaves_no_trace_and_the_step_can_be_redone(db_url, clock):
    engine = build_engine(db_url, clock=clock, services=_registry())
    engine.deploy_xml(MODEL)
    inst = engine.start_instance("crashy", body_code="LS.UBND")
    task = engine.inbox(CLERK)[0]
    before = _snapshot(engine, inst.id)

    ctx = multiprocessing.get_context("spawn")
    reached, hold = ctx.Event(), ctx.Event()
    worker = ctx.Process(target=_complete_then_hang, args=(db_url, clock.now().isoformat(), task.id, reached, hold))
    worker.start()
    assert reached.wait(timeout=120), "the worker never reached the service task"
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=30)
    assert worker.exitcode == -signal.SIGKILL

    assert _snapshot(engine, inst.id) == before  # nothing of the killed step was committed
    assert engine.verify_audit().ok
    done = engine.complete_task(task.id, CLERK, {})  # the same step, done again, now succeeds
    assert [t.element_id for t in done.ready_tasks] == ["Next"]
    assert engine.instance_data(inst.id)["recorded"] == {"ok": True}
    with engine.db.session() as s:
        assert s.query(HumanTask).filter_by(task_uuid="written-by-service").count() == 1
    engine.shutdown()
