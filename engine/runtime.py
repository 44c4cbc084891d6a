"""The engine: definitions, instances, human tasks, timers, messages, fan-out, admin moves.

Every operation is one database transaction: load the instance (from a version-checked cache or
its row), advance it with SpiffWorkflow, save the instance part of the workflow with an optimistic
version check, rewrite the query tables (human tasks, next timer, message subscriptions), append
to the audit chain, commit. A lost race raises ConflictError and changes nothing.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition as MultipleEventDefinition_
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import audit, humantasks, spiff_clock
from .accounts import SYSTEM, Accounts, Actor
from .clock import Clock
from .db import Database
from .definitions import DefinitionChecker, content_hash, parse_processes, read_workflow_files
from .errors import (ChithiError, ConflictError, DefinitionError, InvalidState, NotFound,
                     PermissionDenied, Problem)
from .forms import FormField, validate_submission
from .models import (LEGAL_MOVES, ChildGroup, HumanTask, InstanceStatus, MessageSubscription,
                     ProcessDefinition, ProcessInstance, TaskStatus)
from .serialization import InstanceSerializer
from .services import ServiceCall, ServiceRegistry, current_call
from .views import DefinitionInfo, InstanceInfo, TaskInfo

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"
LEASE = timedelta(seconds=60)
RUNNING = InstanceStatus.RUNNING.value
TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


class ChithiEngine:
    """One per process; holds no state that is not checked against the database."""

    def __init__(self, db: Database, clock: Clock, *, evaluator, script_engine, services: ServiceRegistry,
                 workflows_dir: Path | None = None, cache_size: int = 512, password_hasher=None):
        self.db = db
        self.clock = clock
        self.evaluator = evaluator
        self.script_engine = script_engine
        self.services = services
        self.workflows_dir = workflows_dir or WORKFLOWS_DIR
        self.accounts = Accounts(db, clock, password_hasher)
        self.serializer = InstanceSerializer()
        self.checker = DefinitionChecker(evaluator, services)
        self.node_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.timer_listeners: list[Callable[[datetime], None]] = []
        self._specs: dict[int, tuple] = {}
        self._cache: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._scheduler = None
        spiff_clock.install()

    def upgrade_schema(self) -> None:
        """Create or migrate this engine's database schema."""
        from .db import upgrade

        upgrade(self.db.url)

    # ------------------------------------------------------------------ transactions and cache

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction; workflows saved in it enter the cache only if it commits."""
        with self.db.session(write=True) as s:
            s.info["saved"], s.info["audit"] = [], []
            try:
                yield s
                audit.append(s, s.info["audit"])
            except StaleDataError:
                raise ConflictError("Hồ sơ đã được người khác cập nhật trước; hãy tải lại và thử lại "
                                    "(someone else changed this instance first)") from None
        with self._lock:
            for instance_id, version, wf in s.info["saved"]:
                self._cache[instance_id] = (version, wf)
                self._cache.move_to_end(instance_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        earliest = [t for t in s.info.get("timers", []) if t is not None]
        if earliest:
            for listener in self.timer_listeners:
                listener(min(earliest))

    def record(self, s: Session, actor: str, action: str, instance_id: int | None, payload: dict) -> None:
        """Queue an audit event; it is chained just before the transaction commits."""
        s.info["audit"].append(audit.PendingEvent(actor, action, instance_id, payload, self.clock.now()))

    def _spec(self, s: Session, definition_id: int):
        spec = self._specs.get(definition_id)
        if spec is None:
            row = s.get(ProcessDefinition, definition_id)
            spec = self.serializer.load_spec(row.spec_json)
            self._specs[definition_id] = spec
        return spec

    def _load(self, s: Session, row: ProcessInstance) -> BpmnWorkflow:
        with self._lock:
            cached = self._cache.pop(row.id, None)  # exclusive use: nobody else gets this object
        if cached is not None and cached[0] == row.version:
            return cached[1]
        spec, subs = self._spec(s, row.definition_id)
        return self.serializer.load(row.state_json, spec, subs, self.script_engine)

    # ------------------------------------------------------------------ definitions

    def deploy_xml(self, xml: bytes | str, *, source: str = "upload", actor: str = "system") -> list[DefinitionInfo]:
        """Check and store one BPMN document; raises DefinitionError listing every problem."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        return self._deploy([(data, source)], actor)

    def deploy_directory(self, directory: Path | None = None, actor: str = "system") -> list[DefinitionInfo]:
        """Deploy every .bpmn of `directory` (default: workflows/) together; idempotent."""
        return self._deploy(read_workflow_files(directory or self.workflows_dir), actor)

    def check_xml(self, xml: bytes | str, source: str = "upload") -> list[Problem]:
        """Every problem of a BPMN document, without storing it (for the modeler's live check)."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        try:
            root, problems = self.checker.check(data, source)
        except DefinitionError as exc:
            return exc.problems
        if not problems:
            problems = parse_processes([(root, source)])[1]
        return problems

    def _deploy(self, documents: list[tuple[bytes, str]], actor: str) -> list[DefinitionInfo]:
        roots, problems = [], []
        for data, source in documents:
            try:
                root, found = self.checker.check(data, source)
            except DefinitionError as exc:
                found, root = exc.problems, None
            problems += [Problem(p.element_id, f"{source}: {p.message}" if len(documents) > 1 else p.message, p.line)
                         for p in found]
            roots.append((root, source, data))
        if problems:
            raise DefinitionError(problems)
        parsed, problems = parse_processes([(r, src) for r, src, _ in roots])
        if problems:
            raise DefinitionError(problems)
        xml_of = {}
        for root, source, data in roots:
            for proc in root.iterfind("{http://www.omg.org/spec/BPMN/20100524/MODEL}process"):
                xml_of[proc.get("id")] = (data, source)
        now, out = self.clock.now(), []
        with self.transaction() as s:
            for proc in parsed:
                data, source = xml_of[proc.process_id]
                digest = content_hash(data)
                existing = s.scalar(select(ProcessDefinition).where(
                    ProcessDefinition.process_id == proc.process_id, ProcessDefinition.content_hash == digest))
                if existing is not None:
                    out.append(_definition_info(existing, created=False))
                    continue
                version = (s.scalar(select(func.max(ProcessDefinition.version))
                                    .where(ProcessDefinition.process_id == proc.process_id)) or 0) + 1
                row = ProcessDefinition(process_id=proc.process_id, name=proc.name, content_hash=digest,
                                        bpmn_xml=data.decode("utf-8"), source=source, version=version,
                                        spec_json=self.serializer.dump_spec(proc.spec, proc.subprocess_specs),
                                        deployed_at=now, deployed_by=actor)
                s.add(row)
                s.flush()
                self._specs[row.id] = (proc.spec, proc.subprocess_specs)
                self.record(s, actor, "definition_deployed", None,
                            {"process_id": proc.process_id, "version": version, "hash": digest, "source": source})
                out.append(_definition_info(row, created=True))
        return out

    def latest_definition(self, s: Session, process_id: str):
        """The newest deployed version of `process_id` (id and version only: the XML stays unread)."""
        cache = s.info.setdefault("latest_definitions", {})  # a fan-out starts many of the same
        if process_id not in cache:
            row = s.execute(select(ProcessDefinition.id, ProcessDefinition.version)
                            .where(ProcessDefinition.process_id == process_id)
                            .order_by(ProcessDefinition.version.desc()).limit(1)).first()
            if row is None:
                raise NotFound(f"Chưa triển khai quy trình '{process_id}' (process not deployed)")
            cache[process_id] = row
        return cache[process_id]

    def list_definitions(self) -> list[DefinitionInfo]:
        with self.db.session() as s:
            rows = s.scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id,
                                                                ProcessDefinition.version)).all()
            return [_definition_info(r, created=False) for r in rows]

    # ------------------------------------------------------------------ instances

    def start_instance(self, process_id: str, *, business_key: str | None = None, data: dict | None = None,
                       actor: str | Actor = "system", body_code: str | None = None,
                       directive_id: int | None = None) -> InstanceInfo:
        """Start the newest version of `process_id` and run it to its first wait state."""
        actor_name = actor.username if isinstance(actor, Actor) else actor
        with self.transaction() as s:
            row = self.create_instance(s, process_id, business_key=business_key, data=data, actor=actor_name,
                                       body_code=body_code, directive_id=directive_id)
            return self._info(s, row)

    def create_instance(self, s: Session, process_id: str, *, business_key=None, data=None, actor="system",
                        body_code=None, directive_id=None, parent_id=None, child_group=None) -> ProcessInstance:
        """Start an instance inside the caller's transaction (used by services for fan-out)."""
        definition = self.latest_definition(s, process_id)
        now = self.clock.now()
        row = ProcessInstance(definition_id=definition.id, process_id=process_id, business_key=business_key,
                              status=RUNNING, state_json="{}", body_code=body_code, directive_id=directive_id,
                              parent_id=parent_id, child_group=child_group, started_by=actor,
                              created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        s.info.setdefault("new_instances", set()).add(row.id)
        spec, subs = self._spec(s, definition.id)
        wf = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        initial = dict(data or {})
        initial.setdefault("business_key", business_key)
        initial.setdefault("instance_id", row.id)
        for task in wf.get_tasks(state=TaskState.READY):
            task.set_data(**initial)
        self.advance(s, row, wf, actor, "instance_started",
                     {"process_id": process_id, "version": definition.version, "business_key": business_key})
        return row

    def advance(self, s: Session, row: ProcessInstance, wf: BpmnWorkflow, actor: str, action: str,
                payload: dict, mutate: Callable[[BpmnWorkflow], None] | None = None,
                completed: dict[str, str] | None = None) -> None:
        """Apply `mutate`, run engine steps to the next wait state, and save — all in `s`.

        A failure in model code (script, expression, service task) does not lose the step: the
        instance is saved in the error state with the failure recorded, and `retry` resumes it.
        """
        call = ServiceCall(engine=self, session=s, instance=row, actor=actor, now=self.clock.now())
        token = current_call.set(call)
        error: BaseException | None = None
        try:
            with spiff_clock.using(self.clock):
                if mutate is not None:
                    mutate(wf)
                wf.do_engine_steps()
            ready = humantasks.describe_ready(wf, self.evaluator, row, call.now)
        except ConflictError:
            raise
        except Exception as exc:  # noqa: BLE001 — model code failed: recorded on the instance, retryable
            error = exc
            ready = humantasks.describe_ready(wf, self.evaluator, row, call.now, lenient=True)
        finally:
            current_call.reset(token)
        self._save(s, row, wf, actor, action, payload, error, completed, ready)
        for fn in call._after_save:
            fn()

    def _save(self, s: Session, row: ProcessInstance, wf: BpmnWorkflow, actor: str, action: str,
              payload: dict, error: BaseException | None, completed: dict[str, str] | None,
              ready: dict[str, dict]) -> None:
        now = self.clock.now()
        status = InstanceStatus(row.status)
        if error is not None:
            new_status = InstanceStatus.ERROR
            row.error_message, row.error_element = _describe_error(error)
        elif wf.is_completed():
            new_status = InstanceStatus.COMPLETED
            row.completed_at = now
        else:
            new_status = InstanceStatus.RUNNING if status is InstanceStatus.ERROR else status
            row.error_message = row.error_element = None
        _move(row, status, new_status)
        waits = _pending_events(wf)
        row.next_timer_at = _earliest_timer(waits)
        messages = {e.name for e in waits if e.event_type == "MessageEventDefinition"}
        summary = ",".join(sorted(messages)) or None
        messages_changed = summary != row.waiting_messages
        row.waiting_messages = summary
        row.state_json = self.serializer.dump(wf)
        row.updated_at = now
        row.lease_owner = row.lease_until = None
        s.flush()  # UPDATE … WHERE version = old: StaleDataError here means someone else won
        open_tasks = humantasks.sync(s, row, ready, now, completed, new_instance=self._first_save(s, row))
        s.info.setdefault("open_tasks", {})[row.id] = open_tasks
        if messages_changed:  # the common step changes no subscription: no query at all
            self._sync_subscriptions(s, row, messages)
        event = dict(payload)
        if error is not None:
            event["error"] = row.error_message
        self.record(s, actor, action, row.id, event)
        s.info["saved"].append((row.id, row.version, wf))
        s.info.setdefault("timers", []).append(row.next_timer_at)
        if new_status is InstanceStatus.COMPLETED and status is not InstanceStatus.COMPLETED:
            self.record(s, actor, "instance_completed", row.id, {})
            if row.parent_id is not None and row.child_group:
                self._child_finished(s, row)

    @staticmethod
    def _first_save(s: Session, row: ProcessInstance) -> bool:
        fresh = s.info.get("new_instances", set())
        if row.id in fresh:
            fresh.discard(row.id)
            return True
        return False

    def _sync_subscriptions(self, s: Session, row: ProcessInstance, names: set[str]) -> None:
        current = {m.message_name: m for m in
                   s.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == row.id))}
        for name, sub in current.items():
            if name not in names:
                s.delete(sub)
        for name in names - current.keys():
            s.add(MessageSubscription(instance_id=row.id, message_name=name, business_key=row.business_key))

    def _info(self, s: Session, row: ProcessInstance) -> InstanceInfo:
        s.flush()
        known = s.info.get("open_tasks", {}).get(row.id)
        if known is not None:  # just written by this transaction's save: no query needed
            return InstanceInfo.from_row(row, sorted(known, key=lambda t: t.id))
        tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == row.id,
                                                  HumanTask.status.in_(humantasks.OPEN))
                          .order_by(HumanTask.id)).all()
        return InstanceInfo.from_row(row, tasks)

    def get_instance(self, instance_id: int, actor: Actor | None = None) -> InstanceInfo:
        """An instance's status; with `actor`, NotFound unless they may see it (their body's, or
        one they have or had a task in, or they administer)."""
        with self.db.session() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None or (actor is not None and not self._may_see_instance(s, row, actor)):
                raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
            return self._info(s, row)

    def _may_see_instance(self, s: Session, row: ProcessInstance, actor: Actor) -> bool:
        if actor.is_admin or (row.body_code is not None and row.body_code == actor.body_code):
            return True
        mine = humantasks.ever_visible_to(actor)
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == row.id, mine).limit(1)) is not None

    def list_instances(self, *, status: str | None = None, process_id: str | None = None,
                       parent_id: int | None = None, limit: int = 100) -> list[InstanceInfo]:
        with self.db.session() as s:
            q = select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(limit)
            if status:
                q = q.where(ProcessInstance.status == status)
            if process_id:
                q = q.where(ProcessInstance.process_id == process_id)
            if parent_id is not None:
                q = q.where(ProcessInstance.parent_id == parent_id)
            return [InstanceInfo.from_row(r) for r in s.scalars(q)]

    def instance_data(self, instance_id: int) -> dict:
        """The workflow's current data (deserializes: for detail pages and tests, not lists)."""
        with self.db.session() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
            spec, subs = self._spec(s, row.definition_id)
            wf = self.serializer.load(row.state_json, spec, subs, self.script_engine)
        merged: dict = dict(wf.data)
        done = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED
        for task in sorted(wf.get_tasks(state=done), key=lambda t: t.last_state_change):
            merged.update(task.data)  # later changes win, across parallel branches too
        return merged

    # ------------------------------------------------------------------ human tasks

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

    # ------------------------------------------------------------------ timers

    def fire_due_timers(self, limit: int = 10_000) -> int:
        """Advance every instance whose timer is due; each timer fires once across processes."""
        fired = 0
        while fired < limit:
            if self.db.dialect == "postgresql":
                done = self._fire_next_locked()
            else:
                done = self._fire_next_leased()
            if done is None:
                break
            fired += done
        return fired

    def _due_query(self, now: datetime):
        return (select(ProcessInstance.id).where(ProcessInstance.status == RUNNING,
                                                 ProcessInstance.next_timer_at <= now)
                .order_by(ProcessInstance.next_timer_at).limit(1))

    def _fire_next_locked(self) -> int | None:
        with self.transaction() as s:
            now = self.clock.now()
            iid = s.scalar(self._due_query(now).with_for_update(skip_locked=True))
            if iid is None:
                return None
            self._fire(s, s.get(ProcessInstance, iid))
            return 1

    def _fire_next_leased(self) -> int | None:
        now = self.clock.now()
        with self.db.session(write=True) as s:
            iid = s.scalar(self._due_query(now).where(
                (ProcessInstance.lease_until.is_(None)) | (ProcessInstance.lease_until < now)))
            if iid is None:
                return None
            s.execute(update(ProcessInstance).where(ProcessInstance.id == iid)
                      .values(lease_owner=self.node_id, lease_until=now + LEASE)
                      .execution_options(synchronize_session=False))
        with self.transaction() as s:
            row = s.get(ProcessInstance, iid)
            if row.lease_owner != self.node_id or row.status != RUNNING:
                return 0
            self._fire(s, row)
            return 1

    def _fire(self, s: Session, row: ProcessInstance) -> None:
        due = row.next_timer_at
        wf = self._load(s, row)
        self.advance(s, row, wf, "scheduler", "timer_fired", {"due": due.isoformat() if due else None},
                     lambda w: w.refresh_timers())

    def start_scheduler(self, sweep_seconds: int = 30) -> None:
        """Fire timers from a background APScheduler thread in this process."""
        from .scheduler import TimerScheduler

        if self._scheduler is None:
            self._scheduler = TimerScheduler(self, sweep_seconds)
            self._scheduler.start()

    def shutdown(self) -> None:
        """Stop the scheduler (if any) and close database connections."""
        if self._scheduler is not None:
            self._scheduler.shutdown()
            self._scheduler = None
        self.db.dispose()

    def next_timer_due(self) -> datetime | None:
        """Earliest pending timer of any running instance."""
        with self.db.session() as s:
            return s.scalar(select(func.min(ProcessInstance.next_timer_at))
                            .where(ProcessInstance.status == RUNNING))

    # ------------------------------------------------------------------ messages and fan-out

    def correlate_message(self, name: str, *, payload: dict | None = None, business_key: str | None = None,
                          instance_id: int | None = None, actor: str = "system") -> list[int]:
        """Deliver message `name` to every instance waiting for it (narrowed by key or id)."""
        with self.transaction() as s:
            return self.deliver_message(s, name, payload=payload, business_key=business_key,
                                        instance_id=instance_id, actor=actor)

    def deliver_message(self, s: Session, name: str, *, payload=None, business_key=None, instance_id=None,
                        actor="system") -> list[int]:
        """`correlate_message` inside the caller's transaction."""
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
            if row.status != RUNNING:
                continue
            wf = self._load(s, row)
            event = BpmnEvent(MessageEventDefinition(name), payload or {})
            self.advance(s, row, wf, actor, "message_received", {"message": name, "payload": payload or {}},
                         lambda w: w.catch(event))
        return ids

    def start_children(self, s: Session, parent: ProcessInstance, *, process_id: str, items: list[dict],
                       group: str, done_message: str | None, actor: str = "system",
                       item_variable: str = "item", body_key: str = "body_code") -> list[int]:
        """Fan-out: one child instance per item, linked to `parent`; `done_message` is delivered to
        the parent when the last child completes."""
        s.add(ChildGroup(parent_id=parent.id, name=group, process_id=process_id, total=len(items),
                         completed=0, done_message=done_message, created_at=self.clock.now()))
        s.flush()
        ids = []
        for item in items:
            child = self.create_instance(
                s, process_id, business_key=parent.business_key, actor=actor,
                data={item_variable: item, "parent_instance_id": parent.id, "directive_id": parent.directive_id},
                body_code=item.get(body_key) if isinstance(item, dict) else None,
                directive_id=parent.directive_id, parent_id=parent.id, child_group=group)
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

    def _child_finished(self, s: Session, child: ProcessInstance) -> None:
        result = s.execute(update(ChildGroup)
                           .where(ChildGroup.parent_id == child.parent_id, ChildGroup.name == child.child_group)
                           .values(completed=ChildGroup.completed + 1)
                           .returning(ChildGroup.completed, ChildGroup.total, ChildGroup.done_message)).one()
        completed, total, message = result
        if completed == total and message:
            waiting = s.scalar(select(MessageSubscription.id).where(
                MessageSubscription.instance_id == child.parent_id, MessageSubscription.message_name == message))
            if waiting is None:  # the parent moved on (e.g. its deadline passed): note it, nothing to deliver
                self.record(s, "system", "message_not_awaited", child.parent_id,
                            {"message": message, "group": child.child_group})
                return
            self.deliver_message(s, message, instance_id=child.parent_id, actor="system",
                                 payload={"group": child.child_group, "completed": completed})

    # ------------------------------------------------------------------ administration

    def suspend(self, instance_id: int, actor: Actor) -> InstanceInfo:
        return self._set_status(instance_id, actor, InstanceStatus.SUSPENDED, "instance_suspended")

    def resume(self, instance_id: int, actor: Actor) -> InstanceInfo:
        return self._set_status(instance_id, actor, None, "instance_resumed")

    def terminate(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Stop an instance for good; its open tasks are cancelled."""
        return self._set_status(instance_id, actor, InstanceStatus.TERMINATED, "instance_terminated", reason)

    @staticmethod
    def _administered(s: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        """The instance row an administrator acts on (suspend, resume, terminate, retry)."""
        if not actor.is_admin:
            raise PermissionDenied("Chỉ quản trị viên được tạm dừng, tiếp tục, chấm dứt hoặc chạy lại hồ sơ")
        row = s.get(ProcessInstance, instance_id)
        if row is None:
            raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
        return row

    def _set_status(self, instance_id: int, actor: Actor, target: InstanceStatus | None, action: str,
                    reason: str = "") -> InstanceInfo:
        with self.transaction() as s:
            row = self._administered(s, instance_id, actor)
            current = InstanceStatus(row.status)
            if target is None:  # resume: back to error if it was failing, else running
                if current is not InstanceStatus.SUSPENDED:
                    raise InvalidState("Chỉ tiếp tục được hồ sơ đang tạm dừng")
                target = InstanceStatus.ERROR if row.error_message else InstanceStatus.RUNNING
            _move(row, current, target)
            now = self.clock.now()
            if target is InstanceStatus.TERMINATED:
                humantasks.cancel_open(s, row.id, now)
                row.next_timer_at = None
                s.execute(MessageSubscription.__table__.delete().where(MessageSubscription.instance_id == row.id))
            row.updated_at = now
            s.flush()
            self.record(s, actor.username, action, row.id, {"reason": reason} if reason else {})
            with self._lock:
                self._cache.pop(row.id, None)
            return self._info(s, row)

    def retry(self, instance_id: int, actor: Actor) -> InstanceInfo:
        """Run the failed tasks of an instance in the error state again."""
        with self.transaction() as s:
            row = self._administered(s, instance_id, actor)
            if row.status != InstanceStatus.ERROR.value:
                raise InvalidState("Chỉ chạy lại được hồ sơ đang lỗi")
            wf = self._load(s, row)

            def reset_errors(w):
                for task in w.get_tasks(state=TaskState.ERROR):
                    task._set_state(TaskState.READY)

            self.advance(s, row, wf, actor.username, "instance_retried", {}, reset_errors)
            return self._info(s, row)

    def verify_audit(self) -> audit.ChainReport:
        """Check the whole audit chain."""
        with self.db.session() as s:
            return audit.verify_chain(s)


def _move(row: ProcessInstance, current: InstanceStatus, target: InstanceStatus) -> None:
    if target is not current and target not in LEGAL_MOVES[current]:
        raise InvalidState(f"Không thể chuyển hồ sơ từ '{current.value}' sang '{target.value}'")
    row.status = target.value


def _pending_events(wf: BpmnWorkflow) -> list:
    """What the workflow waits for, with the parts of an event-based gateway listed one by one."""

    def flatten(definition, task):
        if isinstance(definition, MultipleEventDefinition_):
            for part in definition.event_definitions:
                yield from flatten(part, task)
        else:
            yield definition.details(task)

    return [ev for task in list(wf.event_manager.tasks.values())
            for ev in flatten(task.task_spec.event_definition, task)]


def _earliest_timer(waits) -> datetime | None:
    times = []
    for ev in waits:
        if ev.event_type not in TIMER_EVENTS or ev.value is None:
            continue
        value = ev.value.get("next") if isinstance(ev.value, dict) else ev.value
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            continue
        times.append(when if when.tzinfo else when.astimezone())
    return min(times) if times else None


def _describe_error(exc: BaseException) -> tuple[str, str | None]:
    """A person-readable message and the element id of a failure inside model code."""
    task = getattr(exc, "task", None)
    element = getattr(getattr(task, "task_spec", None), "bpmn_id", None) or getattr(exc, "element_id", None)
    root = exc
    while not isinstance(root, ChithiError) and (root.__cause__ is not None
                                                  or getattr(root, "exception", None) is not None):
        nxt = getattr(root, "exception", None) or root.__cause__
        if nxt is root:
            break
        root = nxt
        element = element or getattr(root, "element_id", None)
    message = str(root) if isinstance(root, ChithiError) else f"{type(root).__name__}: {root}"
    if root is not exc and str(exc) and str(exc) not in message:
        message = f"{exc}: {message}"
    return message[:4000], element


def _definition_info(row: ProcessDefinition, created: bool) -> DefinitionInfo:
    return DefinitionInfo(row.id, row.process_id, row.name, row.version, row.content_hash, row.deployed_at,
                          row.source, created)
