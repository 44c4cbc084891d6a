"""SpiffWorkflow's script engine replaced by the safe evaluator, plus service-task calls.

SpiffWorkflow evaluates gateway conditions, timers, multi-instance and correlation expressions
through `script_engine.evaluate` and runs script tasks through `script_engine.execute`; both go to
`SafeEvaluator` here, never to Python's `eval`/`exec`. Service tasks call a named engine service.
"""
from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from datetime import date, time
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .bounds import check_value_of
from .errors import ChithiError, ExpressionError
from .expressions import SafeEvaluator
from .taskdata import data_problem

Services = Callable[[Any, str, dict[str, Any]], Any]


def _element_id(task: Any) -> str | None:
    element: str | None = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    return element


class _Readable(Exception):
    """SpiffWorkflow's exceptions end every message with '. '; say only the message and any notes."""

    def __str__(self) -> str:
        return ". ".join([str(self.args[0]) if self.args else "", *getattr(self, "notes", [])])


class TaskExpressionError(_Readable, WorkflowTaskException, ExpressionError):
    """An expression or script of one task was refused or failed; carries the task and element id."""

    def __init__(self, task: Any, error: ExpressionError):
        element_id = _element_id(task)
        message = f"[{element_id}] {error.reason}"
        WorkflowTaskException.__init__(self, message, task=task, exception=error)
        self.reason = error.reason
        self.expression = error.expression
        self.element_id = element_id


class ServiceCallError(_Readable, WorkflowTaskException):
    """A service raised something unexpected; `original` (also `__cause__`) is what it raised."""

    def __init__(self, task: Any, operation: str, original: BaseException):
        self.element_id = _element_id(task)
        self.operation = operation
        self.original = original
        message = f"[{self.element_id}] dịch vụ '{operation}' lỗi / service '{operation}' failed: " \
                  f"{type(original).__name__}: {original}"
        WorkflowTaskException.__init__(self, message, task=task, exception=original)


def register_data_types(registry: Any) -> Any:
    """Teach a SpiffWorkflow serializer registry the values helpers put in task data (date, time).

    SpiffWorkflow's DefaultRegistry knows datetime and timedelta but not date: without this a
    workflow whose script stored `add_days(today(), 3)` cannot be saved. Returns the registry."""
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"]),
                      typename="chithi.date")
    registry.register(time, lambda v: {"value": v.isoformat()}, lambda v: time.fromisoformat(v["value"]),
                      typename="chithi.time")
    return registry


def _scope(context: MutableMapping[str, Any], external: Mapping[str, Any] | None) -> MutableMapping[str, Any]:
    """Task data first, then the external context (data objects); writes go to task data."""
    return ChainMap(context, dict(external)) if external else context


class SafeScriptEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates and executes against task data through a SafeEvaluator; no Python globals at all."""

    def __init__(self, evaluator: SafeEvaluator, services: Services | None = None):
        super().__init__({})
        self.evaluator = evaluator
        self.services = services

    def evaluate(self, expression: str, context: MutableMapping[str, Any],
                 external_context: Mapping[str, Any] | None = None) -> Any:
        """The value of `expression` over task data (and data objects)."""
        return self.evaluator.evaluate(expression, _scope(context, external_context))

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: Mapping[str, Any] | None = None) -> bool:
        """Run `script`; names it assigns land in `context` (the task data)."""
        self.evaluator.execute(script, _scope(context, external_context))
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        """Not used: SafeScriptEngine.call_service calls the services with the task itself."""
        raise NotImplementedError("SafeScriptEngine.call_service calls services directly")


class SafeScriptEngine(PythonScriptEngine):
    """The script engine every workflow runs with: safe evaluation, errors that name the element."""

    def __init__(self, evaluator: SafeEvaluator | None = None, services: Services | None = None):
        super().__init__(environment=SafeScriptEnvironment(evaluator or SafeEvaluator(), services))

    @property
    def evaluator(self) -> SafeEvaluator:
        """The evaluator behind this engine (deploy-time checks use the same one)."""
        evaluator: SafeEvaluator = self.environment.evaluator
        return evaluator

    def validate(self, expression: str) -> None:
        """Raise ExpressionError if `expression` is not allowed."""
        self.evaluator.check_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """Evaluate `expression` for `task`; refusals and failures raise TaskExpressionError."""
        try:
            value = self.environment.evaluate(expression, task.data, external_context)
            check_value_of(task.task_spec, expression, value)
            return value
        except ExpressionError as err:
            raise TaskExpressionError(task, err) from err

    def execute(self, task: Any, script: str, external_context: Mapping[str, Any] | None = None) -> Any:
        """Run a script task's (or pre/post) script for `task`; errors raise TaskExpressionError."""
        try:
            return self.environment.execute(script, task.data, external_context)
        except ExpressionError as err:
            raise TaskExpressionError(task, err) from err

    def call_service(self, task: Any, operation_name: str | None = None,
                     operation_params: dict[str, Any] | None = None, **kwargs: Any) -> str:
        """Call service `operation_name` with the evaluated parameters; returns the result as JSON."""
        services = self.environment.services
        params = {name: param["value"] for name, param in (operation_params or {}).items()}
        operation = operation_name or ""
        if services is None:
            raise ServiceCallError(task, operation, LookupError("no services are configured"))
        try:
            result = services(task, operation, params)
            problem = data_problem(result, operation)
            if problem is not None:  # what the task would store must load back
                raise ExpressionError(problem)
            return json.dumps(result, default=str)
        except ExpressionError as err:
            raise TaskExpressionError(task, err) from err
        except (ChithiError, SpiffWorkflowException):
            raise  # typed on purpose (a conflict, a refused number…): the caller handles it as itself
        except Exception as err:  # a bug or an outside failure: keep it as the cause, say which task
            raise ServiceCallError(task, operation, err) from err
