"""Directory pickers: a reusable widget that searches the bodies valid on a date (accent-insensitive)
and keeps the chosen codes in a form field, for one body or several. `/pickers/bodies` answers the
searches; templates/pickers/_body_picker.html draws it; static/pickers.js (the project's own script)
runs it. Any page may use it: the leader's assignment, the consultation, the drafting editor."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, jsonify, request

from engine.directives.lookup import SCOPES, search_bodies
from engine.kernel.calendar import local_date

from ..auth import login_required
from ..context import get_engine
from ..features import WebFeature

bp = Blueprint("pickers", __name__, url_prefix="/pickers")


def _on() -> date:
    text = request.args.get("on", "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return local_date(get_engine().clock.now())


@bp.get("/bodies")
@login_required
def bodies():
    """Bodies valid on `on` matching `q`: [{code, name, printed, province}] (at most 20)."""
    scope = request.args.get("scope", "all")
    found = search_bodies(get_engine(), request.args.get("q", ""), _on(), province=request.args.get("province") or None,
                          scope=scope if scope in SCOPES else "all")
    return jsonify({"bodies": [{"code": b.code, "name": b.name, "printed": b.printed, "province": b.province}
                               for b in found]})


def _init_app(app: Flask) -> None:
    app.register_blueprint(bp)


FEATURE = WebFeature("pickers", _init_app)
