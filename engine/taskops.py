"""Human tasks through the query table: inbox, claim, release, complete."""
from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.orm import Session
from SpiffWorkflow.util.task import TaskState

from . import humantasks
from .accounts import Actor
from .errors import ConflictError, InvalidState, NotFound, PermissionDenied
from .forms import FormField, validate_submission
from .models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from .views import InstanceInfo, TaskInfo

RUNNING = InstanceStatus.RUNNING.value


class HumanTaskMixin:
    """The people-facing half of ChithiEngine."""

    def inbox(self, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[TaskInfo]:
        """Ready tasks `actor` may act on, soonest due first (indexed SQL only)."""
        with self.db.session() as s:
            return [TaskInfo.from_row(r) for r in s.scalars(humantasks.inbox_query(actor, min(limit, 500), offset))]

    def _task_row(self, s: Session, task_id: int, actor: Actor) -> HumanTask:
        row = s.get(HumanTask, task_id)
        if row is None:
            raise NotFound(f"Không có việc số {task_id}")
        if not humantasks.may_see(actor, row):
            raise NotFound(f"Không có việc số {task_id}")  # do not reveal other bodies' tasks
        return row

    def get_task(self, task_id: int, actor: Actor) -> TaskInfo:
        with self.db.session() as s:
            return TaskInfo.from_row(self._task_row(s, task_id, actor))

    def claim_task(self, task_id: int, actor: Actor) -> TaskInfo:
        """Take a ready task so nobody else in the role works on it."""
        with self.transaction() as s:
            row = self._task_row(s, task_id, actor)
            if row.status == TaskStatus.CLAIMED.value and row.assignee == actor.username:
                return TaskInfo.from_row(row)
            done = s.execute(update(HumanTask).where(HumanTask.id == task_id, HumanTask.status == TaskStatus.READY.value)
                             .values(status=TaskStatus.CLAIMED.value, assignee=actor.username)).rowcount
            if done != 1:
                raise ConflictError("Việc này đã có người nhận hoặc đã được xử lý")
            self.record(s, actor.username, "task_claimed", row.instance_id, {"task_id": task_id})
            s.refresh(row)
            return TaskInfo.from_row(row)

    def release_task(self, task_id: int, actor: Actor) -> TaskInfo:
        """Give a claimed task back to its role."""
        with self.transaction() as s:
            row = self._task_row(s, task_id, actor)
            if row.status != TaskStatus.CLAIMED.value:
                raise InvalidState("Việc này chưa được nhận")
            if row.assignee != actor.username and not actor.is_admin:
                raise PermissionDenied("Chỉ người đã nhận việc mới trả lại được")
            row.status, row.assignee = TaskStatus.READY.value, None
            self.record(s, actor.username, "task_released", row.instance_id, {"task_id": task_id})
            return TaskInfo.from_row(row)

    def complete_task(self, task_id: int, actor: Actor, data: dict | None = None) -> InstanceInfo:
        """Complete a ready task with form data and run the instance to its next wait state."""
        with self.transaction() as s:
            row = self._task_row(s, task_id, actor)
            if row.status not in humantasks.OPEN:
                raise ConflictError("Việc này đã được người khác xử lý (already completed)")
            if row.status == TaskStatus.CLAIMED.value and row.assignee != actor.username and not actor.is_admin:
                raise ConflictError(f"Việc này đang do {row.assignee} xử lý")
            if not humantasks.may_act(actor, row):
                raise PermissionDenied("Bạn không có quyền xử lý việc này")
            instance = s.get(ProcessInstance, row.instance_id)
            if instance.status != RUNNING:
                raise InvalidState(f"Hồ sơ đang ở trạng thái '{instance.status}', chưa thể xử lý việc")
            fields = [FormField.from_dict(f) for f in (row.form or {}).get("fields", [])]
            clean = validate_submission(fields, data or {})
            wf = self._load(s, instance)
            task = wf.get_task_from_id(uuid.UUID(row.task_uuid))
            if task is None or task.state != TaskState.READY:
                raise ConflictError("Việc này đã được người khác xử lý (already completed)")

            def complete(_wf):
                task.set_data(**clean)
                task.run()

            self.advance(s, instance, wf, actor.username, "task_completed",
                         {"task_id": task_id, "element_id": row.element_id, "data": clean}, complete,
                         completed={row.task_uuid: actor.username})
            return self._info(s, instance)

