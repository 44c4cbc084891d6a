"""Request-scoped access to the engine the app factory built."""
from __future__ import annotations

from flask import current_app


def get_engine():
    """The ChithiEngine of the running app (built once by create_app)."""
    return current_app.extensions["chithi"]


def wants_json(path: str) -> bool:
    """True for the JSON API, whose errors are JSON rather than HTML pages."""
    return path == "/api" or path.startswith("/api/")


def get_visible_instance(instance_id: int, actor):
    """The instance if `actor` may see it, else NotFound (the rule lives in the engine)."""
    return get_engine().get_instance(instance_id, actor)
