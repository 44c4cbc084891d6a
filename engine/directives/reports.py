"""Reports of the assigned bodies: submission, and who is on time, period by period (the periods
a cycle gives are engine/model/periods.py). Submitting touches only the body's own rows, so its cost
does not grow with the number of assigned bodies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..kernel.calendar import days_late
from ..kernel.errors import ConflictError, FieldProblem, FormError, NotFound
from ..kernel.models import StoredBlob
from ..model.codec import cycle_from_dict
from ..model.periods import ReportPeriod, report_periods
from .store import AssignmentRow, BodyReport, assignments_of, find_assignment
from .tracking import fact_of, record_submission


@dataclass
class PeriodStatus:
    index: int
    start: date
    end: date
    due_at: datetime
    is_final: bool
    state: str  # "on_time" | "late" | "overdue" | "pending"
    submitted_at: datetime | None = None
    late_days: int = 0  # late: days after due when submitted; overdue: days overdue so far


@dataclass
class BodyReportStatus:
    """Where one assigned body stands: its overall state and each period's."""

    assignment_id: int
    body_code: str | None
    body_name: str
    lead: bool
    state: str  # "on_time" | "late" | "overdue" | "missing" | "pending" | "no_cycle"
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    next_due_at: datetime | None = None
    periods: list[PeriodStatus] = field(default_factory=list)


def _check_blobs(session: Session, attachments: list[str]) -> None:
    if not attachments:
        return
    found = set(session.scalars(select(StoredBlob.sha256).where(StoredBlob.sha256.in_(attachments))))
    missing = [sha for sha in attachments if sha not in found]
    if missing:
        raise FormError([FieldProblem("attachments", f"tệp đính kèm chưa được tải lên: {', '.join(missing)}")])


def submit_report(session: Session, *, directive_id: int, body_code: str, period_index: int, content: str,
                  attachments: list[str], actor: str, now: datetime,
                  assignment_id: int | None = None, body_number: str | None = None,
                  body_date: date | None = None, document_id: int | None = None) -> BodyReport:
    """Record a body's report for one period; on_time and late_days come from due_at and `now`; the
    follow-up facts (tracking.py) hear of it. `body_number`/`body_date`: the body's own number and date."""
    if assignment_id is None:
        assignment = find_assignment(session, directive_id, body_code)
    else:
        found = session.get(AssignmentRow, assignment_id)
        if found is None or found.directive_id != directive_id:
            raise NotFound(f"không có nhiệm vụ id={assignment_id} trong chỉ thị id={directive_id}")
        assignment = found
    periods = report_periods(cycle_from_dict(assignment.cycle))
    if not periods:
        raise FormError([FieldProblem("period_index", f"{assignment.body_name} không có kỳ báo cáo")])
    if not 0 <= period_index < len(periods):
        raise FormError([FieldProblem("period_index", f"kỳ báo cáo phải từ 0 đến {len(periods) - 1}")])
    if not content or not content.strip():
        raise FormError([FieldProblem("content", "nội dung báo cáo không được để trống")])
    _check_blobs(session, list(attachments))
    period = periods[period_index]
    fact = fact_of(session, assignment.id, period_index)
    due_at = fact.due_at if fact is not None else period.due_at  # the facts hold a re-planned cycle's dates
    on_time = now <= due_at
    report = BodyReport(
        directive_id=directive_id, assignment_id=assignment.id, body_code=assignment.body_code,
        period_index=period_index, period_start=period.start, period_end=period.end, is_final=period.is_final,
        due_at=due_at, content=content, attachments=list(attachments), submitted_by=actor,
        submitted_at=now, on_time=on_time, late_days=0 if on_time else days_late(now, due_at),
        body_number=(body_number or "").strip() or None, body_date=body_date,
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{assignment.body_name} đã nộp báo cáo kỳ {period_index + 1}") from exc
    values: dict[str, Any] = {"reports_submitted": AssignmentRow.reports_submitted + 1,
                              "reports_late": AssignmentRow.reports_late + (0 if on_time else 1)}
    if period.is_final:
        values["status"] = "done"
    session.execute(update(AssignmentRow).where(AssignmentRow.id == assignment.id).values(**values))
    record_submission(session, assignment.id, period_index, report_id=report.id, submitted_at=now,
                      document_id=document_id)
    return report


def _period_status(period: ReportPeriod, report: BodyReport | None, now: datetime) -> PeriodStatus:
    status = PeriodStatus(period.index, period.start, period.end, period.due_at, period.is_final, "pending")
    if report is not None:
        status.submitted_at, status.late_days = report.submitted_at, report.late_days
        status.state = "on_time" if report.on_time else "late"
    elif now > period.due_at:
        status.state, status.late_days = "overdue", days_late(now, period.due_at)
    return status


def _overall(s: BodyReportStatus) -> str:
    if not s.periods:
        return "no_cycle"
    if s.overdue and not (s.on_time or s.late):
        return "missing"  # nothing at all came in although reports are due
    if s.overdue:
        return "overdue"
    if s.late:
        return "late"
    return "on_time" if s.on_time else "pending"


def report_status(session: Session, directive_id: int, now: datetime) -> list[BodyReportStatus]:
    """Per assigned body: on time / late / overdue / missing / pending, with each period's state."""
    reports = session.scalars(select(BodyReport).where(BodyReport.directive_id == directive_id))
    by_key = {(r.assignment_id, r.period_index): r for r in reports}
    out = []
    for a in assignments_of(session, directive_id):
        s = BodyReportStatus(a.id, a.body_code, a.body_name, a.lead, "pending")
        for period in report_periods(cycle_from_dict(a.cycle)):
            ps = _period_status(period, by_key.get((a.id, period.index)), now)
            s.periods.append(ps)
            setattr(s, ps.state, getattr(s, ps.state) + 1)
            if ps.state == "pending" and s.next_due_at is None:
                s.next_due_at = ps.due_at
        s.state = _overall(s)
        out.append(s)
    return out


def count_reports(session: Session, directive_id: int) -> int:
    """How many reports the directive has received so far."""
    return session.scalar(select(func.count()).select_from(BodyReport)
                          .where(BodyReport.directive_id == directive_id)) or 0
