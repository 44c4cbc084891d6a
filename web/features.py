"""What a feature package of the web app plugs in, and how the app finds them.

A package `web/<name>/` whose `__init__.py` defines `FEATURE` (a `WebFeature`) is found by the app
factory and the `chithi` command: its pages and API (with their OpenAPI paths) are registered, its
commands join the CLI, its links join the top bar and its panel joins the task page. Adding a feature
is adding a package; no list elsewhere is edited.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Flask

SubParsers = Any  # argparse's private _SubParsersAction


@dataclass(frozen=True)
class NavLink:
    """A link in the top bar: its text, the endpoint it opens, its element id, who sees it."""

    label: str
    endpoint: str
    element_id: str
    visible: Callable[[Any], bool] = lambda actor: True
    badge: Callable[[Any], int] | None = None  # a count shown beside the label (e.g. unread), 0: none


@dataclass(frozen=True)
class TaskPanel:
    """A section of the task page: a template and the function giving its context (None: not shown)."""

    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]  # (task, actor) → context


@dataclass(frozen=True)
class WebFeature:
    """One feature's contribution to the web app and the CLI."""

    name: str
    init_app: Callable[[Flask], None]  # blueprints, template filters, OpenAPI paths
    cli: Callable[[SubParsers], None] | None = None  # adds `chithi` subcommands
    nav: tuple[NavLink, ...] = ()
    task_panels: tuple[TaskPanel, ...] = field(default_factory=tuple)
    # What to tell the person after they completed a task (task, values, instance) → sentence or None.
    task_outcome: Callable[[Any, dict, Any], str | None] | None = None


@cache
def web_features() -> tuple[WebFeature, ...]:
    """The feature packages of web/, by package name."""
    import web

    found = []
    for info in sorted(pkgutil.iter_modules(web.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        feature = getattr(importlib.import_module(f"web.{info.name}"), "FEATURE", None)
        if feature is not None:
            if not isinstance(feature, WebFeature):
                raise TypeError(f"web.{info.name}.FEATURE must be a web.features.WebFeature")
            found.append(feature)
    return tuple(found)


def add_cli_commands(sub: SubParsers) -> None:
    """Every feature's `chithi` subcommands."""
    for feature in web_features():
        if feature.cli is not None:
            feature.cli(sub)


def init_app(app: Flask) -> None:
    """Register every feature, and give templates the top-bar links and the task-page panels."""
    for feature in web_features():
        feature.init_app(app)
    links = tuple(link for feature in web_features() for link in feature.nav)
    panels = tuple(panel for feature in web_features() for panel in feature.task_panels)
    app.extensions["chithi_task_panels"] = panels
    app.jinja_env.globals["nav_links"] = lambda actor: [link for link in links if link.visible(actor)]


def task_outcome(app: Flask, task: Any, values: dict, instance: Any) -> str | None:
    """The sentence that says what a completed task did (the first feature that knows), or None."""
    for feature in web_features():
        if feature.task_outcome is not None:
            said = feature.task_outcome(task, values, instance)
            if said:
                return said
    return None


def task_panels(app: Flask, task: Any, actor: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) of every panel shown on this task's page."""
    shown = []
    for panel in app.extensions.get("chithi_task_panels", ()):
        context = panel.context(task, actor)
        if context is not None:
            shown.append((panel.template, context))
    return shown



