"""Service tasks of distribution and follow-up (directive_life's fan-out, directive_followup per body and
directive_period per body and period): the report plan written as facts (engine/directives/tracking.py),
re-planned when issuance comes after the cycle's first due date, reminders, chasing letters reviewed
before they are numbered, escalation, reports, the consolidated report from live facts, close-out
(every open follow-up ended, its periods cancelled with the reason) and archive.
Registered by services.register."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from ..kernel.calendar import days_late, local_date
from ..kernel.errors import NotFound
from ..kernel.services import StepContext
from ..model.codec import cycle_from_dict, cycle_to_dict
from ..model.directive import ReportingCycle
from ..model.periods import replanned, report_periods
from . import store, tracking
from .attachments import take_for_report
from .issuers import signature_from_key
from .paperwork import (
    chasing_facts,
    directive_header,
    directive_id_of,
    generate,
    load_for_body_step,
    load_for_step,
)
from .reports import submit_report

ACK_DAYS = 2  # an assigned body is reminded when it has not acknowledged within this many days
NO_CYCLE_FOLLOWUP_DAYS = 30
PERIOD_PROCESS = "directive_period"


def _deadline(cycle: ReportingCycle | None, fallback: datetime) -> datetime:
    periods = report_periods(cycle)
    if not periods or cycle is None:
        return fallback
    return periods[-1].due_at + timedelta(days=cycle.chase_after_days + cycle.escalate_after_days + 1)


def replan_assignments(session, did: int, rows: list[store.AssignmentRow], now: datetime, actor: str) -> list[str]:
    """Move every cycle whose first report would be due before today to begin today (no body is ever
    late from before issuance); the move is kept as a comment. Returns the bodies re-planned."""
    today = local_date(now)
    moved = []
    for a in rows:
        cycle = cycle_from_dict(a.cycle)
        new = replanned(cycle, today)
        if new is not None and new != cycle:
            a.cycle = cycle_to_dict(new)
            moved.append(a.body_name)
    if moved:
        store.add_comment(session, did, actor=actor, stage="following_up", now=now,
                          text=f"Kỳ báo cáo đã qua khi ban hành: lập lại lịch báo cáo từ ngày {today:%d/%m/%Y} "
                               f"cho {', '.join(moved)}.")
    return moved


def distribute(call: StepContext, params: dict) -> dict:
    """Start one follow-up instance per assigned body; the parent hears `followup_done` when all end."""
    did, row, d = load_for_step(call)
    rows = [a for a in store.assignments_of(call.session, did) if a.body_code]
    replanned_bodies = replan_assignments(call.session, did, rows, call.now, call.actor)
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
    return {"group": "followup", "count": len(items), "deadline_at": deadline.isoformat(),
            "replanned": replanned_bodies}


def _assignment(call: StepContext) -> store.AssignmentRow:
    item = call.data["item"]
    assignment = call.session.get(store.AssignmentRow, item["assignment_id"])
    if assignment is None:
        raise NotFound(f"không có nhiệm vụ id={item['assignment_id']}")
    return assignment


def plan_reports(call: StepContext, params: dict) -> dict:
    """The body's report periods with due, reminder, chasing and escalation times, written as the
    follow-up facts (one row per period); the workflow keeps only their number."""
    assignment = _assignment(call)
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
    tracking.plan_periods(call.session, assignment, periods, now=call.now, instance_id=call.instance_id)
    return {"count": len(periods), "ack_remind_at": call.data["item"]["ack_remind_at"]}


def _period_label(p) -> str:
    span = f"từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y}"
    return f"báo cáo cuối kỳ, {span}" if p.is_final else f"kỳ {p.index + 1}, {span}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def start_periods(call: StepContext, params: dict) -> dict:
    """One `directive_period` instance per planned period of the body; each opens when the previous
    period falls due (the first at once) and the body's instance hears `periods_done` when all end."""
    item = call.data["item"]
    facts = list(call.session.scalars(select(tracking.FollowupPeriod)
                                      .where(tracking.FollowupPeriod.assignment_id == item["assignment_id"],
                                             tracking.FollowupPeriod.state == tracking.OPEN)
                                      .order_by(tracking.FollowupPeriod.period_index)))
    items, opens = [], call.now
    for f in facts:
        period = {"index": f.period_index, "final": f.is_final, "start": f.period_start.isoformat(),
                  "end": f.period_end.isoformat(), "label": f.label, "due_at": _iso(f.due_at),
                  "remind_at": _iso(f.remind_at), "chase_at": _iso(f.chase_at), "escalate_at": _iso(f.escalate_at),
                  "open_at": opens.isoformat(),
                  "show": {"Cơ quan": item["body_name"], "Kỳ báo cáo": f.label,
                           "Hạn báo cáo": f"17:00 ngày {local_date(f.due_at):%d/%m/%Y}"}}
        items.append({**{k: v for k, v in item.items()}, "period": period, "count": len(facts),
                      "wait": opens > call.now})
        opens = max(opens, f.due_at)

    def remember(ids: list[int]) -> None:
        for f, iid in zip(facts, ids):
            f.instance_id = iid

    call.start_children(PERIOD_PROCESS, items, group="periods", done_message="periods_done", then=remember)
    return {"count": len(items)}


