"""Follow-up facts and the VPCP statuses: the one place where "is this body late?" is decided.

**Facts.** One `FollowupPeriod` row per directive × assigned body × reporting period: when it is due
(17:00 Vietnam time on its last day, engine/kernel/calendar.py), when the report came in, the
report and its document, the reminder and chasing letters, and its state — `open`, `submitted` or
`cancelled` (with the reason, e.g. the directive was closed). The rows are written by the follow-up
service tasks (engine/directives/followup.py: `plan_periods`, `record_submission`, `record_letter`,
`cancel_open`) and read here; nothing is ever derived by deserializing workflows.

**Statuses** (Văn phòng Chính phủ, QĐ 42/2014/QĐ-TTg amended by QĐ 23/2018/QĐ-TTg), computed in SQL
by `status_expr` from the facts and the engine's clock (`now`, given by the caller):

| code        | words                              | when                                                 |
|-------------|------------------------------------|------------------------------------------------------|
| `on_time`   | Hoàn thành đúng hạn                | submitted at or before due (17:00:00 is on time)     |
| `late`      | Hoàn thành trễ hạn                 | submitted after due                                  |
| `overdue`   | Chưa hoàn thành – quá hạn          | not submitted and now > due (or cancelled after due) |
| `due_soon`  | Sắp đến hạn                        | not submitted, due ≤ now + N days (N: `soon_days`)   |
| `in_time`   | Chưa hoàn thành – trong hạn        | not submitted, due later than that                   |
| `cancelled` | Không còn theo dõi                 | cancelled before it fell due (not counted)           |

`due_soon` is a warning inside "chưa hoàn thành – trong hạn" (`OPEN_IN_TIME`). A cancelled row that
was already overdue stays overdue, its days late frozen at the cancellation.

Rates: on-time rate = on time ÷ completed; completion rate = completed ÷ (completed + overdue), where
completed = on time + late (None when the divisor is 0).

Read functions (each a fixed number of queries, whatever the number of bodies):
`board(session, directive_id, now)` (rows = assigned bodies lead first, columns = periods),
`rates_by(session, now, by="body"|"directive", ...)`, `overdue_bodies(session, now)`,
`periods_of_body(session, body_code, now)` (the body's own deadlines across directives).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    case,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from ..kernel.calendar import days_late, end_of_day, local_date, near_due_days
from ..kernel.db import Base
from ..model.periods import ReportPeriod
from .store import AssignmentRow, DirectiveRow

ON_TIME, LATE, OVERDUE, DUE_SOON, IN_TIME, CANCELLED = "on_time", "late", "overdue", "due_soon", "in_time", "cancelled"
STATUSES = (ON_TIME, LATE, IN_TIME, DUE_SOON, OVERDUE, CANCELLED)
STATUS_WORDS = {
    ON_TIME: "Hoàn thành đúng hạn",
    LATE: "Hoàn thành trễ hạn",
    IN_TIME: "Chưa hoàn thành – trong hạn",
    DUE_SOON: "Sắp đến hạn",
    OVERDUE: "Chưa hoàn thành – quá hạn",
    CANCELLED: "Không còn theo dõi",
}
COMPLETED = (ON_TIME, LATE)
OPEN_IN_TIME = (IN_TIME, DUE_SOON)

OPEN, SUBMITTED = "open", "submitted"  # FollowupPeriod.state (besides CANCELLED)


def soon_days() -> int:
    """N of "sắp đến hạn" (due within N days): the office calendar's rule, the inbox's too."""
    return near_due_days()


class FollowupPeriod(Base):
    """A reporting obligation: one assigned body, one period of its cycle (facts, not statuses)."""

    __tablename__ = "followup_period"
    __table_args__ = (
        UniqueConstraint("assignment_id", "period_index"),
        Index("ix_followup_period_directive_pos", "directive_id", "position", "period_index"),
        Index("ix_followup_period_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the assignment's printed order
    body_code: Mapped[str | None] = mapped_column(String(100), index=True)
    body_name: Mapped[str] = mapped_column(String(400))
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    period_index: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    due_day: Mapped[int] = mapped_column(Integer)  # ordinal of the office date of due_at (days late in SQL)
    remind_at: Mapped[datetime | None]
    chase_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(12), default=OPEN)  # open | submitted | cancelled
    submitted_at: Mapped[datetime | None]
    report_id: Mapped[int | None] = mapped_column(Integer)
    report_document_id: Mapped[int | None] = mapped_column(Integer)
    late_days: Mapped[int] = mapped_column(Integer, default=0)  # at submission, or frozen at cancellation
    reminder_document_id: Mapped[int | None] = mapped_column(Integer)
    chasing_document_id: Mapped[int | None] = mapped_column(Integer)
    chase_count: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    instance_id: Mapped[int | None] = mapped_column(Integer)  # the workflow instance that follows this period
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    planned_at: Mapped[datetime]


# ------------------------------------------------------------------ the status, in SQL

def status_expr(now: datetime, soon: int | None = None) -> ColumnElement[str]:
    """The SQL CASE giving a row's status code at `now` (the engine's clock)."""
    n = soon_days() if soon is None else soon
    fp = FollowupPeriod
    return case(
        (fp.submitted_at.is_not(None) & (fp.submitted_at <= fp.due_at), literal(ON_TIME)),
        (fp.submitted_at.is_not(None), literal(LATE)),
        ((fp.state == CANCELLED) & (fp.due_at < fp.cancelled_at), literal(OVERDUE)),
        (fp.state == CANCELLED, literal(CANCELLED)),
        (fp.due_at < now, literal(OVERDUE)),
        (fp.due_at <= now + timedelta(days=n), literal(DUE_SOON)),
        else_=literal(IN_TIME),
    )


def late_days_expr(now: datetime) -> ColumnElement[int]:
    """Days late: stored for a submitted or cancelled row, else whole office days since due (≥ 1)."""
    fp = FollowupPeriod
    running = local_date(now).toordinal() - fp.due_day
    return case(
        (fp.submitted_at.is_not(None) | (fp.state == CANCELLED), fp.late_days),
        (fp.due_at < now, case((running > 1, running), else_=1)),
        else_=0,
    )


def _counts(status: ColumnElement[str]) -> list[Any]:
    return [func.sum(case((status == code, 1), else_=0)).label(code) for code in STATUSES]


# ------------------------------------------------------------------ writing the facts

def plan_periods(session: Session, assignment: AssignmentRow, periods: list[dict[str, Any]] | list[ReportPeriod],
                 *, now: datetime, instance_id: int | None = None) -> int:
    """Write one open row per period of the assignment (dicts as followup.plan_reports makes them,
    or ReportPeriods); an existing row of the same period is left as it is. Returns rows added."""
    existing = set(session.scalars(select(FollowupPeriod.period_index)
                                   .where(FollowupPeriod.assignment_id == assignment.id)))
    rows = []
    for p in periods:
        row = _row_values(p)
        if row["period_index"] in existing:
            continue
        rows.append(dict(
            directive_id=assignment.directive_id, assignment_id=assignment.id, position=assignment.position,
            body_code=assignment.body_code, body_name=assignment.body_name, lead=assignment.lead,
            due_day=local_date(row["due_at"]).toordinal(), state=OPEN, planned_at=now, instance_id=instance_id,
            chase_count=0, late_days=0, **row))
    if rows:  # one Core statement for the body's periods (this runs once per body of a distribution)
        session.connection().execute(cast(Table, FollowupPeriod.__table__).insert(), rows)
    return len(rows)


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _row_values(p: dict[str, Any] | ReportPeriod) -> dict[str, Any]:
    if isinstance(p, ReportPeriod):
        return {"period_index": p.index, "period_start": p.start, "period_end": p.end, "is_final": p.is_final,
                "label": f"kỳ {p.index + 1}", "due_at": p.due_at, "remind_at": None, "chase_at": None,
                "escalate_at": None}
    start, end = p["start"], p["end"]
    return {"period_index": int(p["index"]), "is_final": bool(p.get("final")),
            "period_start": date.fromisoformat(start) if isinstance(start, str) else start,
            "period_end": date.fromisoformat(end) if isinstance(end, str) else end,
            "label": str(p.get("label") or f"kỳ {int(p['index']) + 1}")[:200], "due_at": _when(p["due_at"]),
            "remind_at": _when(p.get("remind_at")), "chase_at": _when(p.get("chase_at")),
            "escalate_at": _when(p.get("escalate_at"))}


def fact_of(session: Session, assignment_id: int, period_index: int) -> FollowupPeriod | None:
    """The row of one body's period, or None (periods planned before these facts existed)."""
    return session.scalar(select(FollowupPeriod).where(FollowupPeriod.assignment_id == assignment_id,
                                                       FollowupPeriod.period_index == period_index))


