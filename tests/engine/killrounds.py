"""Kill rounds: a real OS process drives directives through their life (completing every ready task
as its role would, moving a FrozenClock and sweeping timers as `chithi scheduler` does) and is killed
with SIGKILL at a random fault point (engine/kernel/faults.py) inside a step. After each round the
database is checked from a fresh engine: every instance loads, no step is half applied (instance
state, query tables and audit log agree), no document, register entry or report exists without the
step that made it, and every step the killed process saw committed is still there.

Run as `python -m tests.engine.killrounds URL STATE_DIR` by `run_rounds` (the test and the soak);
the child reads CHITHI_FAULT from its environment.
"""
from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2024, 5, 20, 1, 0, tzinfo=UTC)
STEP = timedelta(hours=12)  # how far the driver moves the clock when no task is waiting
ISSUER = "LS.UBND"
BODIES = ("LS.CA", "LS.SYT")
SILENT = "LS.SYT"  # in every fourth directive, answers only after the reminder, chase and escalation
REPORTS = ("Task_report", "Task_report_late", "Task_report_after")
APPROVE = {"decision": "approve", "comment": "Đồng ý."}
LAST_DAY = datetime(2025, 6, 1).date()  # the directive names district bodies that end 30/06/2025
MAX_MOVES = 2_000  # a worker never killed stops here


# ------------------------------------------------------------------ the child process

def _directive(today, n: int) -> dict:
    """The Lạng Sơn State directive (the n-th copy) for two bodies, its two-period cycle starting
    after `today` (short periods: a hundred rounds must end before the directory changes)."""
    from tests.workflows.helpers import state_directive

    start = today + timedelta(days=3)
    cycle = {"every_days": 3, "start": start.isoformat(), "until": (start + timedelta(days=2)).isoformat(),
             "final_due": (start + timedelta(days=5)).isoformat(), "remind_days_before": 1,
             "chase_after_days": 1, "escalate_after_days": 2}
    data = copy.deepcopy(state_directive(BODIES, cycle))
    data["subject"] += f" (đợt {n})"
    return data


def _answer(engine, task, today) -> dict | None:
    """What the role does with `task` (None: leave it waiting for now)."""
    from engine.directives.issuers import signer_key
    from engine.model.directive import Signature

    element = task.element_id
    if element in ("Task_report", "Task_report_late") and task.body_code == SILENT and (task.ref_id or 0) % 4 == 1 \
            and not _has_reported(engine, task.ref_id):
        return None
    answers = {
        "Task_choose": {"route": "state"},
        "Task_draft": {"note": "Dự thảo."},
        "Task_head_review": APPROVE, "Task_office": APPROVE,
        "Task_sign_state": {**APPROVE, "signer": signer_key(Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                                                                       "Hồ Tiến Thiệu"))},
        "Task_issue": {"issued_on": today.isoformat()},
        "Task_acknowledge": {},
        "Task_report": {"content": "Đã triển khai."}, "Task_report_late": {"content": "Báo cáo chậm."},
        "Task_report_after": {"content": "Báo cáo sau nhắc nhở."},
        "Task_escalation": {"instruction": "Yêu cầu báo cáo ngay."},
        "Task_review_chasing": {"letter_text": "", "signer": ""},  # the drafted text, the directive's signer
        "Task_closeout_draft": {"summary": "Hoàn thành."}, "Task_closeout_approve": APPROVE,
        "Task_archive": {"file_code": "HS-01"},
    }
    if element not in answers:
        raise SystemExit(f"the driver has no answer for {element}")
    return answers[element]


def _has_reported(engine, directive_id: int | None) -> bool:
    from engine.directives.store import BodyReport

    with engine.db.session() as s:
        return s.query(BodyReport).filter_by(body_code=SILENT, directive_id=directive_id).count() > 0


