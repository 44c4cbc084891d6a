"""The JSON API under /api: the same inbox and task actions as the pages, for scripts and the UI.
Authenticates with the session cookie or HTTP Basic; errors are {"error", "message", "fields"}."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime

from flask import Blueprint, Flask, current_app, jsonify, request

from engine.kernel.accounts import require_admin

from .auth import current_actor, login_required
from .context import get_engine, get_visible_instance
from .errors import WebError
from .openapi import EXTENSION_KEY, openapi_document
from .params import MAX_OFFSET, optional_db_int

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PAGE = 500


def to_json(value):
    """Plain JSON types for engine dataclasses (datetimes as ISO 8601, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v) for v in value]
    return value


def _json_object() -> dict:
    """The request body as a JSON object ({} when empty)."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WebError(400, "bad_request", "The request body must be a JSON object.")
    return body


def _page_args() -> tuple[int, int]:
    limit = optional_db_int(request.args.get("limit", "100"))
    offset = optional_db_int(request.args.get("offset", "0"))
    if limit is None or offset is None or not 1 <= limit <= MAX_PAGE or offset > MAX_OFFSET:
        raise WebError(400, "bad_request", f"limit must be 1..{MAX_PAGE} and offset 0..{MAX_OFFSET:,}.")
    return limit, offset


@bp.get("/me")
@login_required
def me():
    """The logged-in user."""
    return jsonify(to_json(current_actor()))


@bp.get("/tasks")
@login_required
def list_tasks():
    """My inbox: ready tasks I may act on."""
    limit, offset = _page_args()
    tasks = get_engine().inbox(current_actor(), limit=limit, offset=offset)
    return jsonify({"tasks": to_json(tasks), "limit": limit, "offset": offset})


@bp.get("/tasks/<int:task_id>")
@login_required
def get_task(task_id: int):
    """One task with its form."""
    return jsonify(to_json(get_engine().get_task(task_id, current_actor())))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim_task(task_id: int):
    """Claim a task."""
    return jsonify(to_json(get_engine().claim_task(task_id, current_actor())))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release_task(task_id: int):
    """Release a claimed task."""
    return jsonify(to_json(get_engine().release_task(task_id, current_actor())))


@bp.post("/tasks/<int:task_id>/complete")
@login_required
def complete_task(task_id: int):
    """Complete a task with the JSON body as its form data; answers the instance."""
    instance = get_engine().complete_task(task_id, current_actor(), _json_object())
    return jsonify(to_json(instance))


@bp.get("/instances/<int:instance_id>")
@login_required
def get_instance(instance_id: int):
    """One process instance and its ready tasks."""
    return jsonify(to_json(get_visible_instance(instance_id, current_actor())))


@bp.post("/processes/<process_id>/instances")
@login_required
def start_instance(process_id: str):
    """Start an instance of a deployed process (administrators only)."""
    actor = current_actor()
    require_admin(actor, "khởi tạo hồ sơ quy trình trực tiếp (starting a process needs the admin role)")
    body = _json_object()
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise WebError(400, "bad_request", "'data' must be a JSON object.")
    for key in ("business_key", "body_code"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise WebError(400, "bad_request", f"'{key}' must be a string.")
    instance = get_engine().start_instance(
        process_id,
        business_key=body.get("business_key"),
        data=data,
        actor=actor.username,
        body_code=body.get("body_code"),
    )
    return jsonify(to_json(instance)), 201


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(current_app.extensions.get(EXTENSION_KEY)))


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
