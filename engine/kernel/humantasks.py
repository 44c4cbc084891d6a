"""The human-task query table: written at every save from the workflow's ready manual tasks, read
by inboxes with plain indexed SQL (never a deserialized workflow)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from .accounts import Actor
from .calendar import end_of_day, start_of_day
from .errors import ExpressionError
from .expressions import SafeEvaluator, text_of
from .forms import parse_form
from .models import HumanTask, ProcessInstance
from .refs import RefSummary, search_text
from .status import OPEN_TASK, TaskStatus
from .text import like_pattern, words


def _properties(spec: Any) -> dict[str, Any]:
    properties: dict[str, Any] = (getattr(spec, "extensions", None) or {}).get("properties", {}) or {}
    return properties


def role_for(spec: Any, lane_roles: Mapping[str, str]) -> str | None:
    """Candidate role of a task spec: its `role` property, else its lane's role (the lane's name
    through `lane_roles`, which the domain supplies when the engine is composed)."""
    props = _properties(spec)
    if props.get("role"):
        return str(props["role"]).strip()
    lane = getattr(spec, "lane", None)
    if lane is None:
        return None
    name = str(lane).strip()
    return lane_roles.get(name, name)


def _due(value: Any, now: datetime) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return end_of_day(value)
    text = str(value).strip()
    if text.upper().startswith("P"):
        duration = TimerEventDefinition.parse_iso_duration(text)
        moment: datetime = now + TimerEventDefinition.get_timedelta_from_start(duration, now)
        return moment
    if len(text) == 10:  # a bare date: the end of that office day
        return end_of_day(date.fromisoformat(text))
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _shown(value: Any) -> str:
    """A value from task data as a person reads it (dates in Vietnamese order, long text cut)."""
    if isinstance(value, datetime):
        value = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        value = value.strftime("%d/%m/%Y")
    elif value is None:
        value = "—"
    elif isinstance(value, bool):
        value = "Có" if value else "Không"
    return text_of(value, 2000)


def _checked_due(value: Any, now: datetime, expr: str | None, element_id: str) -> datetime | None:
    try:
        return _due(value, now)
    except (ValueError, TypeError, OverflowError):
        raise ExpressionError(f"thuộc tính 'due' phải cho ngày/giờ ISO hoặc khoảng thời gian như \"P3D\", "
                              f"không phải {value!r}", expr, element_id) from None


def describe(task: Any, evaluator: SafeEvaluator, instance: ProcessInstance, now: datetime,
             lane_roles: Mapping[str, str]) -> dict[str, Any]:
    """Query-table columns for one ready SpiffWorkflow task (evaluates body/assignee/due properties)."""
    spec = task.task_spec
    props = _properties(spec)

    def prop(name: str) -> Any:
        expr = props.get(name)
        if not expr:
            return None
        try:
            return evaluator.evaluate(expr, task.data)
        except ExpressionError as exc:
            raise ExpressionError(f"thuộc tính '{name}': {exc.reason}", expr, spec.bpmn_id) from None

    body = prop("body")
    shown = prop("show")
    if shown is not None and not isinstance(shown, dict):
        raise ExpressionError("thuộc tính 'show' phải cho một dict {nhãn: giá trị} / 'show' must give a "
                              "dict of label: value", props.get("show"), spec.bpmn_id)
    form_text = (spec.extensions or {}).get("form")
    try:
        context = [[text_of(k, 200), _shown(v)] for k, v in list((shown or {}).items())[:30]]
        body_code = text_of(body, 200) if body else instance.body_code
    except ExpressionError as exc:
        raise ExpressionError(f"thuộc tính 'show'/'body': {exc.reason}", props.get("show"), spec.bpmn_id) from None
    return {
        "element_id": spec.bpmn_id,
        "name": spec.bpmn_name or spec.bpmn_id,
        "lane": spec.lane,
        "candidate_role": role_for(spec, lane_roles),
        "body_code": body_code,
        "assignee": prop("assignee") or None,
        "due_at": _checked_due(prop("due"), now, props.get("due"), spec.bpmn_id),
        "form": {"documentation": getattr(spec, "documentation", None),
                 "fields": [f.to_dict() for f in parse_form(form_text)],
                 "context": context},
    }


def describe_ready(workflow: Any, evaluator: SafeEvaluator, instance: ProcessInstance, now: datetime,
                   lane_roles: Mapping[str, str], lenient: bool = False) -> dict[str, dict[str, Any]]:
    """Query-table columns of every ready manual task, by task uuid.

    Raises ExpressionError (with the element id) when a task's property cannot be evaluated, so the
    caller can put the instance in the error state; `lenient=True` skips such tasks instead.
    """
    out = {}
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        try:
            out[str(task.id)] = describe(task, evaluator, instance, now, lane_roles)
        except ExpressionError:
            if not lenient:
                raise
    return out


def sync(session: Session, instance: ProcessInstance, ready: dict[str, dict[str, Any]], now: datetime,
         completed: dict[str, str] | None = None, new_instance: bool = False,
         process_name: str | None = None, refresh: bool = False,
         summary: RefSummary | None = None) -> list[HumanTask]:
    """Make the open rows of `instance` match its ready manual tasks; returns the open rows.

    `ready` comes from `describe_ready`. New ready tasks get rows; rows whose task is no longer ready
    become completed (if the caller completed it: `completed` maps task uuid → username) or
    cancelled (a boundary event, a terminate, a cancelled branch). A brand-new instance has no rows
    yet (`new_instance`), so nothing is read. `refresh` rewrites the rows that stay open from their
    task (after the instance moved to another version of its model: name, form, role may differ);
    a claimed task keeps its assignee. `summary` (what the instance serves, from the domain) gives
    the rows their subject and search words; open rows follow a changed subject.
    """
    subject = summary.subject[:1000] if summary is not None else None
    keywords = summary.keywords if summary is not None else ""
    completed = completed or {}
    ready = dict(ready)
    still_open = []
    rows = [] if new_instance else session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status.in_(OPEN_TASK))).all()
    for row in rows:
        if row.task_uuid in ready:
            columns = ready.pop(row.task_uuid)
            if refresh:
                for key, value in columns.items():
                    if key != "assignee" or row.status != TaskStatus.CLAIMED.value:
                        setattr(row, key, value)
                row.process_name = process_name
            if refresh or row.subject != subject:
                row.subject = subject
                row.search_text = search_text(row.name, subject, keywords, row.process_name, row.business_key)
            still_open.append(row)
            continue
        who = completed.get(row.task_uuid)
        row.status = TaskStatus.COMPLETED.value if who else TaskStatus.CANCELLED.value
        row.completed_at = now
        row.completed_by = who
    for uuid, columns in ready.items():
        row = HumanTask(instance_id=instance.id, task_uuid=uuid, status=TaskStatus.READY.value,
                        business_key=instance.business_key, process_id=instance.process_id,
                        process_name=process_name, ref_type=instance.ref_type, ref_id=instance.ref_id,
                        created_at=now, subject=subject,
                        search_text=search_text(columns["name"], subject, keywords, process_name,
                                                instance.business_key),
                        **columns)
        session.add(row)
        still_open.append(row)
    return still_open


def cancel_open(session: Session, instance_id: int, now: datetime) -> None:
    """Cancel every open task of an instance (terminate)."""
    session.execute(update(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_TASK))
                    .values(status=TaskStatus.CANCELLED.value, completed_at=now))


def _role_in_body(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: a task for one of the actor's roles, in their body (or in no body)."""
    return and_(HumanTask.candidate_role.in_(actor.roles or ("",)),
                or_(HumanTask.body_code.is_(None), HumanTask.body_code == (actor.body_code or "")))


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: open tasks this actor may act on (assigned to them, or to their role and body)."""
    by_role = and_(HumanTask.assignee.is_(None), _role_in_body(actor))
    return and_(HumanTask.status.in_(OPEN_TASK), or_(HumanTask.assignee == actor.username, by_role))


def ever_visible_to(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: tasks (open or closed) that are or were this actor's to see."""
    return or_(HumanTask.assignee == actor.username, HumanTask.completed_by == actor.username,
               _role_in_body(actor))


