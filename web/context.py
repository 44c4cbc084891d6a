"""Request-scoped access to the engine the app factory built."""
from __future__ import annotations

from flask import current_app


def get_engine():
    """The ChithiEngine of the running app (built once by create_app)."""
    return current_app.extensions["chithi"]


def wants_json(path: str) -> bool:
    """True for the JSON API, whose errors are JSON rather than HTML pages."""
    return path == "/api" or path.startswith("/api/")


def is_admin(actor) -> bool:
    """True for an administrator (role `admin`)."""
    return actor is not None and "admin" in actor.roles


def get_visible_instance(instance_id: int, actor):
    """The instance if `actor` may see it (admin, or one of its ready tasks is theirs), else NotFound."""
    from engine.errors import NotFound

    eng = get_engine()
    instance = eng.get_instance(instance_id)
    if is_admin(actor):
        return instance
    for task in instance.ready_tasks:
        try:
            eng.get_task(task.id, actor)
        except NotFound:
            continue
        return instance
    raise NotFound(f"instance {instance_id} not found")