def record_submission(session: Session, assignment_id: int, period_index: int, *, report_id: int,
                      submitted_at: datetime, document_id: int | None = None) -> FollowupPeriod | None:
    """The body's report of the period came in (late days from its due, by the office calendar)."""
    row = fact_of(session, assignment_id, period_index)
    if row is None:
        return None
    row.state, row.submitted_at, row.report_id = SUBMITTED, submitted_at, report_id
    row.late_days = 0 if submitted_at <= row.due_at else days_late(submitted_at, row.due_at)
    if document_id is not None:
        row.report_document_id = document_id
    session.flush()
    return row


def record_letter(session: Session, assignment_id: int, period_index: int, kind: str, document_id: int) -> None:
    """A reminder (`reminder_letter`) or chasing letter (`chasing_letter`) went to the body for the period."""
    values: dict[str, Any]
    if kind == "chasing_letter":
        values = {"chasing_document_id": document_id, "chase_count": FollowupPeriod.chase_count + 1}
    elif kind == "reminder_letter":
        values = {"reminder_document_id": document_id}
    else:
        raise ValueError(f"not a follow-up letter: {kind}")
    session.execute(update(FollowupPeriod).where(FollowupPeriod.assignment_id == assignment_id,
                                                 FollowupPeriod.period_index == period_index).values(**values))


