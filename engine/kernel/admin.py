"""Administrator moves on instances: suspend, resume, terminate, retry, and repair the data of a
failed instance then retry it — each with a reason kept in the audit log; the instance lists and
the error list of the administrators' pages; the audit log's filters and its verification."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import audit, humantasks
from .accounts import Actor, require_admin
from .errors import FieldProblem, FormError, InvalidState, NotFound
from .instances import Instances
from .models import MessageSubscription, ProcessDefinition, ProcessInstance
from .status import InstanceStatus, move_status
from .taskdata import data_problem
from .views import InstanceInfo

ADMIN_MOVES = "tạm dừng, tiếp tục, chấm dứt hoặc chạy lại hồ sơ"
VARIABLE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
MAX_EDIT_BYTES = 256 * 1024  # what an administrator types into one repair
PAGE_LIMIT = 500


@dataclass(frozen=True)
class InstanceRow:
    """An instance in the administrators' lists: its row and the version it runs on."""

    info: InstanceInfo
    process_name: str
    version: int
    error_element_name: str | None = None  # the failed step by its name


def check_data_edit(changes: dict[str, Any], removed: list[str]) -> list[FieldProblem]:
    """Problems of a repair of an instance's data: names, sizes, nesting, reserved keys."""
    problems = []
    for name in [*changes, *removed]:
        if not VARIABLE.match(name):
            problems.append(FieldProblem(name, "tên biến bắt đầu bằng chữ cái không dấu, chỉ gồm chữ, số và '_' "
                                               "(tối đa 100 ký tự)"))
    for name, value in changes.items():
        problem = data_problem(value, name)  # nesting, reserved keys, types: engine.kernel.taskdata
        if problem is not None:
            problems.append(FieldProblem(name, problem))
    if len(json.dumps(changes, ensure_ascii=False, default=str)) > MAX_EDIT_BYTES:
        problems.append(FieldProblem("changes", f"dữ liệu sửa quá {MAX_EDIT_BYTES // 1024} KB"))
    if not changes and not removed:
        problems.append(FieldProblem("changes", "Chưa có biến nào được sửa, thêm hoặc xóa"))
    return problems