FOLDERS = ("open", "near_due", "overdue", "done")  # chờ xử lý, sắp đến hạn, quá hạn, đã xử lý


@dataclass(frozen=True)
class InboxQuery:
    """A folder of the inbox and its filters (all optional)."""

    folder: str = "open"
    ref_type: str | None = None  # what the tasks serve (with ref_id)
    ref_id: int | None = None
    process_id: str | None = None  # the stage: which process the task belongs to
    due_from: date | None = None  # due on or after this office day
    due_to: date | None = None  # due on or before this office day
    text: str = ""  # words searched without accents in the task, its subject and keywords
    near_days: int = 3  # "sắp đến hạn": due within this many days


def done_by(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: tasks this actor completed."""
    return and_(HumanTask.completed_by == actor.username, HumanTask.status == TaskStatus.COMPLETED.value)


def folder_condition(actor: Actor, folder: str, now: datetime, near_days: int) -> ColumnElement[bool]:
    """SQL condition of one inbox folder."""
    if folder == "done":
        return done_by(actor)
    if folder == "overdue":
        return and_(visible_to(actor), HumanTask.due_at < now)
    if folder == "near_due":
        return and_(visible_to(actor), HumanTask.due_at >= now, HumanTask.due_at <= now + timedelta(days=near_days))
    return visible_to(actor)


def inbox_query(actor: Actor, limit: int, offset: int, query: InboxQuery | None = None,
                now: datetime | None = None) -> Select[HumanTask]:
    """Tasks of `actor` in a folder, filtered: open ones soonest due first, done ones latest first."""
    query = query or InboxQuery()
    now = now or datetime.now(UTC)
    stmt = select(HumanTask).where(folder_condition(actor, query.folder, now, query.near_days))
    if query.ref_type is not None and query.ref_id is not None:
        stmt = stmt.where(HumanTask.ref_type == query.ref_type, HumanTask.ref_id == query.ref_id)
    if query.process_id:
        stmt = stmt.where(HumanTask.process_id == query.process_id)
    if query.due_from is not None:
        stmt = stmt.where(HumanTask.due_at >= start_of_day(query.due_from))
    if query.due_to is not None:
        stmt = stmt.where(HumanTask.due_at <= end_of_day(query.due_to))
    for word in words(query.text):
        stmt = stmt.where(HumanTask.search_text.like(like_pattern(word), escape="\\"))
    if query.folder == "done":
        order: tuple[Any, ...] = (HumanTask.completed_at.desc(), HumanTask.id.desc())
    else:
        order = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
    return stmt.order_by(*order).limit(limit).offset(offset)


def counts_query(actor: Actor, now: datetime, near_days: int) -> Select[Any]:
    """One row: open, near-due and overdue tasks of `actor` (the open ones scanned once)."""
    soon = now + timedelta(days=near_days)
    return select(func.count(),
                  func.coalesce(func.sum(case((and_(HumanTask.due_at >= now, HumanTask.due_at <= soon), 1),
                                              else_=0)), 0),
                  func.coalesce(func.sum(case((HumanTask.due_at < now, 1), else_=0)), 0)
                  ).where(visible_to(actor))


def done_count_query(actor: Actor) -> Select[Any]:
    return select(func.count()).where(done_by(actor))


def may_act(actor: Actor, row: HumanTask) -> bool:
    """Whether `actor` may claim or complete this task."""
    if actor.is_admin:
        return True
    if row.assignee:
        return row.assignee == actor.username
    return actor.has_role(row.candidate_role) and (row.body_code is None or row.body_code == actor.body_code)


def may_see(actor: Actor, row: HumanTask) -> bool:
    """Whether `actor` may look at this task: their own, or their role's in their body."""
    if actor.is_admin or row.assignee == actor.username or row.completed_by == actor.username:
        return True
    return row.candidate_role in actor.roles and (row.body_code is None or row.body_code == actor.body_code)
