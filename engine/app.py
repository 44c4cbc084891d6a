"""Composition root: builds the engine from the generic kernel and the domain's features.

Every package `engine/<name>/` with a `feature.py` defining `FEATURE` (an
`engine.kernel.features.Feature`) is found here: its tables join the schema, its service tasks the
registry, its lane names their roles. The web app, the CLI, the scheduler process and the tests all
call `build_engine`; nothing is created at import time.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import MetaData

from .kernel.clock import Clock, SystemClock
from .kernel.db import Base, Database, upgrade
from .kernel.expressions import SafeEvaluator
from .kernel.features import Feature
from .kernel.runtime import ChithiEngine
from .kernel.scripting import SafeScriptEngine
from .kernel.services import ServiceRegistry, StepContext, make_dispatcher

NOT_FEATURES = ("kernel", "migrations")


@cache
def features() -> tuple[Feature, ...]:
    """The domain packages of engine/ that plug in a feature, by package name."""
    import engine

    found = []
    for info in sorted(pkgutil.iter_modules(engine.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name in NOT_FEATURES:
            continue
        module_name = f"engine.{info.name}.feature"
        if importlib.util.find_spec(module_name) is None:
            continue
        feature = importlib.import_module(module_name).FEATURE
        if not isinstance(feature, Feature):
            raise TypeError(f"{module_name}.FEATURE must be an engine.kernel.features.Feature")
        found.append(feature)
    return tuple(found)


def all_metadata() -> MetaData:
    """The one schema: the kernel's tables and every feature's (what Alembic and the tests see)."""
    importlib.import_module("engine.kernel.models")
    for feature in features():
        for module in feature.tables:
            importlib.import_module(module)
    return Base.metadata


def start_children(step: StepContext, params: dict) -> dict:
    """Fan-out: start one `process` instance per item of `items`; the parent gets `done_message`
    when the last one completes. Params: process, items, group, done_message, item_variable."""
    items = list(params.get("items") or [])
    group = str(params.get("group") or params["process"])
    step.start_children(str(params["process"]), items, group=group, done_message=params.get("done_message"),
                        item_variable=str(params.get("item_variable") or "item"))
    return {"group": group, "count": len(items)}


def core_services() -> ServiceRegistry:
    """The engine's own services; features add theirs when the engine is composed."""
    registry = ServiceRegistry()
    registry.register("start_children", start_children, title="Khởi tạo hồ sơ con cho từng mục", parameters={
        "process": "mã quy trình của hồ sơ con, ví dụ \"directive_followup\"",
        "items": "danh sách các mục, mỗi mục một hồ sơ con",
        "group": "tên nhóm hồ sơ con (mặc định: mã quy trình)",
        "done_message": "thông điệp gửi về khi hồ sơ con cuối cùng kết thúc",
        "item_variable": "tên biến chứa mục trong hồ sơ con (mặc định: item)"})
    return registry


def lane_roles() -> dict[str, str]:
    """Lane name → role code, from every feature (a lane named twice differently is an error)."""
    merged: dict[str, str] = {}
    for feature in features():
        for lane, role in feature.lane_roles.items():
            if merged.setdefault(lane, role) != role:
                raise ValueError(f"lane '{lane}' is given two roles: '{merged[lane]}' and '{role}'")
    return merged


def known_roles() -> dict[str, str]:
    """Role code → Vietnamese name, from every feature: the roles an account may hold."""
    merged: dict[str, str] = {}
    for feature in features():
        merged.update(feature.roles)
    return merged


def body_namer():
    """The feature that names bodies (the directory), or None when no feature does."""
    return next((f.body_name for f in features() if f.body_name is not None), None)


def build_engine(database_url: str, *, clock: Clock | None = None, workflows_dir: Path | None = None,
                 services: ServiceRegistry | None = None, migrate: bool = False,
                 password_hasher: PasswordHasher | None = None) -> ChithiEngine:
    """Wire a ChithiEngine with every feature; `services` replaces the whole registry (tests),
    `migrate=True` also brings the schema up to date."""
    clock = clock or SystemClock()
    all_metadata()
    if migrate:
        upgrade(database_url)
    registry = services
    if registry is None:
        registry = core_services()
        for feature in features():
            if feature.services is not None:
                feature.services(registry)
    evaluator = SafeEvaluator(clock=clock)
    script_engine = SafeScriptEngine(evaluator, services=make_dispatcher(registry))
    checks = tuple(check for feature in features() for check in feature.form_checks)
    return ChithiEngine(Database(database_url), clock, evaluator=evaluator, script_engine=script_engine,
                        services=registry, lane_roles=lane_roles(), workflows_dir=workflows_dir,
                        password_hasher=password_hasher, known_roles=known_roles(), body_name=body_namer(),
                        form_checks=checks, sweeps=tuple(s for feature in features() for s in feature.sweeps),
                        describe_refs=tuple(f.describe_ref for f in features() if f.describe_ref is not None),
                        after_upgrade=tuple(f.after_upgrade for f in features() if f.after_upgrade is not None))
