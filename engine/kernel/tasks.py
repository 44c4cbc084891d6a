"""Human tasks through the query table: inbox, claim, release, complete."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from . import humantasks
from .accounts import Actor
from .errors import ConflictError, InvalidState, NotFound, PermissionDenied
from .forms import FormCheck, FormCheckFn, FormField, validate_submission
from .humantasks import InboxQuery
from .instances import Instances
from .models import HumanTask, ProcessInstance
from .status import OPEN_TASK, RUNNING, TaskStatus
from .views import InstanceInfo, TaskInfo


@dataclass(frozen=True)
class InboxPage:
    """One page of a person's inbox: the tasks of the folder asked, the count of every folder
    (open, near_due, overdue, done) and what the filters offer (business objects, processes)."""

    tasks: list[TaskInfo]
    counts: dict[str, int]
    refs: list[tuple[str, int, str]]
    processes: list[tuple[str, str]]


ALREADY_DONE = "Việc này đã được người khác xử lý (already completed)"


class HumanTasks:
    """What people do: see their inbox, claim, release and complete tasks."""

    def __init__(self, instances: Instances, form_checks: tuple[FormCheckFn, ...] = ()):
        self.instances = instances
        self.journal = instances.journal
        self.db = instances.db
        self.form_checks = form_checks  # the features' checks of a submission (forms.FormCheck)

    def inbox(self, actor: Actor, *, limit: int = 100, offset: int = 0,
              query: InboxQuery | None = None) -> list[TaskInfo]:
        """Tasks of `actor` in a folder (open ones by default), filtered, soonest due first (SQL only)."""
        with self.db.session() as s:
            return self._inbox(s, actor, limit, offset, query)

    def counts(self, actor: Actor, near_days: int = 3) -> dict[str, int]:
        """How many tasks each folder holds: open, near_due, overdue, done."""
        with self.db.session() as s:
            return self._counts(s, actor, near_days)

    def choices(self, actor: Actor) -> tuple[list[tuple[str, int, str]], list[tuple[str, str]]]:
        """What the inbox's filters offer: the business objects (type, id, subject) and the processes
        (id, name) among the actor's open tasks."""
        with self.db.session() as s:
            return self._choices(s, actor)

    def inbox_page(self, actor: Actor, query: InboxQuery, *, limit: int, offset: int = 0) -> InboxPage:
        """What the inbox page shows — a folder's tasks, every folder's count, the filters' choices —
        read in one transaction (one connection, one snapshot)."""
        with self.db.session() as s:
            refs, processes = self._choices(s, actor)
            return InboxPage(self._inbox(s, actor, limit, offset, query), self._counts(s, actor, query.near_days),
                             refs, processes)

    def _inbox(self, s: Session, actor: Actor, limit: int, offset: int, query: InboxQuery | None) -> list[TaskInfo]:
        stmt = humantasks.inbox_query(actor, min(limit, 500), max(offset, 0), query, self.instances.clock.now())
        return [TaskInfo.from_row(r) for r in s.scalars(stmt)]

    def _counts(self, s: Session, actor: Actor, near_days: int) -> dict[str, int]:
        row = s.execute(humantasks.counts_query(actor, self.instances.clock.now(), near_days)).one()
        done: int = s.scalar(humantasks.done_count_query(actor)) or 0
        return {"open": int(row[0]), "near_due": int(row[1]), "overdue": int(row[2]), "done": int(done)}

    @staticmethod
    def _choices(s: Session, actor: Actor) -> tuple[list[tuple[str, int, str]], list[tuple[str, str]]]:
        visible = humantasks.visible_to(actor)
        refs: Any = s.execute(select(HumanTask.ref_type, HumanTask.ref_id, func.max(HumanTask.subject))
                              .where(visible, HumanTask.ref_id.is_not(None))
                              .group_by(HumanTask.ref_type, HumanTask.ref_id).limit(500)).all()
        processes: Any = s.execute(select(HumanTask.process_id, func.max(HumanTask.process_name)).where(visible)
                                   .group_by(HumanTask.process_id).limit(200)).all()
        return ([(str(t), int(i), str(subj or "")) for t, i, subj in refs],
                sorted(((str(p), str(n or p)) for p, n in processes), key=lambda pn: pn[1]))

    @staticmethod
    def _row(s: Session, task_id: int, actor: Actor) -> HumanTask:
        row = s.get(HumanTask, task_id)
        if row is None or not humantasks.may_see(actor, row):
            raise NotFound(f"Không có việc số {task_id}")  # do not reveal other bodies' tasks
        return row

    def get(self, task_id: int, actor: Actor) -> TaskInfo:
        """One task, if `actor` may see it."""
        with self.db.session() as s:
            return TaskInfo.from_row(self._row(s, task_id, actor))

    def claim(self, task_id: int, actor: Actor) -> TaskInfo:
        """Take a ready task so nobody else in the role works on it."""
        with self.journal.transaction() as s:
            row = self._row(s, task_id, actor)
            if row.status == TaskStatus.CLAIMED.value and row.assignee == actor.username:
                return TaskInfo.from_row(row)
            if row.status == TaskStatus.READY.value and not humantasks.may_act(actor, row):
                raise PermissionDenied("Bạn không có quyền nhận việc này")
            done = s.execute(update(HumanTask)
                             .where(HumanTask.id == task_id, HumanTask.status == TaskStatus.READY.value)
                             .values(status=TaskStatus.CLAIMED.value, assignee=actor.username))
            if cast(CursorResult[Any], done).rowcount != 1:
                raise ConflictError("Việc này đã có người nhận hoặc đã được xử lý")
            self.journal.record(s, actor.username, "task_claimed", row.instance_id, {"task_id": task_id})
            s.refresh(row)
            return TaskInfo.from_row(row)

    def release(self, task_id: int, actor: Actor) -> TaskInfo:
        """Give a claimed task back to its role."""
        with self.journal.transaction() as s:
            row = self._row(s, task_id, actor)
            if row.status != TaskStatus.CLAIMED.value:
                raise InvalidState("Việc này chưa được nhận")
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied("Chỉ người đã nhận việc mới trả lại được")
            row.status, row.assignee = TaskStatus.READY.value, None
            self.journal.record(s, actor.username, "task_released", row.instance_id, {"task_id": task_id})
            return TaskInfo.from_row(row)

    def complete(self, task_id: int, actor: Actor, data: dict[str, Any] | None = None) -> InstanceInfo:
        """Complete a ready task with form data and run the instance to its next wait state."""
        with self.journal.transaction() as s:
            row = self._row(s, task_id, actor)
            if row.status not in OPEN_TASK:
                raise ConflictError(ALREADY_DONE)
            if row.status == TaskStatus.CLAIMED.value and row.assignee != actor.username and not actor.is_admin:
                raise ConflictError(f"Việc này đang do {row.assignee} xử lý")
            if not humantasks.may_act(actor, row):
                raise PermissionDenied("Bạn không có quyền xử lý việc này")
            instance = s.get(ProcessInstance, row.instance_id)
            if instance is None or instance.status != RUNNING:
                state = instance.status if instance is not None else "?"
                raise InvalidState(f"Hồ sơ đang ở trạng thái '{state}', chưa thể xử lý việc")
            fields = [FormField.from_dict(f) for f in (row.form or {}).get("fields", [])]
            clean = validate_submission(fields, data or {})
            wf = self.instances.load(s, instance)
            task = wf.get_task_from_id(uuid.UUID(row.task_uuid))
            if task is None or task.state != TaskState.READY:
                raise ConflictError(ALREADY_DONE)
            clean = self._checked(s, actor, row, instance, clean, dict(task.data))

            def complete(_wf: BpmnWorkflow) -> None:
                task.set_data(**clean)
                task.run()

            self.instances.advance(s, instance, wf, actor.username, "task_completed",
                                   {"task_id": task_id, "element_id": row.element_id, "data": clean}, complete,
                                   completed={row.task_uuid: actor.username})
            return self.instances.info(s, instance)

    def _checked(self, s: Session, actor: Actor, row: HumanTask, instance: ProcessInstance,
                 values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """Run the features' checks on a submission; each may refuse it or return adjusted values."""
        for check in self.form_checks:
            adjusted = check(FormCheck(session=s, actor=actor, now=self.instances.clock.now(),
                                       process_id=row.process_id, element_id=row.element_id, values=dict(values),
                                       data=data, ref_type=instance.ref_type, ref_id=instance.ref_id,
                                       instance_id=instance.id))
            if adjusted is not None:
                values = adjusted
        return values