def acknowledge(call: StepContext, params: dict) -> dict:
    """The assigned body confirmed it received its tasks."""
    row = store.acknowledge_assignment(call.session, directive_id_of(call), call.data["item"]["body_code"], call.now)
    return {"acknowledged_at": (row.acknowledged_at or call.now).isoformat()}


def send_reminder(call: StepContext, params: dict) -> dict:
    """Công văn nhắc: to a body that has not acknowledged (`what`="ack") or whose report is due soon."""
    did, row, d = load_for_body_step(call)
    what = str(params.get("what") or "report")
    out = generate(call, did, row, d, "reminder_letter", what=what)
    if what == "report" and call.data.get("period"):
        tracking.record_letter(call.session, call.data["item"]["assignment_id"], int(call.data["period"]["index"]),
                               "reminder_letter", out["document_id"])
    return out


def _chase_facts(call: StepContext) -> tuple[tracking.FollowupPeriod | None, int]:
    item, period = call.data["item"], call.data["period"]
    fact = tracking.fact_of(call.session, item["assignment_id"], int(period["index"]))
    due = datetime.fromisoformat(period["due_at"])
    return fact, days_late(call.now, due)


def draft_chasing(call: StepContext, params: dict) -> dict:
    """The report is overdue: the text of a công văn đôn đốc for the drafter to review (or, when the
    directive sends them automatically, to send at once), with what the reviewer needs to see."""
    from ..documents import context

    did, _row, d = load_for_body_step(call)
    auto = bool(call.session.scalar(select(store.DirectiveRow.chase_auto_send).where(store.DirectiveRow.id == did)))
    item = call.data["item"]
    facts = chasing_facts(call, item["body_name"])
    text = "\n".join(p["text"] for p in context.chasing(d, facts)["body"])
    period = call.data["period"]
    return {"auto": auto, "days_late": facts["days_late"], "letter_text": text,
            "show": {**period.get("show", {}), "Số ngày chậm": facts["days_late"], "Dự thảo công văn": text}}


def send_chasing(call: StepContext, params: dict) -> dict:
    """Number, register and send the công văn đôn đốc (the reviewed text and signer, if reviewed);
    nothing is sent when the body reported in the meantime."""
    did, row, d = load_for_body_step(call)
    fact, _late = _chase_facts(call)
    if fact is not None and fact.state != tracking.OPEN:
        return {"sent": False, "reason": "Cơ quan đã báo cáo hoặc việc theo dõi đã kết thúc"}
    opts: dict[str, Any] = {}
    text = str(call.data.get("letter_text") or "").strip()
    if text:
        opts["text"] = text
    if call.data.get("signer"):
        opts["signature"] = signature_from_key(str(call.data["signer"]))
    out = generate(call, did, row, d, "chasing_letter", **opts)
    item = call.data["item"]
    call.session.execute(update(store.AssignmentRow).where(store.AssignmentRow.id == item["assignment_id"])
                         .values(chase_count=store.AssignmentRow.chase_count + 1))
    tracking.record_letter(call.session, item["assignment_id"], int(call.data["period"]["index"]), "chasing_letter",
                           out["document_id"])
    return {**out, "sent": True}


def mark_escalated(call: StepContext, params: dict) -> dict:
    """The body still has not reported after the chasing letter: what the leader's task shows."""
    item, period = call.data["item"], call.data["period"]
    fact, late = _chase_facts(call)
    tracking.record_escalation(call.session, item["assignment_id"], int(period["index"]), call.now)
    due = local_date(datetime.fromisoformat(period["due_at"]))
    chased = (call.data.get("chased") or {}).get("document_id")
    show = {"Cơ quan": item["body_name"], "Kỳ báo cáo": period["label"], "Hạn báo cáo": f"{due:%d/%m/%Y}",
            "Số ngày chậm": late}
    return {"show": show, "days_late": late, "due_date": due.isoformat(), "body_code": item["body_code"],
            "period_index": int(period["index"]), "chasing_document_id": chased,
            "reminder_document_id": fact.reminder_document_id if fact is not None else None}


