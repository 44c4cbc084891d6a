"""Named service tasks: BPMN service tasks call engine functions by name, never code in the model.

A service function receives the `StepContext` of the running step and the evaluated parameters, and
returns a JSON-serialisable result that lands in the task's result variable. The context is narrow on
purpose: the step's session (to write the feature's own tables), who acts and when, the task data,
the instance's business reference, and the few engine moves a service may make (start child
instances once the step is saved, count them). A service never sees the engine itself.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from .errors import ChithiError
from .models import ProcessInstance


class ServiceTaskError(ChithiError):
    """A service task failed; the instance goes to the error state and can be retried."""

    code = "service_failed"
    http_status = 500

    def __init__(self, element_id: str, operation: str, message: str):
        self.element_id = element_id
        self.operation = operation
        super().__init__(f"[{element_id}] dịch vụ '{operation}' lỗi: {message}")


class ChildPort(Protocol):
    """The fan-out moves the engine lends to a step (implemented by engine.kernel.messaging)."""

    def start_children(self, s: Session, parent: ProcessInstance, *, process_id: str, items: list[Any],
                       group: str, done_message: str | None, actor: str, item_variable: str) -> list[int]: ...

    def child_progress(self, s: Session, parent_id: int, group: str) -> tuple[int, int] | None: ...

    def running_children(self, s: Session, parent_id: int) -> list[int]: ...

    def end_children(self, s: Session, parent_id: int, reason: str, actor: str = "system") -> list[int]: ...


@dataclass
class StepContext:
    """What a service function may see and do during one engine step."""

    session: Session  # the step's transaction: write your own tables here, never commit
    actor: str
    now: datetime
    _instance: ProcessInstance
    _children: ChildPort
    element_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the task's data (read it; return results)
    _after_save: list[Callable[[], None]] = field(default_factory=list)

    @property
    def instance_id(self) -> int:
        return self._instance.id

    @property
    def process_id(self) -> str:
        return self._instance.process_id

    @property
    def business_key(self) -> str | None:
        return self._instance.business_key

    @property
    def body_code(self) -> str | None:
        return self._instance.body_code

    @property
    def ref(self) -> tuple[str | None, int | None]:
        """The business object this instance serves: (ref_type, ref_id), set by `link`."""
        return self._instance.ref_type, self._instance.ref_id

    def link(self, ref_type: str, ref_id: int) -> None:
        """Point this instance (and the tasks it opens from now on) at a business object."""
        self._instance.ref_type, self._instance.ref_id = ref_type, ref_id

    def after_save(self, fn: Callable[[], None]) -> None:
        """Run `fn` after the instance row is saved, in the same transaction."""
        self._after_save.append(fn)

    def start_children(self, process_id: str, items: list[Any], *, group: str, done_message: str | None = None,
                       item_variable: str = "item", then: Callable[[list[int]], None] | None = None) -> None:
        """Once this step is saved, start one `process_id` instance per item (same transaction); the
        children share this instance's business reference, the parent hears `done_message` when the
        last one completes, and `then` receives their ids in the order of `items`."""

        def start() -> None:
            ids = self._children.start_children(self.session, self._instance, process_id=process_id, items=items,
                                                group=group, done_message=done_message, actor=self.actor,
                                                item_variable=item_variable)
            if then is not None:
                then(ids)

        if items:
            self.after_save(start)

    def child_progress(self, group: str) -> tuple[int, int] | None:
        """(completed, total) of this instance's fan-out `group`, or None if it never started one."""
        return self._children.child_progress(self.session, self._instance.id, group)

    def running_children(self) -> list[int]:
        """Ids of this instance's child instances that have not finished."""
        return self._children.running_children(self.session, self._instance.id)

    def end_children(self, reason: str) -> list[int]:
        """Terminate every unfinished descendant of this instance (tasks cancelled, timers cleared),
        with `reason` in the journal; returns their ids."""
        return self._children.end_children(self.session, self._instance.id, reason, self.actor)


ServiceFn = Callable[[StepContext, dict[str, Any]], Any]


@dataclass
class ServiceSpec:
    """A registered service: its function, what it does, and the parameters a model may give it."""

    name: str
    fn: ServiceFn
    description: str = ""
    title: str = ""  # the Vietnamese name the modeler shows
    parameters: dict[str, str] = field(default_factory=dict)  # parameter name → what to give it


class ServiceRegistry:
    """The fixed set of functions BPMN service tasks may call."""

    def __init__(self) -> None:
        self._services: dict[str, ServiceSpec] = {}

    def register(self, name: str, fn: ServiceFn, *, description: str = "", title: str = "",
                 parameters: dict[str, str] | None = None) -> ServiceFn:
        """Register `fn` under `name` (once), with the Vietnamese `title` and the `parameters` the
        modeler offers."""
        if name in self._services and self._services[name].fn is not fn:
            raise ValueError(f"service '{name}' is already registered")
        self._services[name] = ServiceSpec(name, fn, description or (fn.__doc__ or "").strip(), title or name,
                                           dict(parameters or {}))
        return fn

    def specs(self) -> list[ServiceSpec]:
        """Every registered service, by name."""
        return [self._services[n] for n in self.names()]

    def names(self) -> list[str]:
        return sorted(self._services)

    def __contains__(self, name: object) -> bool:
        return name in self._services

    def get(self, name: str) -> ServiceSpec:
        return self._services[name]


# The StepContext of the step running in this context (set by the engine around engine steps).
current_step: contextvars.ContextVar[StepContext | None] = contextvars.ContextVar("chithi_step", default=None)


def make_dispatcher(registry: ServiceRegistry) -> Callable[[Any, str, dict[str, Any]], Any]:
    """The callable handed to the script engine: (task, operation_name, params) -> result."""

    def dispatch(task: Any, operation_name: str, params: dict[str, Any]) -> Any:
        element_id = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        if operation_name not in registry:
            raise ServiceTaskError(element_id, operation_name, "không có dịch vụ này")
        step = current_step.get()
        if step is None:
            raise ServiceTaskError(element_id, operation_name, "gọi dịch vụ ngoài một bước của máy")
        step.element_id = element_id
        step.data = task.data
        # A savepoint per call: a service that fails leaves none of its writes behind, so a retry
        # starts clean and nothing is applied twice.
        with step.session.begin_nested():
            return registry.get(operation_name).fn(step, params)

    return dispatch
