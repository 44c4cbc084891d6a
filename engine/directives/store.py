"""Stored directives: the directive row (with its description as JSON), one row per assignment,
the bodies' reports and the comments kept from every return for revision.

Reports are in `reports.py`; this module owns the tables and the directive's own life.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..kernel.clock import Clock
from ..kernel.db import Base
from ..kernel.errors import NotFound
from ..model.codec import assignment_to_dict, directive_from_dict, directive_to_dict
from ..model.directive import Assignment, Directive

DIRECTIVE = "directive"  # the ref_type of the instances and tasks that serve a directive
STAGES = ("intake", "drafting", "consultation", "review", "signing", "issued", "distributed", "following_up",
          "closed")
STAGE_NAMES = {  # what people call each stage (pages, dashboard, inbox)
    "intake": "Tiếp nhận văn bản đến", "drafting": "Soạn thảo", "consultation": "Lấy ý kiến",
    "review": "Thẩm định", "signing": "Trình ký", "issued": "Đã ban hành", "distributed": "Đã phát hành",
    "following_up": "Theo dõi thực hiện", "closed": "Đã kết thúc",
}


class DirectiveRow(Base):
    """A directive being drafted, issued or followed up; `data` is the codec dict of the Directive."""

    __tablename__ = "directive"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    side: Mapped[str] = mapped_column(String(10))
    instrument: Mapped[str] = mapped_column(String(10))
    issuer_code: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(30), default="drafting", index=True)
    national_ref: Mapped[str | None] = mapped_column(String(300))  # "15/CT-TTg 2024-05-16 Thủ tướng Chính phủ"
    outgoing_entry_id: Mapped[int | None] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    data: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    import_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # a draft imported twice is refused
    chase_auto_send: Mapped[bool] = mapped_column(Boolean, default=False)  # chasing letters go out unreviewed
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class AssignmentRow(Base):
    """One assigned body of a directive, with its cycle and follow-up counters."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("directive_id", "position"),
        Index("ix_assignment_directive_body", "directive_id", "body_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # index in Directive.assignments
    body_code: Mapped[str | None] = mapped_column(String(100), index=True)
    body_name: Mapped[str] = mapped_column(String(400))
    section_ref: Mapped[str | None] = mapped_column(String(40))
    tasks: Mapped[list] = mapped_column(JSON, default=list)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[date | None] = mapped_column(Date)
    cycle: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="assigned")  # assigned|acknowledged|done|withdrawn
    acknowledged_at: Mapped[datetime | None]
    followup_instance_id: Mapped[int | None] = mapped_column(Integer)
    reports_submitted: Mapped[int] = mapped_column(Integer, default=0)
    reports_late: Mapped[int] = mapped_column(Integer, default=0)
    chase_count: Mapped[int] = mapped_column(Integer, default=0)