def _say(line: str) -> None:
    """Tell the parent what is committed (written before the next step can start)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _open_tasks(engine):
    from engine.kernel.models import HumanTask

    with engine.db.session() as s:
        return s.query(HumanTask).filter(HumanTask.status.in_(("ready", "claimed"))).order_by(HumanTask.id).all()


def drive(url: str, state_dir: Path, finish: bool = False) -> int:
    """Complete every ready task, import the next directive when none is open, and move the clock;
    with `finish`, stop instead of importing once every directive is closed."""
    from engine.app import build_engine
    from engine.directives.demo import person
    from engine.directives.life import import_directive
    from engine.kernel.accounts import cheap_hasher
    from engine.kernel.calendar import local_date
    from engine.kernel.clock import FrozenClock

    clock_file = state_dir / "clock.txt"
    now = datetime.fromisoformat(clock_file.read_text()) if clock_file.exists() else START
    clock = FrozenClock(now)
    engine = build_engine(url, clock=clock, password_hasher=cheap_hasher())
    for _ in range(MAX_MOVES):
        today = local_date(clock.now())
        answered = False
        for row in _open_tasks(engine):
            data = _answer(engine, row, today)
            if data is None:
                continue
            engine.complete_task(row.id, person(row.candidate_role, row.body_code), data)
            _say(json.dumps({"completed": row.id, "element": row.element_id, "body": row.body_code}))
            answered = True
            break
        if answered:
            continue
        if not engine.list_instances(status="running", process_id="directive_life"):
            if finish:
                break
            n = len(engine.list_instances(process_id="directive_life", limit=100_000)) + 1
            did, iid = import_directive(engine, _directive(today, n), actor=person("clerk", ISSUER))
            _say(json.dumps({"imported": did, "instance": iid}))
            continue
        due = engine.next_timer_due()  # to the next timer (a minute after it), at most STEP ahead
        target = min(due + timedelta(minutes=1), clock.now() + STEP) if due else clock.now() + STEP
        if target > clock.now():
            clock.advance(seconds=(target - clock.now()).total_seconds())
        if local_date(clock.now()) >= LAST_DAY:
            raise SystemExit(f"the driver reached {LAST_DAY}: the directory changes after it")
        tmp = state_dir / "clock.tmp"
        tmp.write_text(clock.now().isoformat())
        os.replace(tmp, clock_file)
        sweep = engine.fire_due_timers()
        _say(json.dumps({"swept": clock.now().isoformat(), "fired": sweep.fired, "failed": sweep.failed}))
    engine.shutdown()
    return 0


# ------------------------------------------------------------------ the checks

@dataclass
class Findings:
    """What a check of the database found wrong (empty: consistent) and what it counted."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def check_database(url: str, committed: list[dict], slack: timedelta = timedelta(0)) -> Findings:
    """Load every instance from a fresh engine and compare state, query tables, audit and records.

    A row and the audit event of its step carry the same moment under a FrozenClock; under the real
    clock they are read apart, so `slack` says how far apart they may be."""
    from SpiffWorkflow.util.task import TaskState
    from sqlalchemy import select

    from engine.app import build_engine
    from engine.directives.store import BodyReport
    from engine.documents import GeneratedDocument
    from engine.kernel.instances import earliest_timer, pending_events
    from engine.kernel.models import AuditEvent, HumanTask, MessageSubscription, ProcessInstance
    from engine.registers.models import OutgoingEntry

    found = Findings()
    bad = found.problems.append
    engine = build_engine(url)
    try:
        if not (report := engine.verify_audit()).ok:
            bad(f"audit chain broken at {report.broken_at}: {report.reason}")
        with engine.db.session() as s:
            events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
            moments: dict[int | None, list[datetime]] = {}
            for e in events:
                moments.setdefault(e.instance_id, []).append(e.at)

            def stepped(instance_id: int | None, at: datetime) -> bool:
                """Whether an audited step of `instance_id` (any instance: None) happened at `at`."""
                ats = moments.get(instance_id, []) if instance_id is not None else \
                    [a for group in moments.values() for a in group]
                return any(abs(a - at) <= slack for a in ats)

            completed_ids = {e.payload.get("task_id") for e in events if e.action == "task_completed"}
            instances = list(s.scalars(select(ProcessInstance)))
            for row in instances:
                try:
                    spec, subs = engine.instances.definitions.spec(s, row.definition_id)
                    wf = engine.instances.serializer.load(row.state_json, spec, subs,
                                                          engine.instances.script_engine)
                except Exception as exc:  # noqa: BLE001 — what the check is for
                    bad(f"instance {row.id} does not load: {type(exc).__name__}: {exc}")
                    continue
                if row.status == "error":
                    bad(f"instance {row.id} is in error: {row.error_message}")
                ready = {str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True)}
                open_rows = {t.task_uuid for t in s.scalars(select(HumanTask).where(
                    HumanTask.instance_id == row.id, HumanTask.status.in_(("ready", "claimed"))))}
                if ready != open_rows:
                    bad(f"instance {row.id}: ready tasks {sorted(ready)} but open rows {sorted(open_rows)}")
                waits = pending_events(wf)
                if row.status == "running" and earliest_timer(waits) != row.next_timer_at:
                    bad(f"instance {row.id}: next timer {row.next_timer_at} but the state waits for "
                        f"{earliest_timer(waits)}")
                subscribed = set(s.scalars(select(MessageSubscription.message_name)
                                           .where(MessageSubscription.instance_id == row.id)))
                waiting = {e.name for e in waits if e.event_type == "MessageEventDefinition"}
                if row.status == "running" and subscribed != waiting:
                    bad(f"instance {row.id}: subscriptions {subscribed} but waits for {waiting}")
                if not stepped(row.id, row.updated_at):
                    bad(f"instance {row.id}: saved at {row.updated_at} by no step of the audit log")
            done_rows = list(s.scalars(select(HumanTask).where(HumanTask.status == "completed")))
            for t in done_rows:
                if t.id not in completed_ids:
                    bad(f"task {t.id} ({t.element_id}) completed without its audit event")
            if missing := completed_ids - {t.id for t in done_rows}:
                bad(f"audit says tasks {sorted(missing)} were completed; their rows do not")
            docs = list(s.scalars(select(GeneratedDocument)))
            for d in docs:
                if d.instance_id is not None and not stepped(d.instance_id, d.created_at):
                    bad(f"document {d.id} ({d.kind}) without the step that made it")
            linked = {d.register_entry_id for d in docs}
            numbered = {(e.directive_id, e.number) for e in s.scalars(select(OutgoingEntry))}
            entries = list(s.scalars(select(OutgoingEntry)))
            for e in entries:
                if e.id not in linked and e.series == "CV":
                    bad(f"register entry {e.id} ({e.number_text}) without its letter")
                if not stepped(None, e.issued_at):
                    bad(f"register entry {e.id} ({e.number_text}) without the step that numbered it")
            reports = list(s.scalars(select(BodyReport)))
            report_tasks = [t for t in done_rows if t.element_id in REPORTS]
            if len(reports) != len(report_tasks):
                bad(f"{len(reports)} reports stored but {len(report_tasks)} report tasks completed")
            said = {c["completed"] for c in committed if "completed" in c}
            if lost := said - completed_ids:
                bad(f"steps the worker saw committed are gone: tasks {sorted(lost)}")
            found.counts = {"instances": len(instances), "events": len(events), "documents": len(docs),
                            "register_entries": len(entries), "reports": len(reports),
                            "tasks_completed": len(done_rows), "numbers": len(numbered)}
    finally:
        engine.shutdown()
    return found


