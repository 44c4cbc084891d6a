"""Engine benchmarks: persisted step vs in-memory step, fan-out independence, distribution of
1,000 bodies, and the inbox query over 100,000 open tasks (PostgreSQL, when BENCH_DATABASE_URL is set).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.app import build_engine
from engine.kernel.accounts import Actor
from engine.kernel.clock import FrozenClock

from .common import Figure, fresh_pg_database

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')
ACTOR = Actor("bench", "Bench", ("clerk", "body_officer"), "B")


def sequential(n: int) -> str:
    tasks = "".join(f'<bpmn:userTask id="T{i}" name="Việc {i}"/>' for i in range(n))
    ids = ["S"] + [f"T{i}" for i in range(n)] + ["E"]
    flows = "".join(f'<bpmn:sequenceFlow id="F{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    refs = "".join(f"<bpmn:flowNodeRef>{x}</bpmn:flowNodeRef>" for x in ids)
    return (f'<bpmn:definitions {NS} id="D" targetNamespace="t"><bpmn:process id="seq" isExecutable="true">'
            f'<bpmn:laneSet id="L"><bpmn:lane id="L1" name="Chuyên viên">{refs}</bpmn:lane></bpmn:laneSet>'
            f'<bpmn:startEvent id="S"/>{tasks}<bpmn:endEvent id="E"/>{flows}</bpmn:process></bpmn:definitions>')


FANOUT = (f'<bpmn:definitions {NS} id="D2" targetNamespace="t">'
          '<bpmn:message id="M" name="all_done"/>'
          '<bpmn:process id="parent" isExecutable="true"><bpmn:laneSet id="L"><bpmn:lane id="L1" name="Chuyên viên">'
          '<bpmn:flowNodeRef>S</bpmn:flowNodeRef><bpmn:flowNodeRef>Fan</bpmn:flowNodeRef>'
          '<bpmn:flowNodeRef>W</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
          '<bpmn:startEvent id="S"/><bpmn:serviceTask id="Fan"><bpmn:extensionElements>'
          '<spiffworkflow:serviceTaskOperator id="start_children" resultVariable="r"><spiffworkflow:parameters>'
          '<spiffworkflow:parameter id="process" type="any" value="&quot;child&quot;"/>'
          '<spiffworkflow:parameter id="items" type="any" value="bodies"/>'
          '<spiffworkflow:parameter id="done_message" type="any" value="&quot;all_done&quot;"/>'
          '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>'
          '<bpmn:intermediateCatchEvent id="W"><bpmn:messageEventDefinition messageRef="M"/></bpmn:intermediateCatchEvent>'
          '<bpmn:endEvent id="E"/><bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Fan"/>'
          '<bpmn:sequenceFlow id="F2" sourceRef="Fan" targetRef="W"/><bpmn:sequenceFlow id="F3" sourceRef="W" targetRef="E"/>'
          '</bpmn:process>'
          '<bpmn:process id="child" isExecutable="true"><bpmn:laneSet id="L2"><bpmn:lane id="L3" name="Đơn vị được giao">'
          '<bpmn:flowNodeRef>CS</bpmn:flowNodeRef><bpmn:flowNodeRef>Report</bpmn:flowNodeRef>'
          '<bpmn:flowNodeRef>CE</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
          '<bpmn:startEvent id="CS"/><bpmn:userTask id="Report" name="Báo cáo"/><bpmn:endEvent id="CE"/>'
          '<bpmn:sequenceFlow id="C1" sourceRef="CS" targetRef="Report"/>'
          '<bpmn:sequenceFlow id="C2" sourceRef="Report" targetRef="CE"/></bpmn:process></bpmn:definitions>')


def _engine(url: str):
    eng = build_engine(url, clock=FrozenClock(datetime(2024, 5, 20, tzinfo=UTC)), migrate=True)
    return eng


def bench_step(url: str, n: int = 20, rounds: int = 5) -> dict:
    """Per-step cost: in-memory SpiffWorkflow vs persisted completion through the engine."""
    eng = _engine(url)
    eng.deploy_xml(sequential(n))
    with eng.db.session() as s:
        spec, subs = eng.definitions.spec(s, eng.definitions.latest(s, "seq").id)
    mem, persisted = [], []
    for _ in range(rounds):
        wf = BpmnWorkflow(spec, subs, script_engine=eng.script_engine)
        wf.do_engine_steps()
        t0 = time.perf_counter()
        for _ in range(n):
            task = wf.get_tasks(state=TaskState.READY, manual=True)[0]
            task.run()
            wf.do_engine_steps()
        mem.append((time.perf_counter() - t0) / n)
        inst = eng.start_instance("seq", body_code="B")
        task_id, spent = inst.ready_tasks[0].id, 0.0
        for _ in range(n):
            t0 = time.perf_counter()
            after = eng.complete_task(task_id, ACTOR, {})
            spent += time.perf_counter() - t0
            task_id = after.ready_tasks[0].id if after.ready_tasks else None
        persisted.append(spent / n)
    eng.shutdown()
    m, p = statistics.median(mem), statistics.median(persisted)
    return {"in_memory_step_ms": m * 1e3, "persisted_step_ms": p * 1e3, "ratio": p / m, "target_ratio": 4.0}


def bench_fanout(url: str, sizes=(10, 1000), sample: int = 30, warmup: int = 5) -> dict:
    """Distribution time and the cost of one body's report at 10 vs 1,000 bodies."""
    out = {}
    for size in sizes:
        eng = _engine(url)
        eng.deploy_xml(FANOUT)
        bodies = [{"body_code": f"B{i:04d}", "name": f"Đơn vị {i}"} for i in range(size)]
        t0 = time.perf_counter()
        parent = eng.start_instance("parent", data={"bodies": bodies}, body_code="B")
        distribute_s = time.perf_counter() - t0
        children = eng.list_instances(parent_id=parent.id, limit=sample)
        sample = min(sample, len(children))
        costs = []
        for child in children[:sample]:
            body = Actor("officer", "x", ("body_officer",), child.body_code)
            task = eng.inbox(body)[0]
            eng.instances.forget_cached()  # cold, as in production where another worker saved it last
            t0 = time.perf_counter()
            eng.complete_task(task.id, body, {})
            costs.append(time.perf_counter() - t0)
        costs = costs[warmup:] if len(costs) > warmup * 2 else costs  # first completions warm caches up
        out[size] = {"distribute_s": distribute_s, "report_ms_median": statistics.median(costs) * 1e3}
        eng.shutdown()
    small, big = out[sizes[0]], out[sizes[-1]]
    return {"by_size": out, "report_cost_ratio": big["report_ms_median"] / small["report_ms_median"],
            "target_report_ratio": 1.2, "distribute_1000_s": out.get(1000, {}).get("distribute_s"),
            "target_distribute_s": 10}


