"""Administrator moves on instances: suspend, resume, terminate, retry; audit verification."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete
from sqlalchemy.orm import Session

from . import audit, humantasks
from .accounts import Actor, require_admin
from .errors import InvalidState, NotFound
from .instances import Instances
from .models import MessageSubscription, ProcessInstance
from .status import InstanceStatus, move_status
from .views import InstanceInfo

ADMIN_MOVES = "tạm dừng, tiếp tục, chấm dứt hoặc chạy lại hồ sơ"


class Administration:
    """What an administrator may do to an instance, each move legal by engine.kernel.status."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.journal = instances.journal

    def suspend(self, instance_id: int, actor: Actor) -> InstanceInfo:
        """Hold an instance: its tasks cannot be completed, its timers wait."""
        return self._set_status(instance_id, actor, InstanceStatus.SUSPENDED, "instance_suspended")

    def resume(self, instance_id: int, actor: Actor) -> InstanceInfo:
        """Let a suspended instance go on (back to the error state if it was failing)."""
        return self._set_status(instance_id, actor, None, "instance_resumed")

    def terminate(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Stop an instance for good; its open tasks are cancelled."""
        return self._set_status(instance_id, actor, InstanceStatus.TERMINATED, "instance_terminated", reason)

    @staticmethod
    def _administered(s: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        require_admin(actor, ADMIN_MOVES)
        row = s.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
        return row

    def _set_status(self, instance_id: int, actor: Actor, target: InstanceStatus | None, action: str,
                    reason: str = "") -> InstanceInfo:
        with self.journal.transaction() as s:
            row = self._administered(s, instance_id, actor)
            current = InstanceStatus(row.status)
            if target is None:  # resume: back to error if it was failing, else running
                if current is not InstanceStatus.SUSPENDED:
                    raise InvalidState("Chỉ tiếp tục được hồ sơ đang tạm dừng")
                target = InstanceStatus.ERROR if row.error_message else InstanceStatus.RUNNING
            move_status(row, current, target)
            now = self.journal.clock.now()
            if target is InstanceStatus.TERMINATED:
                humantasks.cancel_open(s, row.id, now)
                row.next_timer_at = None
                s.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
            row.updated_at = now
            s.flush()
            self.journal.record(s, actor.username, action, row.id, {"reason": reason} if reason else {})
            self.instances.forget_cached(row.id)
            return self.instances.info(s, row)

    def retry(self, instance_id: int, actor: Actor) -> InstanceInfo:
        """Run the failed tasks of an instance in the error state again."""
        with self.journal.transaction() as s:
            row = self._administered(s, instance_id, actor)
            if row.status != InstanceStatus.ERROR.value:
                raise InvalidState("Chỉ chạy lại được hồ sơ đang lỗi")
            wf = self.instances.load(s, row)

            def reset_errors(w: BpmnWorkflow) -> None:
                for task in w.get_tasks(state=TaskState.ERROR):
                    task._set_state(TaskState.READY)

            self.instances.advance(s, row, wf, actor.username, "instance_retried", {}, reset_errors)
            return self.instances.info(s, row)

    def verify_audit(self) -> audit.ChainReport:
        """Check the whole audit chain."""
        with self.journal.db.session() as s:
            return audit.verify_chain(s)
