"""Named service tasks: BPMN service tasks call engine functions by name, never code in the model.

A service function receives a `ServiceCall` (the step's context: session, instance, task data,
clock, actor) and the evaluated parameters, and returns a JSON-serialisable result that lands in
the task's result variable. Side effects that need the instance row saved first (starting child
instances, say) are queued with `call.after_save(...)` and run in the same transaction.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy.orm import Session

from .errors import ChithiError

ServiceFn = Callable[["ServiceCall", dict], Any]


class ServiceTaskError(ChithiError):
    """A service task failed; the instance goes to the error state and can be retried."""

    code = "service_failed"
    http_status = 500

    def __init__(self, element_id: str, operation: str, message: str):
        self.element_id = element_id
        self.operation = operation
        super().__init__(f"[{element_id}] dịch vụ '{operation}' lỗi: {message}")


@dataclass
class ServiceCall:
    """What a service function may see and do during one engine step."""

    engine: Any  # the ChithiEngine (typed loosely to keep this module free of import cycles)
    session: Session
    instance: Any  # ProcessInstance row
    actor: str
    now: datetime
    element_id: str = ""
    data: dict = field(default_factory=dict)  # the task's data (read it; return results instead of writing)
    _after_save: list[Callable[[], None]] = field(default_factory=list)

    def after_save(self, fn: Callable[[], None]) -> None:
        """Run `fn` after the instance row is saved, in the same transaction."""
        self._after_save.append(fn)


@dataclass
class ServiceSpec:
    name: str
    fn: ServiceFn
    description: str = ""


class ServiceRegistry:
    """The fixed set of functions BPMN service tasks may call."""

    def __init__(self):
        self._services: dict[str, ServiceSpec] = {}

    def register(self, name: str, fn: ServiceFn | None = None, *, description: str = ""):
        """Register `fn` under `name`; usable as a decorator."""
        def deco(f: ServiceFn) -> ServiceFn:
            if name in self._services and self._services[name].fn is not f:
                raise ValueError(f"service '{name}' is already registered")
            self._services[name] = ServiceSpec(name, f, description or (f.__doc__ or "").strip())
            return f
        return deco(fn) if fn is not None else deco

    def names(self) -> list[str]:
        return sorted(self._services)

    def __contains__(self, name: str) -> bool:
        return name in self._services

    def get(self, name: str) -> ServiceSpec:
        return self._services[name]


# The ServiceCall of the step running in this context (set by the runtime around engine steps).
current_call: contextvars.ContextVar[ServiceCall | None] = contextvars.ContextVar("chithi_service_call", default=None)


def make_dispatcher(registry: ServiceRegistry):
    """The callable handed to the script engine: (task, operation_name, params) -> result."""

    def dispatch(task, operation_name: str, params: dict) -> Any:
        element_id = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        if operation_name not in registry:
            raise ServiceTaskError(element_id, operation_name, "không có dịch vụ này")
        call = current_call.get()
        if call is None:
            raise ServiceTaskError(element_id, operation_name, "gọi dịch vụ ngoài một bước của máy")
        call.element_id = element_id
        call.data = task.data
        # A savepoint per call: a service that fails leaves none of its writes behind, so a retry
        # starts clean and nothing is applied twice.
        with call.session.begin_nested():
            return registry.get(operation_name).fn(call, params)

    return dispatch