def record_escalation(session: Session, assignment_id: int, period_index: int, now: datetime) -> None:
    """The period went to the leader (the body did not report after the chasing letter)."""
    session.execute(update(FollowupPeriod).where(FollowupPeriod.assignment_id == assignment_id,
                                                 FollowupPeriod.period_index == period_index)
                    .values(escalated_at=now))


def cancel_open(session: Session, directive_id: int, *, reason: str, now: datetime,
                assignment_id: int | None = None) -> int:
    """Cancel every open period of the directive (or of one assignment): nothing is followed any more.
    A period already overdue keeps its days late, frozen at `now`. Returns rows cancelled."""
    fp = FollowupPeriod
    where = [fp.directive_id == directive_id, fp.state == OPEN]
    if assignment_id is not None:
        where.append(fp.assignment_id == assignment_id)
    running = local_date(now).toordinal() - fp.due_day
    frozen = case((fp.due_at < now, case((running > 1, running), else_=1)), else_=0)
    result = session.execute(update(fp).where(*where).values(state=CANCELLED, cancelled_at=now,
                                                             cancel_reason=reason, late_days=frozen))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def backfill_facts(session: Session, now: datetime) -> int:
    """Write the facts of assignments followed up before this table existed: their periods from the
    cycle, the reports already stored as submissions, and, for closed directives, the open ones
    cancelled. Assignments that have facts are left alone. Returns the rows added."""
    from ..model.codec import cycle_from_dict
    from ..model.periods import report_periods
    from .store import BodyReport

    have = select(FollowupPeriod.assignment_id).distinct()
    rows = list(session.scalars(select(AssignmentRow).join(DirectiveRow, DirectiveRow.id == AssignmentRow.directive_id)
                                .where(AssignmentRow.followup_instance_id.is_not(None),
                                       AssignmentRow.id.not_in(have))))
    added = 0
    for a in rows:
        added += plan_periods(session, a, report_periods(cycle_from_dict(a.cycle)), now=now,
                              instance_id=a.followup_instance_id)
        for r in session.scalars(select(BodyReport).where(BodyReport.assignment_id == a.id)):
            record_submission(session, a.id, r.period_index, report_id=r.id, submitted_at=r.submitted_at)
    closed = {a.directive_id for a in rows
              if session.scalar(select(DirectiveRow.stage).where(DirectiveRow.id == a.directive_id)) == "closed"}
    for did in closed:
        cancel_open(session, did, reason="Chỉ thị đã kết thúc trước khi có bảng theo dõi", now=now)
    return added


# ------------------------------------------------------------------ reading: the board