def record_report(call: StepContext, params: dict) -> dict:
    """Store the body's report of the period (with its own number and date) and render it as a document."""
    did, row, d = load_for_body_step(call)
    item, period = call.data["item"], call.data["period"]
    body_date = call.data.get("body_date")
    files = take_for_report(call.session, call.instance_id)  # attached on the task page (attachments.py)
    report = submit_report(call.session, directive_id=did, body_code=item["body_code"],
                           period_index=int(period["index"]), content=str(call.data["content"]),
                           attachments=[f.sha256 for f in files],
                           actor=call.actor, now=call.now, assignment_id=item["assignment_id"],
                           body_number=call.data.get("body_number"),
                           body_date=date.fromisoformat(body_date) if isinstance(body_date, str) else body_date)
    for f in files:
        f.report_id = report.id
    doc = generate(call, did, row, d, "body_report")
    tracking.record_submission(call.session, item["assignment_id"], int(period["index"]), report_id=report.id,
                               submitted_at=report.submitted_at, document_id=doc["document_id"])
    return {"report_id": report.id, "on_time": report.on_time, "late_days": report.late_days,
            "document_id": doc["document_id"]}


def aggregate_reports(call: StepContext, params: dict) -> dict:
    """Consolidated report of every assigned body from the live facts at this moment; at the
    deadline the stragglers show as missing."""
    did, row, d = load_for_step(call)
    rows = report_rows(call.session, did, call.now)
    progress = call.child_progress("followup")
    all_in = progress is None or progress[0] >= progress[1]
    doc = generate(call, did, row, d, "consolidated_report", rows=rows)
    return {"all_in": all_in, "bodies": len(rows), "rows": rows, "missing": sum(r["status"] == "missing" for r in rows),
            "document_id": doc["document_id"], "at": call.now.isoformat()}


def report_rows(session, did: int, now: datetime) -> list[dict]:
    """One row per assigned body for the consolidated and close-out reports, from the board at `now`:
    status on_time (every report in on time), late (all in, some late), missing (a report overdue)."""
    board = tracking.board(session, did, now)
    rows = []
    for r in board.rows:
        rates = r.rates
        if rates.overdue and not rates.completed:
            status = "missing"
        elif rates.overdue:
            status = "overdue"
        elif rates.late:
            status = "late"
        else:
            status = "on_time"
        rows.append({"body": r.body_name, "status": status,
                     "summary": f"{rates.on_time} đúng hạn, {rates.late} trễ hạn, {rates.overdue} quá hạn chưa nộp"
                                + (f", {rates.in_time + rates.due_soon} chưa đến hạn" if rates.in_time + rates.due_soon
                                   else ""),
                     "on_time": rates.on_time, "late": rates.late, "overdue": rates.overdue})
    return rows


def close_directive(call: StepContext, params: dict) -> dict:
    """The leader approved the summary report: the directive is done. Every follow-up still running
    (bodies and their periods) is ended with the reason, their periods cancelled (an overdue one
    stays overdue, its days late frozen) and the bodies get a comment saying so."""
    did = directive_id_of(call)
    store.set_stage(call.session, did, "closed", actor=call.actor, now=call.now)
    reason = f"Chỉ thị đã kết thúc ngày {local_date(call.now):%d/%m/%Y}: dừng theo dõi, không còn phải báo cáo"
    cancelled = tracking.cancel_open(call.session, did, reason=reason, now=call.now)
    ended = call.end_children(reason)
    if cancelled or ended:
        store.add_comment(call.session, did, actor=call.actor, stage="closed", now=call.now,
                          text=f"{reason} ({cancelled} kỳ báo cáo còn mở đã hủy).")
    return {"closed_at": call.now.isoformat(), "followups_ended": len(ended), "periods_cancelled": cancelled,
            "followups_still_open": len(call.running_children())}


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
    "distribute": distribute, "plan_reports": plan_reports, "start_periods": start_periods,
    "acknowledge": acknowledge, "send_reminder": send_reminder, "draft_chasing": draft_chasing,
    "send_chasing": send_chasing, "mark_escalated": mark_escalated, "record_report": record_report,
    "aggregate_reports": aggregate_reports, "close_directive": close_directive, "archive": archive,
}
