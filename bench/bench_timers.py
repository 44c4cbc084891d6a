"""10,000 timers due in the same minute, fired by 3 scheduler processes on PostgreSQL: how long it
takes, and that each fires exactly once (no duplicate, none missed)."""
from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from engine.app import build_engine
from engine.kernel.clock import FrozenClock

from .bench_engine import NS
from .common import Figure, fresh_pg_database

TIMERS = 10_000
SCHEDULERS = 3
FAN_OUT = 2_500  # children per parent instance
START = datetime(2024, 5, 20, 1, 0, tzinfo=UTC)

WAITING = (f'<bpmn:definitions {NS} id="DT" targetNamespace="t"><bpmn:message id="M" name="none"/>'
           '<bpmn:process id="parent" isExecutable="true"><bpmn:laneSet id="L"><bpmn:lane id="L1" name="Chuyên viên">'
           '<bpmn:flowNodeRef>S</bpmn:flowNodeRef><bpmn:flowNodeRef>Fan</bpmn:flowNodeRef>'
           '<bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
           '<bpmn:startEvent id="S"/><bpmn:serviceTask id="Fan"><bpmn:extensionElements>'
           '<spiffworkflow:serviceTaskOperator id="start_children" resultVariable="r"><spiffworkflow:parameters>'
           '<spiffworkflow:parameter id="process" type="any" value="&quot;waiting&quot;"/>'
           '<spiffworkflow:parameter id="items" type="any" value="items"/>'
           '</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>'
           '<bpmn:endEvent id="E"/><bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Fan"/>'
           '<bpmn:sequenceFlow id="F2" sourceRef="Fan" targetRef="E"/></bpmn:process>'
           '<bpmn:process id="waiting" isExecutable="true"><bpmn:laneSet id="L2"><bpmn:lane id="L3" name="Chuyên viên">'
           '<bpmn:flowNodeRef>CS</bpmn:flowNodeRef><bpmn:flowNodeRef>Wait</bpmn:flowNodeRef>'
           '<bpmn:flowNodeRef>Act</bpmn:flowNodeRef><bpmn:flowNodeRef>CE</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
           '<bpmn:startEvent id="CS"/><bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition>'
           '<bpmn:timeDuration>item["wait"]</bpmn:timeDuration></bpmn:timerEventDefinition>'
           '</bpmn:intermediateCatchEvent><bpmn:userTask id="Act" name="Xử lý"/><bpmn:endEvent id="CE"/>'
           '<bpmn:sequenceFlow id="C1" sourceRef="CS" targetRef="Wait"/>'
           '<bpmn:sequenceFlow id="C2" sourceRef="Wait" targetRef="Act"/>'
           '<bpmn:sequenceFlow id="C3" sourceRef="Act" targetRef="CE"/></bpmn:process></bpmn:definitions>')


def _scheduler(url: str, now_iso: str, out) -> None:
    engine = build_engine(url, clock=FrozenClock(datetime.fromisoformat(now_iso)))
    try:
        sweep = engine.fire_due_timers(limit=TIMERS * 2)
        out.put((sweep.fired, sweep.failed))
    finally:
        engine.shutdown()


def measure(url: str, timers: int = TIMERS, schedulers: int = SCHEDULERS) -> dict:
    """Create `timers` instances waiting on timers due within one minute, then let `schedulers`
    processes fire them; wall time, duplicates and misses from the audit log and the rows."""
    engine = build_engine(url, clock=FrozenClock(START), migrate=True)
    engine.deploy_xml(WAITING)
    items = [{"wait": f'PT{3600 + (i % 60)}S'} for i in range(timers)]  # due over one minute, an hour on
    t0 = time.perf_counter()
    for first in range(0, timers, FAN_OUT):  # one fan-out may start at most bounds.MAX_CHILDREN
        parent = engine.start_instance("parent", data={"items": items[first:first + FAN_OUT]})
        if parent.status == "error":
            raise RuntimeError(f"the fan-out failed: {parent.error_message}")
    setup_s = time.perf_counter() - t0
    due_at = START + timedelta(hours=1, minutes=1)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_scheduler, args=(url, due_at.isoformat(), out)) for _ in range(schedulers)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=900) for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join(timeout=60)
    with engine.db.session() as s:
        duplicates = s.execute(text("SELECT count(*) FROM (SELECT instance_id FROM audit_event WHERE action = "
                                    "'timer_fired' GROUP BY instance_id HAVING count(*) > 1) d")).scalar_one()
        missed = s.execute(text("SELECT count(*) FROM process_instance WHERE process_id = 'waiting' "
                                "AND next_timer_at IS NOT NULL")).scalar_one()
        acting = s.execute(text("SELECT count(*) FROM human_task WHERE element_id = 'Act' "
                                "AND status = 'ready'")).scalar_one()
    engine.shutdown()
    return {"timers": timers, "schedulers": schedulers, "setup_s": setup_s, "elapsed_s": elapsed,
            "per_scheduler": [{"fired": f, "failed": x} for f, x in results], "duplicates": duplicates,
            "missed": missed + (timers - acting - missed if acting + missed != timers else 0),
            "timers_per_s": timers / elapsed}


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    """10,000 timers, 3 scheduler processes, PostgreSQL."""
    details = measure(fresh_pg_database(pg, "chithi_bench_timers"))
    figures = {
        "timers_10k_s": Figure(details["elapsed_s"], 60, "s"),
        "timers_10k_duplicates": Figure(details["duplicates"], 0, "timers"),
        "timers_10k_missed": Figure(details["missed"], 0, "timers"),
    }
    return figures, details
