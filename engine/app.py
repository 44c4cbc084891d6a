"""Composition root: builds the engine with its evaluator, script engine and services.

The web app, the CLI, the scheduler process and the tests all call `build_engine`; nothing is
created at import time.
"""
from __future__ import annotations

from pathlib import Path

from .accounts import SCHEDULER, SYSTEM, Actor
from .clock import Clock, SystemClock
from .db import Database, upgrade
from .expressions import SafeEvaluator
from .forms import FormField
from .runtime import ChithiEngine
from .scripting import SafeScriptEngine
from .services import ServiceCall, ServiceRegistry, make_dispatcher
from .views import DefinitionInfo, InstanceInfo, TaskInfo

__all__ = ["build_engine", "ChithiEngine", "Actor", "TaskInfo", "InstanceInfo", "DefinitionInfo",
           "FormField", "SYSTEM", "SCHEDULER", "core_services"]


def start_children(call: ServiceCall, params: dict) -> dict:
    """Fan-out: start one `process` instance per item of `items`; the parent gets `done_message`
    when the last one completes. Params: process, items, group, done_message, item_variable."""
    items = list(params.get("items") or [])
    group = str(params.get("group") or params["process"])

    def create() -> None:
        call.engine.start_children(call.session, call.instance, process_id=str(params["process"]), items=items,
                                   group=group, done_message=params.get("done_message"), actor=call.actor,
                                   item_variable=str(params.get("item_variable") or "item"))

    if items:
        call.after_save(create)
    return {"group": group, "count": len(items)}


def core_services() -> ServiceRegistry:
    """The engine's own services; features add theirs with `registry.register`."""
    registry = ServiceRegistry()
    registry.register("start_children", start_children)
    return registry


def _feature_services(registry: ServiceRegistry) -> None:
    """Let feature packages (the directive life) register their service tasks."""
    from .directives import services as directive_services

    directive_services.register(registry)


def build_engine(database_url: str, *, clock: Clock | None = None, workflows_dir: Path | None = None,
                 services: ServiceRegistry | None = None, migrate: bool = False,
                 password_hasher=None) -> ChithiEngine:
    """Wire a ChithiEngine; `migrate=True` also brings the schema up to date."""
    clock = clock or SystemClock()
    if migrate:
        upgrade(database_url)
    registry = services or core_services()
    if services is None:
        _feature_services(registry)
    evaluator = SafeEvaluator(clock=clock)
    script_engine = SafeScriptEngine(evaluator, services=make_dispatcher(registry))
    engine = ChithiEngine(Database(database_url), clock, evaluator=evaluator, script_engine=script_engine,
                          services=registry, workflows_dir=workflows_dir, password_hasher=password_hasher)
    return engine