@dataclass
class Rates:
    """Counts by status and the two rates (None when their divisor is 0)."""

    on_time: int = 0
    late: int = 0
    in_time: int = 0
    due_soon: int = 0
    overdue: int = 0
    cancelled: int = 0

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.in_time + self.due_soon + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None

    @property
    def completion_rate(self) -> float | None:
        divisor = self.completed + self.overdue
        return self.completed / divisor if divisor else None

    def add(self, status: str, n: int = 1) -> None:
        setattr(self, status, getattr(self, status) + n)

    def as_dict(self) -> dict[str, Any]:
        return {**{s: getattr(self, s) for s in STATUSES}, "completed": self.completed, "total": self.total,
                "on_time_rate": self.on_time_rate, "completion_rate": self.completion_rate}


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period as the board's cells share it (bodies on the same cycle share one)."""

    index: int
    label: str
    start: date
    end: date
    is_final: bool
    due_day: int  # ordinal of the office date it is due (17:00 Vietnam time that day)

    @property
    def due_date(self) -> date:
        return date.fromordinal(self.due_day)


@dataclass(slots=True)
class Cell:
    """One body × period of the board."""

    period: Period
    status: str
    late_days: int
    submitted_at: datetime | None
    report_id: int | None
    report_document_id: int | None
    reminder_document_id: int | None
    chasing_document_id: int | None
    chase_count: int
    escalated_at: datetime | None
    cancel_reason: str | None
    instance_id: int | None

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def period_index(self) -> int:
        return self.period.index

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def period_start(self) -> date:
        return self.period.start

    @property
    def period_end(self) -> date:
        return self.period.end

    @property
    def is_final(self) -> bool:
        return self.period.is_final

    @property
    def due_day(self) -> int:
        return self.period.due_day

    @property
    def due_date(self) -> date:
        return self.period.due_date

    @property
    def due_at(self) -> datetime:
        return end_of_day(self.period.due_date)


@dataclass
class BoardRow:
    """An assigned body: its tasks and one cell per column (None where its cycle has no such period)."""

    assignment_id: int
    position: int
    body_code: str | None
    body_name: str
    lead: bool
    tasks: list[str]
    deadline: date | None
    cells: list[Cell | None]
    rates: Rates = field(default_factory=Rates)

    @property
    def current(self) -> Cell | None:
        """The cell that says where the body stands now: the oldest overdue, else the next open one,
        else the last one."""
        cells = [c for c in self.cells if c is not None]
        for wanted in ((OVERDUE,), (DUE_SOON, IN_TIME)):
            found = next((c for c in cells if c.status in wanted), None)
            if found is not None:
                return found
        return cells[-1] if cells else None


@dataclass
class Column:
    index: int
    label: str  # "Kỳ 1", "Cuối kỳ"
    due_date: date | None  # when every body owes it on the same day


@dataclass
class Board:
    directive_id: int
    now: datetime
    columns: list[Column]
    rows: list[BoardRow]
    rates: Rates

    def status_grid(self) -> list[list[str]]:
        """The status words, one row per body, one column per period ("" where no period)."""
        return [[c.words if c is not None else "" for c in r.cells] for r in self.rows]


def board(session: Session, directive_id: int, now: datetime, *, soon: int | None = None,
          status: str | None = None, body_code: str | None = None) -> Board:
    """The follow-up board of a directive at `now`: rows = its assigned bodies (lead first, then in
    printed order), columns = reporting periods, each cell its status and the ids to link; `status`
    keeps the bodies having a cell of that status, `body_code` one body. Three queries, whatever the
    number of bodies."""
    fp, ar = FollowupPeriod, AssignmentRow
    st = status_expr(now, soon)
    aq = (select(ar.id, ar.position, ar.body_code, ar.body_name, ar.lead, ar.tasks, ar.deadline)
          .where(ar.directive_id == directive_id, ar.status != "withdrawn"))
    if body_code:
        aq = aq.where(ar.body_code == body_code)
    assignments = session.execute(aq.order_by(ar.lead.desc(), ar.position)).all()
    pq = (select(fp.period_index, fp.label, fp.period_start, fp.period_end, fp.is_final, fp.due_day)
          .where(fp.directive_id == directive_id).distinct())
    fq = (select(fp.assignment_id, fp.period_index, fp.label, fp.due_day, st, late_days_expr(now), fp.submitted_at,
                 fp.report_id, fp.report_document_id, fp.reminder_document_id, fp.chasing_document_id, fp.chase_count,
                 fp.escalated_at, fp.cancel_reason, fp.instance_id)
          .where(fp.directive_id == directive_id))
    if body_code:
        pq, fq = pq.where(fp.body_code == body_code), fq.where(fp.body_code == body_code)
    periods = {(r[0], r[1], r[5]): Period(*r) for r in session.execute(pq).all()}  # few: one per distinct cycle
    by_assignment: dict[int, dict[int, Cell]] = {}
    for r in session.execute(fq).all():
        cells = by_assignment.get(r[0])
        if cells is None:
            cells = by_assignment[r[0]] = {}
        cells[r[1]] = Cell(periods[(r[1], r[2], r[3])], r[4], int(r[5] or 0), r[6], r[7], r[8], r[9], r[10], r[11],
                           r[12], r[13], r[14])
    width = max((max(cells) + 1 for cells in by_assignment.values() if cells), default=0)
    columns = _columns(width, by_assignment)
    rows, total = [], Counter[str]()
    for aid, position, code, name, lead, tasks, deadline in assignments:
        cells = by_assignment.get(aid, {})
        counts = Counter(c.status for c in cells.values())
        if status and not counts.get(status):
            continue
        total.update(counts)
        rows.append(BoardRow(aid, position, code, name, lead, list(tasks or []), deadline,
                             [cells.get(i) for i in range(width)], Rates(**counts)))
    return Board(directive_id, now, columns, rows, Rates(**total))


