"""Chỉ thị in the web app: the directive pages (list, detail, versions), the intake of a national
document, the drafting editor and the "Tạo chỉ thị" page, the directives API, the `directive` and
`demo` commands, the "Chỉ thị" link, the sections of a directive's task pages and the sentence
said after each of its steps."""
from __future__ import annotations

from flask import Flask

from ..features import NavLink, TaskPanel, WebFeature
from . import api, cli, editing, incoming, pages, panels


def _init_app(app: Flask) -> None:
    pages.init_app(app)
    editing.init_app(app)
    incoming.init_app(app)
    api.init_app(app)


FEATURE = WebFeature(
    "directives", _init_app, cli=cli.add_commands,
    nav=(NavLink("Chỉ thị", "directives.index", "nav-directives"),),
    task_panels=(
        TaskPanel("directives/_editor_panel.html", panels.editor_panel),
        TaskPanel("directives/_incoming_panel.html", panels.assign_panel),
        TaskPanel("directives/_absorb_panel.html", panels.absorb_panel),
        TaskPanel("directives/_consulted_panel.html", panels.consulted_panel),
        TaskPanel("directives/_preview_panel.html", panels.preview_panel),
        TaskPanel("directives/_changes_panel.html", panels.changes_panel),
        TaskPanel("directives/_task_panel.html", panels.summary_panel),
    ),
    task_outcome=panels.task_outcome,
)
