"""Messages and fan-out: deliver a message to the instances subscribed to it; start children and
count them home, loading the parent only when the last one finishes."""
from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import humantasks
from .errors import NotFound
from .instances import Instances, Mutation
from .models import ChildGroup, MessageSubscription, ProcessInstance
from .status import RUNNING, InstanceStatus, move_status


class Messages:
    """Message correlation and fan-out (the engine's ChildPort for service tasks)."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.journal = instances.journal
        instances.children = self
        instances.completion_hooks.append(self._child_finished)

    def correlate(self, name: str, *, payload: dict[str, Any] | None = None, business_key: str | None = None,
                  instance_id: int | None = None, actor: str = "system") -> list[int]:
        """Deliver message `name` to every instance waiting for it (narrowed by key or id)."""
        with self.journal.transaction() as s:
            return self.deliver(s, name, payload=payload, business_key=business_key, instance_id=instance_id,
                                actor=actor)

    def deliver(self, s: Session, name: str, *, payload: dict[str, Any] | None = None,
                business_key: str | None = None, instance_id: int | None = None, actor: str = "system") -> list[int]:
        """`correlate` inside the caller's transaction."""
        q = select(MessageSubscription.instance_id).where(MessageSubscription.message_name == name)
        if business_key is not None:
            q = q.where(MessageSubscription.business_key == business_key)
        if instance_id is not None:
            q = q.where(MessageSubscription.instance_id == instance_id)
        ids = list(s.scalars(q.order_by(MessageSubscription.instance_id)))
        if not ids:
            raise NotFound(f"Không có hồ sơ nào đang chờ thông điệp '{name}'")
        for iid in ids:
            row = s.get(ProcessInstance, iid)
            if row is None or row.status != RUNNING:
                continue
            wf = self.instances.load(s, row)
            self.instances.advance(s, row, wf, actor, "message_received",
                                   {"message": name, "payload": payload or {}}, _catching(name, payload or {}))
        return ids

    def start_children(self, s: Session, parent: ProcessInstance, *, process_id: str, items: list[Any],
                       group: str, done_message: str | None, actor: str = "system",
                       item_variable: str = "item") -> list[int]:
        """Fan-out: one child instance per item, linked to `parent` and sharing its business
        reference; `done_message` is delivered to the parent when the last child completes."""
        s.add(ChildGroup(parent_id=parent.id, name=group, process_id=process_id, total=len(items),
                         completed=0, done_message=done_message, created_at=self.journal.clock.now()))
        s.flush()
        ref = (parent.ref_type, parent.ref_id) if parent.ref_type and parent.ref_id is not None else None
        ids = []
        for item in items:
            child = self.instances.create(
                s, process_id, business_key=parent.business_key, actor=actor,
                data={item_variable: item, "parent_instance_id": parent.id},
                body_code=item.get("body_code") if isinstance(item, dict) else None,
                ref=ref, parent_id=parent.id, child_group=group)
            ids.append(child.id)
        return ids

    def child_progress(self, s: Session, parent_id: int, group: str) -> tuple[int, int] | None:
        """(completed, total) of a fan-out group, or None if the parent never started it."""
        row = s.scalar(select(ChildGroup).where(ChildGroup.parent_id == parent_id, ChildGroup.name == group))
        return (row.completed, row.total) if row is not None else None

    def running_children(self, s: Session, parent_id: int) -> list[int]:
        """Ids of the parent's child instances that have not finished."""
        return list(s.scalars(select(ProcessInstance.id).where(ProcessInstance.parent_id == parent_id,
                                                               ProcessInstance.status == RUNNING)))

    def end_children(self, s: Session, parent_id: int, reason: str, actor: str = "system") -> list[int]:
        """Terminate every unfinished descendant of the parent (children, their children…): open
        tasks cancelled, timers cleared, message subscriptions dropped, the reason journaled. Ended
        children do not count as completed, so no done message follows. Returns their ids."""
        unfinished = (InstanceStatus.RUNNING.value, InstanceStatus.ERROR.value, InstanceStatus.SUSPENDED.value)
        now = self.journal.clock.now()
        ended: list[int] = []
        parents = [parent_id]
        while parents:
            rows = list(s.scalars(select(ProcessInstance).where(ProcessInstance.parent_id.in_(parents))
                                  .order_by(ProcessInstance.id)))
            parents = [r.id for r in rows]
            for row in rows:
                if row.status not in unfinished:
                    continue
                move_status(row, InstanceStatus(row.status), InstanceStatus.TERMINATED)
                humantasks.cancel_open(s, row.id, now)
                row.next_timer_at, row.updated_at = None, now
                s.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
                self.journal.record(s, actor, "instance_terminated", row.id, {"reason": reason})
                self.instances.forget_cached(row.id)
                ended.append(row.id)
        s.flush()
        return ended

    def _child_finished(self, s: Session, child: ProcessInstance) -> None:
        if child.parent_id is None or not child.child_group:
            return
        result = s.execute(update(ChildGroup)
                           .where(ChildGroup.parent_id == child.parent_id, ChildGroup.name == child.child_group)
                           .values(completed=ChildGroup.completed + 1)
                           .returning(ChildGroup.completed, ChildGroup.total, ChildGroup.done_message)).one()
        completed, total, message = result
        if completed == total and message:
            waiting = s.scalar(select(MessageSubscription.id).where(
                MessageSubscription.instance_id == child.parent_id, MessageSubscription.message_name == message))
            if waiting is None:  # the parent moved on (e.g. its deadline passed): note it, nothing to deliver
                self.journal.record(s, "system", "message_not_awaited", child.parent_id,
                                    {"message": message, "group": child.child_group})
                return
            self.deliver(s, message, instance_id=child.parent_id, actor="system",
                         payload={"group": child.child_group, "completed": completed})


def _catching(name: str, payload: dict[str, Any]) -> Mutation:
    """The step that hands message `name` to a workflow."""
    event = BpmnEvent(MessageEventDefinition(name), payload)

    def catch(wf: BpmnWorkflow) -> None:
        wf.catch(event)

    return catch
