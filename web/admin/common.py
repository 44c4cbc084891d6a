"""The administrators' blueprint: every page under /admin is for administrators only (the engine's
rule, `require_admin`, asked before any view runs, so a guessed id never tells anything to others),
and helpers the admin pages share."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, request, url_for

from engine.kernel.accounts import require_admin
from engine.kernel.errors import ChithiError

from ..auth import current_actor
from ..errors import error_payload
from ..params import db_int

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.before_request
def _administrators_only():
    actor = current_actor()
    if actor is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    require_admin(actor, "vào trang quản trị")
    return None


def json_error(exc: ChithiError):
    """An engine error as the modeler's JSON: {"error", "message", "problems"|"fields"}."""
    return jsonify(error_payload(exc)), exc.http_status


def reason_of(form) -> str:
    """The reason typed with an action (kept in the audit log), trimmed and bounded."""
    return " ".join(str(form.get("reason", "")).split())[:1000]


def page_number() -> int:
    page = request.args.get("page", 1, type=db_int) or 1
    return max(1, min(page, 10_000))