# ------------------------------------------------------------------ the parent

@dataclass
class RoundsResult:
    rounds: int = 0
    killed: int = 0
    points: dict[str, int] = field(default_factory=dict)
    steps_committed: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def prepare(url: str) -> None:
    """The shipped models and the directory (not under fault)."""
    from engine.app import build_engine
    from engine.directives.reference import load_reference_data
    from engine.kernel.accounts import cheap_hasher
    from engine.kernel.clock import FrozenClock

    engine = build_engine(url, clock=FrozenClock(START), password_hasher=cheap_hasher())
    try:
        engine.deploy_directory()
        load_reference_data(engine)
    finally:
        engine.shutdown()


def run_rounds(url: str, state_dir: Path, rounds: int, seed: int, max_count: int = 6,
               timeout: float = 300) -> RoundsResult:
    """`rounds` worker processes, each killed at a random point; the database checked after each."""
    from engine.kernel import faults

    prepare(url)
    rng = random.Random(seed)
    result = RoundsResult()
    committed: list[dict] = []
    started = time.monotonic()
    order: list[str] = []
    for n in range(rounds):
        if not order:  # every point as often as the others, in a random order
            order = rng.sample(faults.POINTS, len(faults.POINTS))
        point = order.pop()
        count = rng.randint(1, max_count)
        env = {**os.environ, faults.ENV: f"{point}:{count}", "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "tests.engine.killrounds", url, str(state_dir)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        committed.extend(lines)
        if proc.returncode not in (0, -signal.SIGKILL):
            raise AssertionError(f"round {n} ({point}:{count}) failed with {proc.returncode}:\n"
                                 f"{proc.stderr[-4000:]}")
        result.rounds += 1
        if proc.returncode == -signal.SIGKILL:
            result.killed += 1
            result.points[point] = result.points.get(point, 0) + 1
        found = check_database(url, committed)
        if found.problems:
            raise AssertionError(f"after round {n} (killed at {point}:{count}):\n" + "\n".join(found.problems))
        result.counts = found.counts
    result.steps_committed = len(committed)
    result.seconds = time.monotonic() - started
    return result


def finish(url: str, state_dir: Path, timeout: float = 300) -> None:
    """Carry every open directive to its archive, without faults (the life goes on after the kills)."""
    env = {k: v for k, v in os.environ.items() if k != "CHITHI_FAULT"} | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "tests.engine.killrounds", url, str(state_dir), "finish"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"the directives could not be finished ({proc.returncode}):\n{proc.stderr[-4000:]}")


def main(argv: list[str]) -> int:
    url, state_dir, *rest = argv
    return drive(url, Path(state_dir), finish=rest == ["finish"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