def _shown(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return value if len(text) <= 500 else text[:500] + "…"


class Administration:
    """What an administrator may do to an instance, each move legal by engine.kernel.status."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.journal = instances.journal

    def suspend(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Hold an instance: its tasks cannot be completed, its timers wait."""
        return self._set_status(instance_id, actor, InstanceStatus.SUSPENDED, "instance_suspended", reason)

    def resume(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Let a suspended instance go on (back to the error state if it was failing)."""
        return self._set_status(instance_id, actor, None, "instance_resumed", reason)

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

    def retry(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Run the failed tasks of an instance in the error state again."""
        with self.journal.transaction() as s:
            row = self._administered(s, instance_id, actor)
            if row.status != InstanceStatus.ERROR.value:
                raise InvalidState("Chỉ chạy lại được hồ sơ đang lỗi")
            wf = self.instances.load(s, row)
            self.instances.advance(s, row, wf, actor.username, "instance_retried",
                                   {"reason": reason} if reason else {}, _reset_errors)
            return self.instances.info(s, row)

    def repair_and_retry(self, instance_id: int, actor: Actor, changes: dict[str, Any], removed: list[str],
                         reason: str) -> InstanceInfo:
        """Set (or remove) variables of a failed instance — on the steps that will run next — and run
        it again, in one transaction; the before and after values are kept in the audit log."""
        problems = check_data_edit(changes, removed)
        if not reason.strip():
            problems.append(FieldProblem("reason", "Ghi lý do sửa dữ liệu"))
        with self.journal.transaction() as s:
            row = self._administered(s, instance_id, actor)
            if row.status != InstanceStatus.ERROR.value:
                raise InvalidState("Chỉ sửa dữ liệu rồi chạy lại được hồ sơ đang lỗi")
            if problems:
                raise FormError(problems)
            wf = self.instances.load(s, row)
            before = self.instances.merged_data(wf)
            edited = {k: {"before": _shown(before.get(k)), "after": _shown(v)} for k, v in changes.items()}
            gone = {k: _shown(before.get(k)) for k in removed}

            def repair(w: BpmnWorkflow) -> None:
                targets = w.get_tasks(state=TaskState.ERROR | TaskState.READY | TaskState.WAITING)
                for task in targets:
                    task.data.update(changes)
                    for name in removed:
                        task.data.pop(name, None)
                _reset_errors(w)

            self.instances.advance(s, row, wf, actor.username, "instance_repaired",
                                   {"changes": edited, "removed": gone, "reason": reason.strip()}, repair)
            return self.instances.info(s, row)

    # ------------------------------------------------------------------ lists

    def instances_page(self, actor: Actor, *, process_id: str | None = None, status: str | None = None,
                       body_code: str | None = None, version: int | None = None, limit: int = 50, offset: int = 0,
                       oldest_error_first: bool = False) -> list[InstanceRow]:
        """Instances with the version they run on, newest first (administrators)."""
        require_admin(actor, "xem danh sách hồ sơ")
        limit = max(1, min(limit, PAGE_LIMIT))
        with self.journal.db.session() as s:
            q = (select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.version)
                 .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id))
            if process_id:
                q = q.where(ProcessInstance.process_id == process_id)
            if status:
                q = q.where(ProcessInstance.status == status)
            if body_code:
                q = q.where(ProcessInstance.body_code == body_code)
            if version is not None:
                q = q.where(ProcessDefinition.version == version)
            order = (ProcessInstance.error_at, ProcessInstance.id) if oldest_error_first \
                else (ProcessInstance.id.desc(),)
            q = q.order_by(*order).limit(limit).offset(max(offset, 0))
            return [InstanceRow(InstanceInfo.from_row(row), name, version, self._element_name(s, row))
                    for row, name, version in s.execute(q)]

    def _element_name(self, s: Session, row: ProcessInstance) -> str | None:
        if not row.error_element:
            return None
        spec, _subs = self.instances.definitions.spec(s, row.definition_id)
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == row.error_element:
                return str(task_spec.bpmn_name or row.error_element)
        return row.error_element

    def errors(self, actor: Actor, limit: int = 100) -> list[InstanceRow]:
        """Instances in the error state, the longest-failing first."""
        return self.instances_page(actor, status=InstanceStatus.ERROR.value, limit=limit, oldest_error_first=True)

    def count(self, actor: Actor, *, status: str | None = None) -> int:
        """How many instances (of one status)."""
        require_admin(actor, "xem danh sách hồ sơ")
        with self.journal.db.session() as s:
            q = select(func.count(ProcessInstance.id))
            if status:
                q = q.where(ProcessInstance.status == status)
            return int(s.scalar(q) or 0)

    # ------------------------------------------------------------------ audit

    def audit_events(self, actor: Actor, f: audit.AuditFilter, *, ref: tuple[str, int] | None = None,
                     limit: int = 100, offset: int = 0) -> list[audit.AuditEntry]:
        """One page of the audit log, newest first, filtered (`ref`: the instances serving one
        business object, e.g. one record of the domain)."""
        require_admin(actor, "xem nhật ký hệ thống")
        if ref is not None:
            ids = select(ProcessInstance.id).where(ProcessInstance.ref_type == ref[0], ProcessInstance.ref_id == ref[1])
            f = audit.AuditFilter(f.actor, f.action, ids, f.since, f.until)
        with self.journal.db.session() as s:
            return audit.query_events(s, f, limit=max(1, min(limit, PAGE_LIMIT)), offset=max(offset, 0))

    def verify_audit(self) -> audit.ChainReport:
        """Check the whole audit chain."""
        with self.journal.db.session() as s:
            return audit.verify_chain(s)

    def audit_report(self, actor: Actor) -> tuple[audit.ChainReport, audit.AuditEntry | None, datetime]:
        """Verify the chain for an administrator: the report, the first broken event if it is still
        there, and when the check ran."""
        require_admin(actor, "kiểm tra nhật ký hệ thống")
        with self.journal.db.session() as s:
            report = audit.verify_chain(s)
            broken = audit.event_at(s, report.broken_at) if report.broken_at is not None else None
        return report, broken, self.journal.clock.now()


def _reset_errors(w: BpmnWorkflow) -> None:
    for task in w.get_tasks(state=TaskState.ERROR):
        task._set_state(TaskState.READY)