class BodyReport(Base):
    """A report of an assigned body for one period of its cycle (the last period is the final report)."""

    __tablename__ = "body_report"
    __table_args__ = (UniqueConstraint("assignment_id", "period_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    body_code: Mapped[str | None] = mapped_column(String(100))
    period_index: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime]
    content: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # sha256 of stored_blob rows
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
    on_time: Mapped[bool] = mapped_column(Boolean)
    late_days: Mapped[int] = mapped_column(Integer, default=0)
    body_number: Mapped[str | None] = mapped_column(String(60))  # the body's own number of its report ("12/BC-SGDĐT")
    body_date: Mapped[date | None] = mapped_column(Date)  # the date the body gave its report


class DirectiveComment(Base):
    """A comment on a draft (e.g. from a return for revision); kept and shown with the directive.

    `version` is the directive's version the comment was made on (what the reviewer read), so the
    next round shows what changed since; a consulted body's comment carries its `body_code`, and the
    drafter's tiếp thu / giải trình of it (`response_kind`: accepted | explained, `response`)."""

    __tablename__ = "directive_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    stage: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int | None] = mapped_column(Integer)
    body_code: Mapped[str | None] = mapped_column(String(100))
    response_kind: Mapped[str | None] = mapped_column(String(20))
    response: Mapped[str | None] = mapped_column(Text)
    responded_by: Mapped[str | None] = mapped_column(String(100))
    responded_at: Mapped[datetime | None]


class DirectiveVersion(Base):
    """Every saved state of a directive's description: each save is a version, kept for the diff."""

    __tablename__ = "directive_version"
    __table_args__ = (UniqueConstraint("directive_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(40))  # created | saved | instrument | draft_round | signature | issued
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime]


def directive_ref(directive_id: int) -> tuple[str, int]:
    """The business reference an instance serving this directive carries."""
    return DIRECTIVE, directive_id


def directive_of(view: object) -> int | None:
    """The directive an instance or task (InstanceInfo, TaskInfo) serves, or None."""
    if getattr(view, "ref_type", None) == DIRECTIVE:
        return getattr(view, "ref_id", None)
    return None


def _national_ref(d: Directive) -> str | None:
    ref = d.implements
    return None if ref is None else f"{ref.number}/{ref.symbol} {ref.date.isoformat()} {ref.issuer}"


def _copy_header(row: DirectiveRow, d: Directive) -> None:
    row.side, row.instrument, row.issuer_code = d.side.value, d.instrument.value, d.issuer_code
    row.number, row.symbol, row.issued_on = d.number, d.symbol, d.issued_on
    row.subject, row.national_ref = d.subject, _national_ref(d)
    row.data = directive_to_dict(d)


def _assignment_values(a: Assignment) -> dict:
    data = assignment_to_dict(a)
    return {"body_code": a.body_code, "body_name": a.body_name, "section_ref": a.section_ref,
            "tasks": list(a.tasks), "lead": a.lead, "deadline": a.deadline, "cycle": data["cycle"]}


def create_directive(session: Session, directive: Directive, *, actor: str, clock: Clock,
                     stage: str = "drafting", import_hash: str | None = None) -> int:
    """Store a new directive (stage "drafting" unless told) and one row per assignment; returns its id."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {STAGES}")
    now = clock.now()
    row = DirectiveRow(stage=stage, created_by=actor, created_at=now, updated_by=actor, updated_at=now,
                       import_hash=import_hash, version=1)
    _copy_header(row, directive)
    session.add(row)
    session.flush()
    for position, a in enumerate(directive.assignments):
        session.add(AssignmentRow(directive_id=row.id, position=position, **_assignment_values(a)))
    _keep_version(session, row, "created", actor, now)
    session.flush()
    return row.id


def _keep_version(session: Session, row: DirectiveRow, reason: str, actor: str, now: datetime) -> None:
    session.add(DirectiveVersion(directive_id=row.id, version=row.version, data=row.data, reason=reason,
                                 saved_by=actor, saved_at=now))


def versions_of(session: Session, directive_id: int) -> list[DirectiveVersion]:
    """Every kept version of a directive, oldest first."""
    query = select(DirectiveVersion).where(DirectiveVersion.directive_id == directive_id)
    return list(session.scalars(query.order_by(DirectiveVersion.version)))


def version_of(session: Session, directive_id: int, version: int) -> Directive:
    """The directive as it was at `version`; NotFound when that version was never kept."""
    row = session.scalar(select(DirectiveVersion).where(DirectiveVersion.directive_id == directive_id,
                                                        DirectiveVersion.version == version))
    if row is None:
        raise NotFound(f"chỉ thị id={directive_id} không có phiên bản {version}")
    return directive_from_dict(row.data)


def get_directive_row(session: Session, directive_id: int, *, for_update: bool = False) -> DirectiveRow:
    """The directive row; NotFound if there is none."""
    row = session.get(DirectiveRow, directive_id, with_for_update=for_update or None)
    if row is None:
        raise NotFound(f"không có chỉ thị id={directive_id}")
    return row


def get_directive(session: Session, directive_id: int) -> tuple[DirectiveRow, Directive]:
    """The directive row and the Directive it holds."""
    row = get_directive_row(session, directive_id)
    return row, directive_from_dict(row.data)


def update_directive(session: Session, directive_id: int, directive: Directive, actor: str,
                     now: datetime | None = None, reason: str = "saved") -> DirectiveRow:
    """Replace the held directive (a new version, kept with `reason`); assignments are matched by
    position and body, reports are kept."""
    row = get_directive_row(session, directive_id, for_update=True)
    _copy_header(row, directive)
    row.version += 1
    row.updated_by = actor
    if now is not None:
        row.updated_at = now
    _keep_version(session, row, reason, actor, row.updated_at)
    existing = {a.position: a for a in assignments_of(session, directive_id, include_withdrawn=True)}
    for position, a in enumerate(directive.assignments):
        values = _assignment_values(a)
        current = existing.pop(position, None)
        if current is None:
            session.add(AssignmentRow(directive_id=directive_id, position=position, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)
            if current.status == "withdrawn":
                current.status = "assigned"
    for gone in existing.values():  # kept (reports may point at it) but no longer followed up
        gone.status = "withdrawn"
    session.flush()
    return row


def set_stage(session: Session, directive_id: int, stage: str, *, actor: str, now: datetime) -> DirectiveRow:
    """Move the directive to another stage of its life (see STAGES)."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; one of {STAGES}")
    row = get_directive_row(session, directive_id)
    row.stage, row.updated_by, row.updated_at = stage, actor, now
    session.flush()
    return row


def mark_issued(session: Session, directive_id: int, *, number: int, issued_on: date,
                outgoing_entry_id: int | None, actor: str, now: datetime) -> DirectiveRow:
    """Write the number and date given by the register into the held directive (stage "issued")."""
    row, directive = get_directive(session, directive_id)
    directive.number, directive.issued_on, directive.draft_number = number, issued_on, None
    _copy_header(row, directive)
    row.outgoing_entry_id, row.stage = outgoing_entry_id, "issued"
    row.updated_by, row.updated_at = actor, now
    row.version += 1
    _keep_version(session, row, "issued", actor, now)
    session.flush()
    return row


def assignments_of(session: Session, directive_id: int, *, include_withdrawn: bool = False,
                   body_code: str | None = None) -> list[AssignmentRow]:
    """The directive's assignment rows in their printed order (only `body_code`'s, when given)."""
    query = select(AssignmentRow).where(AssignmentRow.directive_id == directive_id)
    if body_code is not None:
        query = query.where(AssignmentRow.body_code == body_code)
    if not include_withdrawn:
        query = query.where(AssignmentRow.status != "withdrawn")
    return list(session.scalars(query.order_by(AssignmentRow.position)))


def find_assignment(session: Session, directive_id: int, body_code: str) -> AssignmentRow:
    """The (first active) assignment of `body_code` in a directive; NotFound says so otherwise."""
    query = (select(AssignmentRow)
             .where(AssignmentRow.directive_id == directive_id, AssignmentRow.body_code == body_code,
                    AssignmentRow.status != "withdrawn")
             .order_by(AssignmentRow.position).limit(1))
    row = session.scalars(query).first()
    if row is None:
        raise NotFound(f"{body_code} không được giao nhiệm vụ trong chỉ thị id={directive_id}")
    return row


def acknowledge_assignment(session: Session, directive_id: int, body_code: str, now: datetime) -> AssignmentRow:
    """The assigned body confirms it received its tasks."""
    row = find_assignment(session, directive_id, body_code)
    if row.acknowledged_at is None:
        row.acknowledged_at, row.status = now, "acknowledged"
    session.flush()
    return row


def add_comment(session: Session, directive_id: int, *, actor: str, stage: str, text: str,
                now: datetime, body_code: str | None = None) -> DirectiveComment:
    """Keep a comment (e.g. the reason of a return for revision) with the directive, on the version
    the commenter read."""
    row = get_directive_row(session, directive_id)
    comment = DirectiveComment(directive_id=directive_id, actor=actor, at=now, stage=stage, text=text,
                               version=row.version, body_code=body_code)
    session.add(comment)
    session.flush()
    return comment


RESPONSE_KINDS = {"accepted": "Tiếp thu", "explained": "Giải trình"}


def respond_to_comment(session: Session, directive_id: int, comment_id: int, *, kind: str, text: str,
                       actor: str, now: datetime) -> DirectiveComment:
    """The drafter's tiếp thu (accepted) or giải trình (explained) of one consultation comment."""
    comment = session.get(DirectiveComment, comment_id)
    if comment is None or comment.directive_id != directive_id or comment.stage != "consultation":
        raise NotFound(f"không có ý kiến góp ý số {comment_id} của chỉ thị này")
    if kind not in RESPONSE_KINDS:
        raise ValueError(f"kind must be one of {sorted(RESPONSE_KINDS)}")
    comment.response_kind, comment.response = kind, text.strip()
    comment.responded_by, comment.responded_at = actor, now
    session.flush()
    return comment


def list_comments(session: Session, directive_id: int) -> list[DirectiveComment]:
    """Every comment on the directive, oldest first."""
    query = select(DirectiveComment).where(DirectiveComment.directive_id == directive_id)
    return list(session.scalars(query.order_by(DirectiveComment.at, DirectiveComment.id)))


def list_directives(session: Session, *, stage: str | None = None, issuer_code: str | None = None,
                    limit: int = 100, offset: int = 0) -> list[DirectiveRow]:
    """Directive rows, newest first, optionally of one stage and issuer (no JSON decoding)."""
    query = select(DirectiveRow)
    if stage is not None:
        query = query.where(DirectiveRow.stage == stage)
    if issuer_code is not None:
        query = query.where(DirectiveRow.issuer_code == issuer_code)
    query = query.order_by(DirectiveRow.created_at.desc(), DirectiveRow.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def link_followup(session: Session, assignment_id: int, instance_id: int) -> AssignmentRow:
    """Remember the follow-up process instance that tracks this assignment."""
    row = session.get(AssignmentRow, assignment_id)
    if row is None:
        raise NotFound(f"không có nhiệm vụ id={assignment_id}")
    row.followup_instance_id = instance_id
    session.flush()
    return row


def record_chase(session: Session, assignment_id: int) -> int:
    """Count one more chasing letter (công văn đôn đốc) sent to the body; returns the new count."""
    row = session.get(AssignmentRow, assignment_id)
    if row is None:
        raise NotFound(f"không có nhiệm vụ id={assignment_id}")
    session.execute(update(AssignmentRow).where(AssignmentRow.id == assignment_id)
                    .values(chase_count=AssignmentRow.chase_count + 1))
    session.refresh(row)
    return row.chase_count
