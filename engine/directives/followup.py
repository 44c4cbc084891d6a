"""Service tasks of distribution and follow-up (directive_life's fan-out and directive_followup):
one follow-up instance per assigned body, its report plan with reminder, chasing and escalation
times, reports, the consolidated report, close-out and archive. Registered by services.register."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from ..kernel.errors import NotFound
from ..kernel.services import StepContext
from ..model.codec import cycle_from_dict
from ..model.directive import ReportingCycle
from ..model.periods import report_periods
from . import store
from .paperwork import directive_header, directive_id_of, generate, load_for_body_step, load_for_step
from .reports import report_status, submit_report

ACK_DAYS = 2  # an assigned body is reminded when it has not acknowledged within this many days
NO_CYCLE_FOLLOWUP_DAYS = 30


def _deadline(cycle: ReportingCycle | None, fallback: datetime) -> datetime:
    periods = report_periods(cycle)
    if not periods or cycle is None:
        return fallback
    return periods[-1].due_at + timedelta(days=cycle.chase_after_days + cycle.escalate_after_days + 1)


def distribute(call: StepContext, params: dict) -> dict:
    """Start one follow-up instance per assigned body; the parent hears `followup_done` when all end."""
    did, row, d = load_for_step(call)
    rows = [a for a in store.assignments_of(call.session, did) if a.body_code]
    fallback = call.now + timedelta(days=NO_CYCLE_FOLLOWUP_DAYS)
    ack_at = (call.now + timedelta(days=ACK_DAYS)).isoformat()
    header = directive_header(row)
    items = [{"body_code": a.body_code, "body_name": a.body_name, "assignment_id": a.id,
              "issuer_code": d.issuer_code, "ack_remind_at": ack_at, "header": header} for a in rows]
    deadline = max([_deadline(cycle_from_dict(a.cycle), fallback) for a in rows], default=fallback)

    def remember(ids: list[int]) -> None:
        for a, iid in zip(rows, ids):
            a.followup_instance_id = iid

    call.start_children("directive_followup", items, group="followup", done_message="followup_done",
                        then=remember)
    store.set_stage(call.session, did, "following_up" if items else "distributed", actor=call.actor, now=call.now)
    return {"group": "followup", "count": len(items), "deadline_at": deadline.isoformat()}


def plan_reports(call: StepContext, params: dict) -> dict:
    """The body's report periods with due, reminder, chasing and escalation times (ISO, for timers)."""
    item = call.data["item"]
    assignment = call.session.get(store.AssignmentRow, item["assignment_id"])
    if assignment is None:
        raise NotFound(f"không có nhiệm vụ id={item['assignment_id']}")
    cycle = cycle_from_dict(assignment.cycle) or ReportingCycle()  # no cycle: no period, only acknowledgement
    periods = []
    for p in report_periods(cycle):
        chase = p.due_at + timedelta(days=cycle.chase_after_days)
        periods.append({
            "index": p.index, "final": p.is_final, "start": p.start.isoformat(), "end": p.end.isoformat(),
            "label": _period_label(p), "due_at": p.due_at.isoformat(),
            "remind_at": (p.due_at - timedelta(days=cycle.remind_days_before)).isoformat(),
            "chase_at": chase.isoformat(),
            "escalate_at": (chase + timedelta(days=cycle.escalate_after_days)).isoformat(),
        })
    return {"periods": periods, "count": len(periods), "ack_remind_at": item["ack_remind_at"]}


def _period_label(p) -> str:
    span = f"từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y}"
    return f"báo cáo cuối kỳ, {span}" if p.is_final else f"kỳ {p.index + 1}, {span}"


def acknowledge(call: StepContext, params: dict) -> dict:
    """The assigned body confirmed it received its tasks."""
    row = store.acknowledge_assignment(call.session, directive_id_of(call), call.data["item"]["body_code"], call.now)
    return {"acknowledged_at": (row.acknowledged_at or call.now).isoformat()}


def send_reminder(call: StepContext, params: dict) -> dict:
    """Công văn nhắc: to a body that has not acknowledged (`what`="ack") or whose report is due soon."""
    did, row, d = load_for_body_step(call)
    return generate(call, did, row, d, "reminder_letter", what=str(params.get("what") or "report"))


def send_chasing(call: StepContext, params: dict) -> dict:
    """Công văn đôn đốc to a body whose report is overdue (numbered, registered)."""
    did, row, d = load_for_body_step(call)
    out = generate(call, did, row, d, "chasing_letter")
    call.session.execute(update(store.AssignmentRow).where(store.AssignmentRow.id == call.data["item"]["assignment_id"])
                         .values(chase_count=store.AssignmentRow.chase_count + 1))
    return out


def record_report(call: StepContext, params: dict) -> dict:
    """Store the body's report of the current period and render it as a document."""
    did, row, d = load_for_body_step(call)
    item, period = call.data["item"], call.data["period"]
    report = submit_report(call.session, directive_id=did, body_code=item["body_code"],
                           period_index=int(period["index"]), content=str(call.data["content"]), attachments=[],
                           actor=call.actor, now=call.now, assignment_id=item["assignment_id"])
    doc = generate(call, did, row, d, "body_report")
    return {"report_id": report.id, "on_time": report.on_time, "late_days": report.late_days,
            "document_id": doc["document_id"]}


STATUS_ROWS = {"on_time": "on_time", "late": "late", "pending": "on_time", "no_cycle": "on_time"}


def aggregate_reports(call: StepContext, params: dict) -> dict:
    """Consolidated report of every assigned body; at the deadline the stragglers show as missing."""
    did, row, d = load_for_step(call)
    statuses = report_status(call.session, did, call.now)
    rows = [{"body": s.body_name, "status": STATUS_ROWS.get(s.state, "missing"),
             "summary": f"{s.on_time} đúng hạn, {s.late} chậm, {s.overdue} chưa nộp"} for s in statuses]
    progress = call.child_progress("followup")
    all_in = progress is None or progress[0] >= progress[1]
    doc = generate(call, did, row, d, "consolidated_report", rows=rows)
    return {"all_in": all_in, "bodies": len(rows), "rows": rows, "missing": sum(r["status"] == "missing" for r in rows),
            "document_id": doc["document_id"]}


def close_directive(call: StepContext, params: dict) -> dict:
    """The leader approved the summary report: the directive is done."""
    did = directive_id_of(call)
    store.set_stage(call.session, did, "closed", actor=call.actor, now=call.now)
    open_followups = call.running_children()
    return {"closed_at": call.now.isoformat(), "followups_still_open": len(open_followups)}


def archive(call: StepContext, params: dict) -> dict:
    """Lập hồ sơ: the file code and the manifest of every stored document of the directive."""
    from ..documents import DocumentStore

    did = directive_id_of(call)
    docs = DocumentStore().for_directive(call.session, did)
    manifest = [{"id": doc.id, "kind": doc.kind, "version": doc.version, "sha256": doc.sha256}
                for doc in sorted(docs, key=lambda x: x.id)]
    store.add_comment(call.session, did, actor=call.actor, stage="closed",
                      text=f"Đã lập hồ sơ {call.data.get('file_code')}: {len(manifest)} văn bản", now=call.now)
    return {"file_code": call.data.get("file_code"), "documents": len(manifest), "manifest": manifest}


FOLLOWUP_SERVICES = {
    "distribute": distribute, "plan_reports": plan_reports, "acknowledge": acknowledge,
    "send_reminder": send_reminder, "send_chasing": send_chasing, "record_report": record_report,
    "aggregate_reports": aggregate_reports, "close_directive": close_directive, "archive": archive,
}
