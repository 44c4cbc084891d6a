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
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import audit, humantasks, spiff_clock
from .accounts import Accounts, Actor
from .admin import AdminMixin
from .clock import Clock
from .db import Database
from .definitions import DefinitionChecker
from .deployment import DeploymentMixin
from .errors import ChithiError, ConflictError, NotFound
from .messaging import MessagingMixin
from .models import HumanTask, InstanceStatus, MessageSubscription, ProcessDefinition, ProcessInstance, move_status
from .serialization import InstanceSerializer
from .services import ServiceCall, ServiceRegistry, current_call
from .taskops import HumanTaskMixin
from .timers import TimerMixin
from .views import InstanceInfo

RUNNING = InstanceStatus.RUNNING.value
TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


class ChithiEngine(DeploymentMixin, HumanTaskMixin, TimerMixin, MessagingMixin, AdminMixin):
    """One per process; holds no state that is not checked against the database."""

    def __init__(self, db: Database, clock: Clock, *, evaluator, script_engine, services: ServiceRegistry,
                 workflows_dir: Path | None = None, cache_size: int = 512, password_hasher=None):
        self.db = db
        self.clock = clock
        self.evaluator = evaluator
        self.script_engine = script_engine
        self.services = services
        self.workflows_dir = workflows_dir
        self.accounts = Accounts(db, clock, password_hasher)
        self.serializer = InstanceSerializer()
        self.checker = DefinitionChecker(evaluator, services)
        self.node_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.timer_listeners: list[Callable[[datetime], None]] = []
        self._specs: dict[int, tuple] = {}
        self._names: dict[int, str] = {}
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

    def _process_name(self, s: Session, definition_id: int) -> str:
        """The display name of a definition version (immutable, so cached for good)."""
        name = self._names.get(definition_id)
        if name is None:
            name = self._names[definition_id] = s.scalar(
                select(ProcessDefinition.name).where(ProcessDefinition.id == definition_id))
        return name

    def _load(self, s: Session, row: ProcessInstance) -> BpmnWorkflow:
        with self._lock:
            cached = self._cache.pop(row.id, None)  # exclusive use: nobody else gets this object
        if cached is not None and cached[0] == row.version:
            return cached[1]
        spec, subs = self._spec(s, row.definition_id)
        return self.serializer.load(row.state_json, spec, subs, self.script_engine)

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
            row.error_message, row.error_element = describe_error(error)
        elif wf.is_completed():
            new_status = InstanceStatus.COMPLETED
            row.completed_at = now
        else:
            new_status = InstanceStatus.RUNNING if status is InstanceStatus.ERROR else status
            row.error_message = row.error_element = None
        move_status(row, status, new_status)
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
        open_tasks = humantasks.sync(s, row, ready, now, completed, new_instance=self._first_save(s, row),
                                     process_name=self._process_name(s, row.definition_id))
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

def _pending_events(wf: BpmnWorkflow) -> list:
    """What the workflow waits for, with the parts of an event-based gateway listed one by one."""

    def flatten(definition, task):
        if isinstance(definition, MultipleEventDefinition):
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


def describe_error(exc: BaseException) -> tuple[str, str | None]:
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
