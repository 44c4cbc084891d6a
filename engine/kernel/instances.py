"""Process instances: start, load, advance to the next wait state, save.

Every step is one database transaction: load the instance (from a version-checked cache or its row),
advance it with SpiffWorkflow, save the instance part of the workflow with an optimistic version
check, rewrite the query tables (human tasks, next timer, message subscriptions), queue the audit
event. A lost race raises ConflictError and changes nothing; a failure inside model code (script,
expression, service task) is saved as the instance's error state, with the element id, for an
administrator to retry.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import bounds, faults, humantasks, spiff_clock
from .accounts import Actor
from .deployment import Definitions
from .errors import ChithiError, ConflictError, FieldProblem, FormError, NotFound, UnreadableInstance
from .expressions import SafeEvaluator, shared_budget
from .journal import Journal
from .models import HumanTask, MessageSubscription, ProcessInstance
from .refs import Refs, RefSummary
from .serialization import InstanceSerializer
from .services import ChildPort, StepContext, current_step
from .status import OPEN_TASK, RUNNING, InstanceStatus, move_status
from .taskdata import mapping_problem
from .views import InstanceInfo

TIMER_EVENTS = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
Mutation = Callable[[BpmnWorkflow], None]
CompletionHook = Callable[[Session, ProcessInstance], None]


class Instances:
    """Loads, advances and saves process instances; keeps a per-process cache of loaded workflows
    that is used only when its version equals the row's (several processes may share a database)."""

    def __init__(self, journal: Journal, definitions: Definitions, serializer: InstanceSerializer,
                 script_engine: Any, evaluator: SafeEvaluator, lane_roles: Mapping[str, str],
                 cache_size: int = 512):
        self.journal = journal
        self.db = journal.db
        self.clock = journal.clock
        self.definitions = definitions
        self.serializer = serializer
        self.script_engine = script_engine
        self.evaluator = evaluator
        self.lane_roles = dict(lane_roles)
        self.children: ChildPort | None = None  # fan-out moves lent to service tasks (Messages)
        self.completion_hooks: list[CompletionHook] = []  # e.g. a child counting itself home
        self.timer_listeners: list[Callable[[datetime], None]] = []  # e.g. the scheduler's wake-up
        self.refs = Refs()  # what the domain says of an instance's business object (subject of its tasks)
        self._cache: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the cache

    def forget_cached(self, instance_id: int | None = None) -> None:
        """Drop a cached workflow (or all of them): the next step loads it from its row."""
        with self._lock:
            if instance_id is None:
                self._cache.clear()
            else:
                self._cache.pop(instance_id, None)

    def _publish(self, saved: list[tuple[int, int, BpmnWorkflow]], timers: list[datetime]) -> None:
        with self._lock:
            for instance_id, version, wf in saved:
                self._cache[instance_id] = (version, wf)
                self._cache.move_to_end(instance_id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if timers:
            for listener in self.timer_listeners:
                listener(min(timers))

    def load(self, s: Session, row: ProcessInstance) -> BpmnWorkflow:
        """The workflow of `row`: the cached one if it is at the row's version, else restored."""
        with self._lock:
            cached = self._cache.pop(row.id, None)  # exclusive use: nobody else gets this object
        if cached is not None and cached[0] == row.version:
            return cached[1]
        return self._restore(s, row)

    def _restore(self, s: Session, row: ProcessInstance) -> BpmnWorkflow:
        spec, subs = self.definitions.spec(s, row.definition_id)
        try:
            return self.serializer.load(row.state_json, spec, subs, self.script_engine)
        except (RecursionError, TypeError, KeyError, ValueError, AttributeError) as exc:
            raise UnreadableInstance(
                f"Không tải được dữ liệu của hồ sơ số {row.id} ({type(exc).__name__}); quản trị viên cần khôi phục "
                f"hồ sơ từ bản sao lưu / instance {row.id} cannot be loaded") from exc

    # ------------------------------------------------------------------ starting

    def start(self, process_id: str, *, business_key: str | None = None, data: dict[str, Any] | None = None,
              actor: str | Actor = "system", body_code: str | None = None,
              ref: tuple[str, int] | None = None) -> InstanceInfo:
        """Start the newest version of `process_id` and run it to its first wait state."""
        actor_name = actor.username if isinstance(actor, Actor) else actor
        with self.journal.transaction() as s:
            row = self.create(s, process_id, business_key=business_key, data=data, actor=actor_name,
                              body_code=body_code, ref=ref)
            return self.info(s, row)

    def create(self, s: Session, process_id: str, *, business_key: str | None = None,
               data: dict[str, Any] | None = None, actor: str = "system", body_code: str | None = None,
               ref: tuple[str, int] | None = None, parent_id: int | None = None,
               child_group: str | None = None) -> ProcessInstance:
        """Start an instance inside the caller's transaction (fan-out, imports); `data` must be
        storable workflow data (FormError otherwise, nothing started)."""
        problem = mapping_problem(dict(data or {}))
        if problem is not None:
            raise FormError([FieldProblem("data", problem)])
        definition = self.definitions.latest(s, process_id)
        now = self.clock.now()
        ref_type, ref_id = ref if ref is not None else (None, None)
        row = ProcessInstance(definition_id=definition.id, process_id=process_id, business_key=business_key,
                              status=RUNNING, state_json="{}", body_code=body_code, ref_type=ref_type,
                              ref_id=ref_id, parent_id=parent_id, child_group=child_group, started_by=actor,
                              created_at=now, updated_at=now)
        s.add(row)
        s.flush()
        s.info.setdefault("new_instances", set()).add(row.id)
        spec, subs = self.definitions.spec(s, definition.id)
        wf = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        initial = dict(data or {})
        initial.setdefault("business_key", business_key)
        initial.setdefault("instance_id", row.id)
        for task in wf.get_tasks(state=TaskState.READY):
            task.set_data(**initial)
        self.advance(s, row, wf, actor, "instance_started",
                     {"process_id": process_id, "version": definition.version, "business_key": business_key})
        return row

    # ------------------------------------------------------------------ a step

    def advance(self, s: Session, row: ProcessInstance, wf: BpmnWorkflow, actor: str, action: str,
                payload: dict[str, Any], mutate: Mutation | None = None,
                completed: dict[str, str] | None = None, refresh_tasks: bool = False) -> None:
        """Apply `mutate`, run engine steps to the next wait state, and save — all in `s`.

        The audit event of the step names the elements it ran (`ran`), for the instance's timeline;
        `refresh_tasks` rewrites the open task rows from their tasks (after a version change)."""
        if self.children is None:
            raise RuntimeError("Instances.children is not wired (see engine.kernel.runtime)")
        step = StepContext(session=s, actor=actor, now=self.clock.now(), _instance=row, _children=self.children)
        token = current_step.set(step)
        faults.reach("step_start")
        error: BaseException | None = None
        started = time.time()  # SpiffWorkflow stamps state changes with time.time()
        try:
            with spiff_clock.using(self.clock), shared_budget(
                    bounds.MAX_STEP_WORK, "một bước của quy trình tốn quá nhiều tính toán (vòng lặp quá dài?)",
                    "one step of the instance does too much work (a loop too long?)"):
                if mutate is not None:
                    mutate(wf)
                wf.do_engine_steps(will_complete_task=bounds.element_counter())
                ready = humantasks.describe_ready(wf, self.evaluator, row, step.now, self.lane_roles)
        except ConflictError:
            raise
        except Exception as exc:  # noqa: BLE001 — model code failed: recorded on the instance, retryable
            error = exc
            ready = humantasks.describe_ready(wf, self.evaluator, row, step.now, self.lane_roles, lenient=True)
        finally:
            current_step.reset(token)
        ran = elements_run_since(wf, started)
        if ran:
            payload = {**payload, "ran": ran}
        self._save(s, row, wf, actor, action, payload, error, completed, ready, refresh_tasks)
        for fn in step._after_save:
            fn()

    def _save(self, s: Session, row: ProcessInstance, wf: BpmnWorkflow, actor: str, action: str,
              payload: dict[str, Any], error: BaseException | None, completed: dict[str, str] | None,
              ready: dict[str, dict[str, Any]], refresh_tasks: bool = False) -> None:
        now = self.clock.now()
        status = InstanceStatus(row.status)
        if error is not None:
            new_status = InstanceStatus.ERROR
            message, element = describe_error(error)
            if status is not InstanceStatus.ERROR or (message, element) != (row.error_message, row.error_element):
                row.error_at = now  # a new failure; the same one again keeps its first moment
            row.error_message, row.error_element = message, element
        elif wf.is_completed():
            new_status = InstanceStatus.COMPLETED
            row.completed_at = now
        elif status is InstanceStatus.ERROR and wf.get_tasks(state=TaskState.ERROR):
            new_status = InstanceStatus.ERROR  # a failed step is still there (e.g. the model changed): keep it
        else:
            new_status = InstanceStatus.RUNNING if status is InstanceStatus.ERROR else status
            row.error_message = row.error_element = row.error_at = None
        move_status(row, status, new_status)
        waits = pending_events(wf)
        row.next_timer_at = earliest_timer(waits)
        messages = {e.name for e in waits if e.event_type == "MessageEventDefinition"}
        summary = ",".join(sorted(messages)) or None
        messages_changed = summary != row.waiting_messages
        row.waiting_messages = summary
        row.state_json = self.serializer.dump(wf)
        row.updated_at = now
        s.flush()  # UPDATE … WHERE version = old: StaleDataError here means someone else won
        faults.reach("instance_updated")
        open_tasks = humantasks.sync(s, row, ready, now, completed, new_instance=self._first_save(s, row),
                                     process_name=self.definitions.display_name(s, row.definition_id),
                                     refresh=refresh_tasks, summary=self._summary(s, row))
        s.info.setdefault("open_tasks", {})[row.id] = open_tasks
        if messages_changed:  # the common step changes no subscription: no query at all
            self._sync_subscriptions(s, row, messages)
        faults.reach("query_tables_written")
        event = dict(payload)
        if error is not None:
            event["error"] = row.error_message
        self.journal.record(s, actor, action, row.id, event)
        self._remember(s, row.id, row.version, wf, row.next_timer_at)
        if new_status is InstanceStatus.COMPLETED and status is not InstanceStatus.COMPLETED:
            self.journal.record(s, actor, "instance_completed", row.id, {})
            for hook in self.completion_hooks:
                hook(s, row)

    def _remember(self, s: Session, instance_id: int, version: int, wf: BpmnWorkflow,
                  next_timer: datetime | None) -> None:
        """Queue the saved workflow for the cache and its timer for the scheduler, after commit."""
        pending: tuple[list[tuple[int, int, BpmnWorkflow]], list[datetime]] | None = s.info.get("saved_workflows")
        if pending is None:
            pending = s.info["saved_workflows"] = ([], [])
            self.journal.after_commit(s, lambda: self._publish(*pending))
        pending[0].append((instance_id, version, wf))
        if next_timer is not None:
            pending[1].append(next_timer)

    def _summary(self, s: Session, row: ProcessInstance) -> RefSummary | None:
        """What the instance serves, asked once per reference and transaction."""
        if row.ref_type is None or row.ref_id is None:
            return None
        known: dict[tuple[str, int], RefSummary | None] = s.info.setdefault("ref_summaries", {})
        key = (row.ref_type, row.ref_id)
        if key not in known:
            known[key] = self.refs.describe(s, row.ref_type, row.ref_id)
        return known[key]

    @staticmethod
    def _first_save(s: Session, row: ProcessInstance) -> bool:
        fresh = s.info.get("new_instances", set())
        if row.id in fresh:
            fresh.discard(row.id)
            return True
        return False

    @staticmethod
    def _sync_subscriptions(s: Session, row: ProcessInstance, names: set[str]) -> None:
        current = {m.message_name: m for m in
                   s.scalars(select(MessageSubscription).where(MessageSubscription.instance_id == row.id))}
        for name, sub in current.items():
            if name not in names:
                s.delete(sub)
        for name in names - current.keys():
            s.add(MessageSubscription(instance_id=row.id, message_name=name, business_key=row.business_key))

    # ------------------------------------------------------------------ reading

    def info(self, s: Session, row: ProcessInstance) -> InstanceInfo:
        """The instance as stored, with its open tasks (no deserialization)."""
        s.flush()
        known = s.info.get("open_tasks", {}).get(row.id)
        if known is not None:  # just written by this transaction's save: no query needed
            return InstanceInfo.from_row(row, sorted(known, key=lambda t: t.id))
        tasks = s.scalars(select(HumanTask).where(HumanTask.instance_id == row.id, HumanTask.status.in_(OPEN_TASK))
                          .order_by(HumanTask.id)).all()
        return InstanceInfo.from_row(row, list(tasks))

    def get(self, instance_id: int, actor: Actor | None = None) -> InstanceInfo:
        """An instance's status; with `actor`, NotFound unless they may see it (their body's, or
        one they have or had a task in, or they administer)."""
        with self.db.session() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None or (actor is not None and not self.may_see(s, row, actor)):
                raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
            return self.info(s, row)

    @staticmethod
    def may_see(s: Session, row: ProcessInstance, actor: Actor) -> bool:
        """Whether `actor` may look at an instance: administrators; its body's people; anyone who
        has or had a task in it."""
        if actor.is_admin or (row.body_code is not None and row.body_code == actor.body_code):
            return True
        mine = humantasks.ever_visible_to(actor)
        return s.scalar(select(HumanTask.id).where(HumanTask.instance_id == row.id, mine).limit(1)) is not None

    def list(self, *, status: str | None = None, process_id: str | None = None, parent_id: int | None = None,
             body_code: str | None = None, limit: int = 100, offset: int = 0,
             oldest_error_first: bool = False) -> list[InstanceInfo]:
        """Instances, newest first (or the longest-failing first), optionally of one status, process,
        parent or body."""
        with self.db.session() as s:
            order = (ProcessInstance.error_at, ProcessInstance.id) if oldest_error_first \
                else (ProcessInstance.id.desc(),)
            q = select(ProcessInstance).order_by(*order).limit(limit).offset(offset)
            if status:
                q = q.where(ProcessInstance.status == status)
            if process_id:
                q = q.where(ProcessInstance.process_id == process_id)
            if parent_id is not None:
                q = q.where(ProcessInstance.parent_id == parent_id)
            if body_code:
                q = q.where(ProcessInstance.body_code == body_code)
            return [InstanceInfo.from_row(r) for r in s.scalars(q)]

    def data(self, instance_id: int) -> dict[str, Any]:
        """The workflow's current data (deserializes: for detail pages and tests, not lists)."""
        with self.db.session() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
            wf = self._restore(s, row)
        return self.merged_data(wf)

    @staticmethod
    def merged_data(wf: BpmnWorkflow) -> dict[str, Any]:
        """The data of a workflow as its next step sees it: every task's data, later changes winning."""
        merged: dict[str, Any] = dict(wf.data)
        done = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED
        for task in sorted(wf.get_tasks(state=done), key=lambda t: t.last_state_change):
            merged.update(task.data)  # later changes win, across parallel branches too
        return merged


MAX_RAN = 50  # elements named in one step's audit event


def elements_run_since(wf: BpmnWorkflow, started: float) -> list[str]:
    """Ids of the BPMN elements completed since `started` (a time.time() value), in order."""
    done = [t for t in wf.get_tasks(state=TaskState.COMPLETED)
            if t.last_state_change >= started and getattr(t.task_spec, "bpmn_id", None)]
    done.sort(key=lambda t: t.last_state_change)
    return [str(t.task_spec.bpmn_id) for t in done[:MAX_RAN]]


def pending_events(wf: BpmnWorkflow) -> list[Any]:
    """What the workflow waits for, with the parts of an event-based gateway listed one by one."""

    def flatten(definition: Any, task: Any) -> Any:
        if isinstance(definition, MultipleEventDefinition):
            for part in definition.event_definitions:
                yield from flatten(part, task)
        else:
            yield definition.details(task)

    return [ev for task in list(wf.event_manager.tasks.values())
            for ev in flatten(task.task_spec.event_definition, task)]


def earliest_timer(waits: list[Any]) -> datetime | None:
    """The earliest due time among the timers a workflow waits for."""
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
        if nxt is root or nxt is None:
            break
        root = nxt
        element = element or getattr(root, "element_id", None)
    message = str(root) if isinstance(root, ChithiError) else f"{type(root).__name__}: {root}"
    if root is not exc and str(exc) and str(exc) not in message:
        message = f"{exc}: {message}"
    return message[:4000], element