def bench_inbox(url: str, open_tasks: int = 100_000, queries: int = 200) -> dict:
    """p95 of the inbox query with `open_tasks` open tasks spread over 500 bodies and 6 roles."""
    from sqlalchemy import insert

    from engine.kernel.models import HumanTask, ProcessDefinition, ProcessInstance

    eng = _engine(url)
    now = datetime(2024, 5, 20, tzinfo=UTC)
    roles = ["clerk", "unit_head", "office_reviewer", "leader", "records_clerk", "body_officer"]
    with eng.db.session(write=True) as s:
        definition = ProcessDefinition(process_id="bench", name="bench", content_hash="x" * 64, bpmn_xml="",
                                       spec_json="{}", source="bench", version=1, deployed_at=now)
        s.add(definition)
        s.flush()
        s.execute(insert(ProcessInstance), [
            {"definition_id": definition.id, "process_id": "bench", "status": "running", "version": 1,
             "state_json": "{}", "created_at": now, "updated_at": now} for _ in range(open_tasks // 10)])
        first = s.query(ProcessInstance.id).order_by(ProcessInstance.id).first()[0]
        for start in range(0, open_tasks, 10_000):
            s.execute(insert(HumanTask), [
                {"instance_id": first + i // 10, "task_uuid": f"t{i}", "element_id": "Task", "name": f"Việc {i}",
                 "candidate_role": roles[i % len(roles)], "body_code": f"B{i % 500:03d}", "status": "ready",
                 "process_id": "bench", "created_at": now, "due_at": now + timedelta(hours=i % 1000)}
                for i in range(start, min(start + 10_000, open_tasks))])
    if eng.db.dialect == "postgresql":
        with eng.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE human_task")
    times = []
    for q in range(queries):
        actor = Actor(f"u{q}", "x", (roles[q % len(roles)],), f"B{q % 500:03d}")
        t0 = time.perf_counter()
        rows = eng.inbox(actor, limit=50)
        times.append(time.perf_counter() - t0)
        assert rows, "an inbox in the benchmark came back empty"
    eng.shutdown()
    times.sort()
    return {"open_tasks": open_tasks, "queries": queries, "median_ms": statistics.median(times) * 1e3,
            "p95_ms": times[int(len(times) * 0.95) - 1] * 1e3, "target_p95_ms": 50}


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    """The engine's figures: step overhead (SQLite file, PostgreSQL) and the inbox at 100,000 tasks."""
    details: dict = {"machine_cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        details["sqlite"] = {"step": bench_step(f"sqlite:///{Path(tmp) / 'bench.db'}"),
                             "fanout": bench_fanout(f"sqlite:///{Path(tmp) / 'fan.db'}")}
    details["postgresql"] = {"step": bench_step(fresh_pg_database(pg, "chithi_bench_step")),
                             "fanout": bench_fanout(fresh_pg_database(pg, "chithi_bench_fanout")),
                             "inbox": bench_inbox(fresh_pg_database(pg, "chithi_bench_inbox"))}
    figures = {
        "engine_step_overhead_ratio": Figure(details["sqlite"]["step"]["ratio"], 4.0, "×"),
        "engine_step_overhead_ratio_pg": Figure(details["postgresql"]["step"]["ratio"], 6.0, "×"),
        "inbox_p95_ms": Figure(details["postgresql"]["inbox"]["p95_ms"], 50, "ms"),
    }
    return figures, details
