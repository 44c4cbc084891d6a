"""Chỉ thị in the web app: the directive pages, the directives API, the `directive` and `demo`
commands, the "Chỉ thị" link and the directive panel of a task page."""
from __future__ import annotations

from flask import Flask

from ..features import NavLink, TaskPanel, WebFeature
from . import api, cli, pages


def _init_app(app: Flask) -> None:
    pages.init_app(app)
    api.init_app(app)


FEATURE = WebFeature(
    "directives", _init_app, cli=cli.add_commands,
    nav=(NavLink("Chỉ thị", "directives.index", "nav-directives"),),
    task_panels=(TaskPanel("directives/_task_panel.html", pages.task_directive_context),),
)
