"""Văn bản in the web app: document preview and downloads, the administrators' template pages, the
`template` commands and the "Mẫu văn bản" link."""
from __future__ import annotations

from flask import Flask

from engine.documents import KINDS

from ..features import NavLink, WebFeature
from . import cli, pages, templates_admin


def kind_title(kind: str) -> str:
    """The Vietnamese name of a document kind."""
    spec = KINDS.get(kind)
    return spec.title if spec else kind


def _init_app(app: Flask) -> None:
    pages.init_app(app)
    templates_admin.init_app(app)
    app.add_template_global(kind_title, "kind_title")


FEATURE = WebFeature(
    "documents", _init_app, cli=cli.add_template_commands,
    nav=(NavLink("Mẫu văn bản", "templates_admin.index", "nav-templates", lambda actor: actor.is_admin),),
)
