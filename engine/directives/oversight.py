"""What the follow-up pages read: a directive's board, an assigned body's workspace and the leader's
dashboard. Statuses and rates come from the one place they are decided (tracking.py); who may see
what from policy.py. Every read is a fixed number of queries, whatever the number of bodies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from ..documents.store import GeneratedDocument
from ..kernel.accounts import Actor
from ..kernel.calendar import local, local_date
from ..kernel.errors import NotFound, PermissionDenied
from ..kernel.humantasks import InboxQuery
from ..model.codec import directive_from_dict
from ..model.directive import Directive
from . import attachments, store, tracking
from .lookup import OFFICE_ROLES
from .policy import reader_scope, visible_directives
from .subjects import directive_title

LETTER_KINDS = ("reminder_letter", "chasing_letter")


# ------------------------------------------------------------------ the board


BOARD_PAGE = 100  # bodies per page of the board (the summary line counts them all)


@dataclass
class BoardView:
    directive_id: int
    title: str
    stage: str
    board: tracking.Board  # the page's rows; board.rates: every body the filters keep
    full: bool  # the issuing office's view (every body); an assigned body sees its own row only
    bodies: list[tuple[str, str]]  # (code, name) for the body filter
    page: int = 1
    pages: int = 1
    matching: int = 0  # bodies the filters keep


def _paged_board(s: Any, directive_id: int, now: datetime, status: str | None, body_code: str | None,
                 page: int, size: int) -> tuple[tracking.Board, int]:
    """One page of the board in four queries whatever the directive's size: the bodies the filters
    keep (a body is kept by `status` when one of its cells has it), their cells, and the counts of
    every kept body; statuses from tracking.status_expr (the one place)."""
    fp = tracking.FollowupPeriod
    st = tracking.status_expr(now)
    a = store.AssignmentRow
    kept = select(a.id, a.position, a.body_code, a.body_name, a.lead, a.tasks, a.deadline).where(
        a.directive_id == directive_id, a.status != "withdrawn")
    if body_code:
        kept = kept.where(a.body_code == body_code)
    if status:
        kept = kept.where(a.id.in_(select(fp.assignment_id).where(fp.directive_id == directive_id, st == status)))
    matching = int(s.scalar(select(func.count()).select_from(kept.subquery())) or 0)
    assignments = s.execute(kept.order_by(a.lead.desc(), a.position).offset((page - 1) * size).limit(size)).all()
    ids = [r.id for r in assignments]
    # the periods, shared by the cells of every body on the same cycle (few, one query)
    periods = {(r[0], r[1], r[5]): tracking.Period(*r) for r in s.execute(
        select(fp.period_index, fp.label, fp.period_start, fp.period_end, fp.is_final, fp.due_day)
        .where(fp.directive_id == directive_id).distinct()).all()}
    cells: dict[int, dict[int, tracking.Cell]] = {}
    if ids:
        q = (select(fp.assignment_id, fp.period_index, fp.label, fp.due_day, st, tracking.late_days_expr(now),
                    fp.submitted_at, fp.report_id, fp.report_document_id, fp.reminder_document_id,
                    fp.chasing_document_id, fp.chase_count, fp.escalated_at, fp.cancel_reason, fp.instance_id)
             .where(fp.directive_id == directive_id, fp.assignment_id.in_(ids)))
        for r in s.execute(q).all():
            cells.setdefault(r[0], {})[r[1]] = tracking.Cell(periods[(r[1], r[2], r[3])], r[4], int(r[5] or 0),
                                                             *r[6:])
    # the columns: one per period index, with its due day when every body owes it the same day
    columns = []
    for index in sorted({key[0] for key in periods}):
        same = [p for key, p in periods.items() if key[0] == index]
        days = {p.due_day for p in same}
        final = all(p.is_final for p in same)
        columns.append(tracking.Column(index, "Cuối kỳ" if final else f"Kỳ {index + 1}",
                                       date.fromordinal(days.pop()) if len(days) == 1 else None))
    width = len(columns)
    rows = []
    for r in assignments:
        mine = cells.get(r.id, {})
        row = tracking.BoardRow(r.id, r.position, r.body_code, r.body_name, r.lead, list(r.tasks or []), r.deadline,
                                [mine.get(i) for i in range(width)])
        for c in mine.values():
            row.rates.add(c.status)
        rows.append(row)
    totals = select(st.label("status"), func.count()).where(fp.directive_id == directive_id).group_by(st)
    if body_code or status:
        totals = totals.where(fp.assignment_id.in_(select(kept.subquery().c.id)))
    rates = tracking.Rates()
    for code, n in s.execute(totals):
        rates.add(code, int(n))
    return tracking.Board(directive_id, now, columns, rows, rates), matching


def board_view(engine: Any, directive_id: int, actor: Actor, *, status: str | None = None,
               body_code: str | None = None, page: int = 1, size: int = BOARD_PAGE) -> BoardView:
    """The follow-up board as `actor` may see it, filtered by status and body, one page of bodies."""
    if status is not None and status not in tracking.STATUSES:
        raise ValueError(f"trạng thái không hợp lệ: {status}")
    with engine.db.session() as s:
        row = s.get(store.DirectiveRow, directive_id)
        if row is None:
            raise NotFound(f"Không có chỉ thị số {directive_id}")
        scope = reader_scope(s, row, actor)
        if not scope.visible or (not scope.full and not scope.assignments):  # as boards.board_for
            raise NotFound(f"Không có chỉ thị số {directive_id}")
        if not scope.full:  # an assigned body: its own row only
            body_code = actor.body_code
        size = max(1, min(size, 2000))
        board, matching = _paged_board(s, directive_id, engine.clock.now(), status, body_code, max(page, 1), size)
        if scope.full:
            bodies = [(c, n) for c, n in s.execute(
                select(store.AssignmentRow.body_code, store.AssignmentRow.body_name)
                .where(store.AssignmentRow.directive_id == directive_id, store.AssignmentRow.body_code.is_not(None),
                       store.AssignmentRow.status != "withdrawn")
                .order_by(store.AssignmentRow.lead.desc(), store.AssignmentRow.position))]
        else:
            bodies = [(r.body_code, r.body_name) for r in board.rows if r.body_code]
        return BoardView(directive_id, directive_title(row), row.stage, board, scope.full, bodies,
                         page=max(page, 1), pages=max(1, -(-matching // size)), matching=matching)


# ------------------------------------------------------------------ the assigned body's workspace


@dataclass
class WorkAssignment:
    directive_id: int
    title: str
    stage: str
    lead: bool
    section_ref: str | None
    section_text: list[str]  # the section it must carry out, as printed
    tasks: list[str]
    deadline: date | None
    rates: tracking.Rates


@dataclass
class Letter:
    document_id: int
    kind: str  # reminder_letter | chasing_letter
    title: str
    filename: str
    created_at: datetime
    directive_id: int | None


@dataclass
class ReportLine:
    directive_id: int
    title: str
    period_index: int
    period_end: date
    submitted_at: datetime
    on_time: bool
    late_days: int
    attachments: list[tuple[int, str]]  # (attachment id, file name)


@dataclass
class Workspace:
    body_code: str
    assignments: list[WorkAssignment]
    upcoming: list[tracking.BodyPeriod]  # open periods, soonest due first
    overdue: list[tracking.BodyPeriod]
    reports: list[ReportLine]
    letters: list[Letter]
    report_tasks: list[Any]  # the body's open tasks (TaskInfo), each with its form
    titles: dict[int, str] = field(default_factory=dict)  # directive id → title


def _section_text(d: Directive, ref: str | None) -> list[str]:
    """The printed lines of the section or item `ref` ("2.", "2.a)", "3.1.") names."""
    if not ref:
        return []
    head = ref.strip()
    for section in d.sections:
        if not head.startswith(section.label.rstrip()):
            continue
        rest = head[len(section.label.rstrip()):].strip()
        if rest:
            for item in section.items:
                if rest.startswith(item.label.strip()) or item.label.strip().startswith(rest):
                    return [f"{item.label} {item.heading or ''}".strip(), *item.paragraphs]
        lines = [f"{section.label} {section.heading or ''}".strip(), *section.paragraphs]
        for item in section.items:
            lines += [f"{item.label} {item.heading or ''}".strip(), *item.paragraphs]
        return lines + list(section.trailing)
    return []


def require_body(actor: Actor) -> str:
    if not actor.body_code:
        raise PermissionDenied("Tài khoản chưa gắn với cơ quan nào nên không có không gian làm việc")
    return actor.body_code


def workspace(engine: Any, actor: Actor) -> Workspace:
    """The body's assignments across directives, deadlines, reports sent and letters received."""
    code = require_body(actor)
    now = engine.clock.now()
    with engine.db.session() as s:
        assignments = s.execute(select(store.AssignmentRow, store.DirectiveRow)
                                .join(store.DirectiveRow, store.DirectiveRow.id == store.AssignmentRow.directive_id)
                                .where(store.AssignmentRow.body_code == code, store.AssignmentRow.status != "withdrawn",
                                       store.DirectiveRow.issued_on.is_not(None))
                                .order_by(store.DirectiveRow.issued_on.desc(), store.DirectiveRow.id.desc())
                                .limit(200)).all()
        rates = {r.key: r.rates for r in tracking.rates_by(s, now, by="directive", body_code=code)}
        titles = {d.id: directive_title(d) for _, d in assignments}
        work = []
        for a, d in assignments:
            work.append(WorkAssignment(d.id, titles[d.id], d.stage, a.lead, a.section_ref,
                                       _section_text(directive_from_dict(d.data), a.section_ref),
                                       list(a.tasks or []), a.deadline, rates.get(d.id, tracking.Rates())))
        periods = tracking.periods_of_body(s, code, now)
        upcoming = [p for p in periods if p.status in tracking.OPEN_IN_TIME]
        overdue = [p for p in periods if p.status == tracking.OVERDUE]
        sent = list(s.scalars(select(store.BodyReport).where(store.BodyReport.body_code == code)
                              .order_by(store.BodyReport.submitted_at.desc()).limit(200)))
        files = attachments.of_reports(s, [r.id for r in sent])
        reports = [ReportLine(r.directive_id, titles.get(r.directive_id, ""), r.period_index, r.period_end,
                              r.submitted_at, r.on_time, r.late_days,
                              [(f.id, f.filename) for f in files.get(r.id, [])]) for r in sent]
        letter_ids = {i for p in periods for i in (p.reminder_document_id, p.chasing_document_id) if i}
        letters = [Letter(g.id, g.kind, "Công văn đôn đốc" if g.kind == "chasing_letter" else "Công văn nhắc báo cáo",
                          g.filename, g.created_at, g.directive_id)
                   for g in s.scalars(select(GeneratedDocument).where(GeneratedDocument.id.in_(letter_ids))
                                      .order_by(GeneratedDocument.created_at.desc()))] if letter_ids else []
    tasks = engine.inbox(actor, limit=50, query=InboxQuery(ref_type=store.DIRECTIVE)) if actor.body_code else []
    return Workspace(code, work, upcoming, overdue, reports, letters, tasks, titles)