def _columns(width: int, by_assignment: dict[int, dict[int, Cell]]) -> list[Column]:
    columns = []
    for i in range(width):
        days, final, seen = set(), True, False
        for cells in by_assignment.values():
            c = cells.get(i)
            if c is not None:
                days.add(c.due_day)
                final, seen = final and c.is_final, True
        due = date.fromordinal(days.pop()) if len(days) == 1 else None
        columns.append(Column(i, "Cuối kỳ" if final and seen else f"Kỳ {i + 1}", due))
    return columns


# ------------------------------------------------------------------ reading: across directives

@dataclass
class RatesRow:
    key: str | int  # body code or directive id
    name: str  # body name, or the directive's number and subject
    rates: Rates


def rates_by(session: Session, now: datetime, *, by: str = "body", directive_id: int | None = None,
             body_code: str | None = None, issuer_code: str | None = None, soon: int | None = None,
             include_closed: bool = True) -> list[RatesRow]:
    """Counts by status and rates per body (`by="body"`) or per directive (`by="directive"`), one
    GROUP BY query; narrowed to a directive, a body or an issuer's directives."""
    fp = FollowupPeriod
    st = status_expr(now, soon)
    if by == "body":
        keys: list[Any] = [fp.body_code, func.min(fp.body_name)]
        group: list[Any] = [fp.body_code]
    elif by == "directive":
        keys = [fp.directive_id, func.min(DirectiveRow.symbol), func.min(DirectiveRow.number),
                func.min(DirectiveRow.subject)]
        group = [fp.directive_id]
    else:
        raise ValueError("by must be 'body' or 'directive'")
    q = select(*keys, *_counts(st)).join(DirectiveRow, DirectiveRow.id == fp.directive_id).group_by(*group)
    if directive_id is not None:
        q = q.where(fp.directive_id == directive_id)
    if body_code is not None:
        q = q.where(fp.body_code == body_code)
    if issuer_code is not None:
        q = q.where(DirectiveRow.issuer_code == issuer_code)
    if not include_closed:
        q = q.where(DirectiveRow.stage != "closed")
    out = []
    for r in session.execute(q):
        rates = Rates(**{s: int(getattr(r, s) or 0) for s in STATUSES})
        if by == "body":
            out.append(RatesRow(r[0] or "", r[1] or "", rates))
        else:
            number = f"{r[2]}/{r[1]}" if r[2] else r[1]
            out.append(RatesRow(r[0], f"{number} — {r[3]}", rates))
    return sorted(out, key=lambda x: (x.name, str(x.key)))


@dataclass
class OverdueBody:
    directive_id: int
    directive_label: str  # "15/CT-UBND" or the symbol of a draft
    subject: str
    body_code: str | None
    body_name: str
    periods_overdue: int
    oldest_due_at: datetime
    days_late: int  # of the oldest overdue period
    first_period_index: int


