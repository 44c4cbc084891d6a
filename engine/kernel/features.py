"""What a domain package plugs into the engine when the engine is composed (`engine.app`).

A package `engine/<name>/` with a module `feature.py` defining `FEATURE` is found by the composition
root; nothing else needs editing to add one: its tables reach the schema and the migrations, its
service tasks the models, and its lane names their roles.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .forms import FormCheckFn
from .refs import RefDescriber
from .services import ServiceRegistry


@dataclass(frozen=True)
class Sweep:
    """Background work a feature wants done every `seconds` by each scheduler (`chithi scheduler`,
    or the web process's own): `run(engine)` claims what it works on, so several schedulers never
    do the same item twice, and returns how many items it handled. A failing run is logged and
    tried again at the next interval."""

    name: str
    seconds: float
    run: Callable[[Any], int]


@dataclass(frozen=True)
class Feature:
    """One domain package's contribution to the engine."""

    name: str
    tables: tuple[str, ...] = ()  # modules that declare its tables (imported before the schema is used)
    services: Callable[[ServiceRegistry], None] | None = None  # registers its service tasks
    lane_roles: Mapping[str, str] = field(default_factory=dict)  # lane name in a model → role code
    roles: Mapping[str, str] = field(default_factory=dict)  # role code → its name, the roles accounts may hold
    body_name: Callable[[Session, str], str | None] | None = None  # a body code's name, None if unknown
    form_checks: tuple[FormCheckFn, ...] = ()  # checks of a task submission before it completes
    sweeps: tuple[Sweep, ...] = ()  # background work run by the scheduler
    # after the schema moved (`chithi db upgrade`): bring data the feature derives up to date; must be
    # idempotent and cheap when there is nothing to do; returns the rows it wrote
    after_upgrade: Callable[[Any], int] | None = None
    describe_ref: RefDescriber | None = None  # (session, ref_type, ref_id) → RefSummary of what it serves