# ------------------------------------------------------------------ the leader's dashboard


@dataclass
class MonthBar:
    month: str  # "05/2024"
    on_time: int
    late: int


@dataclass
class Dashboard:
    waiting: list[Any]  # my open tasks (TaskInfo), soonest due first
    waiting_counts: dict[str, int]
    stages: list[tuple[str, str, int]]  # (stage, its name, directives)
    overdue: list[tracking.OverdueBody]
    by_body: list[tracking.RatesRow]
    by_directive: list[tracking.RatesRow]
    total: tracking.Rates
    months: list[MonthBar]


def require_dashboard(actor: Actor) -> None:
    if not (actor.is_admin or OFFICE_ROLES & set(actor.roles)):
        raise PermissionDenied("Trang tổng hợp dành cho lãnh đạo và văn phòng")


def dashboard(engine: Any, actor: Actor, months: int = 12) -> Dashboard:
    """What waits for the leader, directives by stage, overdue bodies, rates and reports over time —
    of the directives the actor's office issued (administrators: every one)."""
    require_dashboard(actor)
    now = engine.clock.now()
    issuer = None if actor.is_admin else actor.body_code
    waiting = engine.inbox(actor, limit=10)
    counts = engine.inbox_counts(actor)
    with engine.db.session() as s:
        stage_q = select(store.DirectiveRow.stage, func.count()).group_by(store.DirectiveRow.stage)
        visible = visible_directives(actor)
        if visible is not None:
            stage_q = stage_q.where(visible)
        by_stage = dict(s.execute(stage_q).all())
        stages = [(st, store.STAGE_NAMES.get(st, st), int(by_stage[st])) for st in store.STAGES if by_stage.get(st)]
        overdue = tracking.overdue_bodies(s, now, issuer_code=issuer, limit=100)
        by_body = tracking.rates_by(s, now, by="body", issuer_code=issuer)
        by_directive = tracking.rates_by(s, now, by="directive", issuer_code=issuer)
        first = local_date(now).replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        fp = tracking.FollowupPeriod
        q = (select(fp.submitted_at, fp.due_at).join(store.DirectiveRow, store.DirectiveRow.id == fp.directive_id)
             .where(fp.submitted_at.is_not(None), fp.submitted_at >= local(now).replace(
                 year=first.year, month=first.month, day=1, hour=0, minute=0, second=0, microsecond=0)))
        if issuer is not None:
            q = q.where(store.DirectiveRow.issuer_code == issuer)
        bars: dict[str, MonthBar] = {}
        cursor = first
        for _ in range(months):
            key = cursor.strftime("%m/%Y")
            bars[key] = MonthBar(key, 0, 0)
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        for submitted_at, due_at in s.execute(q):
            bar = bars.get(local(submitted_at).strftime("%m/%Y"))
            if bar is not None:
                if submitted_at <= due_at:
                    bar.on_time += 1
                else:
                    bar.late += 1
    # the bodies that most need attention first: most overdue, then the lowest completion rate
    by_body.sort(key=lambda r: (-r.rates.overdue, r.rates.completion_rate if r.rates.completion_rate is not None
                                else 2.0, r.name))
    total = tracking.Rates()
    for row in by_directive:
        for status in tracking.STATUSES:
            total.add(status, getattr(row.rates, status))
    return Dashboard(waiting, counts, stages, overdue, by_body, by_directive, total, list(bars.values()))