def overdue_bodies(session: Session, now: datetime, *, issuer_code: str | None = None,
                   body_code: str | None = None, limit: int = 500) -> list[OverdueBody]:
    """Bodies with open periods past due, across the directives still followed up, most late first
    (one GROUP BY query)."""
    fp = FollowupPeriod
    q = (select(fp.directive_id, fp.assignment_id, func.min(fp.body_code), func.min(fp.body_name),
                func.count(), func.min(fp.due_at), func.min(fp.due_day), func.min(fp.period_index),
                func.min(DirectiveRow.symbol), func.min(DirectiveRow.number), func.min(DirectiveRow.subject))
         .join(DirectiveRow, DirectiveRow.id == fp.directive_id)
         .where(fp.state == OPEN, fp.due_at < now, DirectiveRow.stage != "closed")
         .group_by(fp.directive_id, fp.assignment_id)
         .order_by(func.min(fp.due_at), fp.directive_id, fp.assignment_id).limit(limit))
    if issuer_code is not None:
        q = q.where(DirectiveRow.issuer_code == issuer_code)
    if body_code is not None:
        q = q.where(fp.body_code == body_code)
    today = local_date(now).toordinal()
    return [OverdueBody(r[0], f"{r[9]}/{r[8]}" if r[9] else r[8], r[10], r[2], r[3], int(r[4]), r[5],
                        max(today - int(r[6]), 1), int(r[7])) for r in session.execute(q)]


@dataclass
class BodyPeriod:
    """One of a body's deadlines across directives (its workspace)."""

    directive_id: int
    assignment_id: int
    period_index: int
    label: str
    due_at: datetime
    status: str
    late_days: int
    submitted_at: datetime | None
    report_document_id: int | None
    reminder_document_id: int | None
    chasing_document_id: int | None
    instance_id: int | None

    @property
    def words(self) -> str:
        return STATUS_WORDS[self.status]


def periods_of_body(session: Session, body_code: str, now: datetime, *, statuses: tuple[str, ...] | None = None,
                    soon: int | None = None, limit: int = 500) -> list[BodyPeriod]:
    """A body's reporting periods across directives, soonest due first (optionally of some statuses)."""
    fp = FollowupPeriod
    st = status_expr(now, soon)
    q = (select(fp.directive_id, fp.assignment_id, fp.period_index, fp.label, fp.due_at, st.label("status"),
                late_days_expr(now).label("late"), fp.submitted_at, fp.report_document_id, fp.reminder_document_id,
                fp.chasing_document_id, fp.instance_id)
         .where(fp.body_code == body_code).order_by(fp.due_at, fp.directive_id, fp.period_index).limit(limit))
    if statuses:
        q = q.where(st.in_(statuses))
    return [BodyPeriod(r.directive_id, r.assignment_id, r.period_index, r.label, r.due_at, r.status, int(r.late or 0),
                       r.submitted_at, r.report_document_id, r.reminder_document_id, r.chasing_document_id,
                       r.instance_id) for r in session.execute(q)]


def statuses_at(session: Session, directive_id: int, now: datetime,
                soon: int | None = None) -> dict[tuple[int, int], str]:
    """{(assignment id, period index): status} of a directive (tests and checks)."""
    fp = FollowupPeriod
    q = select(fp.assignment_id, fp.period_index, status_expr(now, soon)).where(fp.directive_id == directive_id)
    return {(a, i): s for a, i, s in session.execute(q)}


def percent(rate: float | None) -> str:
    """A rate as offices print it: "83,3%" ("—" when there is nothing to divide)."""
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".", ",")


def rates_sentence(rates: Rates) -> str:
    """The figures of a board in one sentence (the consolidated and close-out reports print it)."""
    return (f"Tổng số {rates.total} kỳ báo cáo: {rates.on_time} hoàn thành đúng hạn, {rates.late} hoàn thành trễ hạn, "
            f"{rates.overdue} chưa hoàn thành – quá hạn, {rates.in_time + rates.due_soon} chưa hoàn thành – trong "
            f"hạn; tỷ lệ đúng hạn {percent(rates.on_time_rate)}, tỷ lệ hoàn thành {percent(rates.completion_rate)}.")


def directive_rates(session: Session, directive_id: int, now: datetime) -> Rates:
    """The directive's counts and rates (one query)."""
    rows = rates_by(session, now, by="directive", directive_id=directive_id)
    return rows[0].rates if rows else Rates()


__all__ = ["FollowupPeriod", "STATUSES", "STATUS_WORDS", "Rates", "Board", "BoardRow", "Cell", "Column", "Period",
           "board",
           "rates_by", "overdue_bodies", "periods_of_body", "plan_periods", "record_submission", "record_letter",
           "record_escalation", "cancel_open", "status_expr", "late_days_expr", "soon_days", "statuses_at",
           "directive_rates", "percent", "rates_sentence", "backfill_facts"]
