"""Quản trị in the web app: processes and the BPMN modeler, instances and their repair, the
directory of bodies, users, the audit log — and, for everyone, changing one's own password.
The rules live in the engine (engine/kernel: accounts, modeling, versions, admin, inspection;
engine/directory/admin.py); these pages parse, call and render."""
from __future__ import annotations

from flask import Flask

from ..features import NavLink, WebFeature
from . import account, audit_pages, directory, home, instances, labels, processes, users  # noqa: F401 (routes)
from .common import bp


def _init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(account.bp)
    app.jinja_env.filters.update(action_label=labels.action_label, element_kind=labels.element_kind,
                                 aspect_label=labels.aspect_label, shown_value=labels.shown_value,
                                 pretty_json=labels.pretty_json,
                                 functions_label=labels.functions_label)


FEATURE = WebFeature(
    "admin", _init_app,
    nav=(NavLink("Quản trị", "admin.home", "nav-admin", lambda actor: actor.is_admin),),
)
