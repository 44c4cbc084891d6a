"""Văn bản đến: the records clerk registers a national document with its file (PDF or .docx), and
everyone of the receiving office reads it — previewed in the page, downloaded — on every later task.
The engine checks the fields, the file's type and size, duplicates and the register
(engine/directives/intake.py); a refusal shows the form again with what was typed."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from engine.directives.intake import (
    INCOMING_FIELDS,
    MAX_FILE_BYTES,
    IncomingFile,
    incoming_file,
    incoming_preview,
    receive_incoming,
)
from engine.directives.lookup import body_names
from engine.directives.policy import require_import
from engine.kernel.calendar import local_date
from engine.kernel.errors import FormError

from ..auth import current_actor, login_required
from ..context import get_engine
from ..documents.pages import content_disposition
from ..errors import message_for
from ..forms import submitted_values

bp = Blueprint("incoming", __name__, url_prefix="/directives/incoming")

REQUEST_LIMIT = MAX_FILE_BYTES + 2 * 1024 * 1024  # the file plus the form's fields
TOO_LARGE = (f"Tệp lớn quá {MAX_FILE_BYTES // (1024 * 1024)} MB nên chưa vào sổ được. Hãy quét lại với độ phân "
             "giải thấp hơn hoặc nén tệp PDF, rồi chọn lại tệp và nhập lại các trường.")


def _page(values: dict, errors: dict | None = None, alert: str | None = None, status: int = 200):
    eng, actor = get_engine(), current_actor()
    today = local_date(eng.clock.now())
    widgets = {"on": today, "scope": "national", "names": body_names(eng, [values.get("sender_code") or ""])}
    return render_template("directives/incoming_new.html", fields=INCOMING_FIELDS, values=values,
                           errors=errors or {}, alert=alert, widgets=widgets, max_bytes=MAX_FILE_BYTES,
                           receiver=actor.body_code), status


@bp.url_value_preprocessor
def _allow_scans(endpoint, _values) -> None:
    """A scanned PDF may be larger than other posts: raise this request's limit before anything
    (the CSRF check included) reads the body."""
    if endpoint == "incoming.new" and request.method == "POST":
        request.max_content_length = REQUEST_LIMIT


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    """Vào sổ văn bản đến: the form, then the registered document's directive page."""
    actor = current_actor()
    require_import(actor, actor.body_code)
    if request.method == "GET":
        today = local_date(get_engine().clock.now()).isoformat()
        return _page({f.name: "" for f in INCOMING_FIELDS} | {"received_on": today, "document_type": "Chỉ thị"})
    values = submitted_values(INCOMING_FIELDS, request.form)
    upload = request.files.get("file")
    file = IncomingFile(upload.filename or "", upload.read(MAX_FILE_BYTES + 1)) if upload and upload.filename else None
    try:
        directive_id, _instance = receive_incoming(get_engine(), values, file, actor=actor)
    except FormError as exc:
        errors = {p.field: p.message for p in exc.fields}
        return _page(values, errors, message_for(exc), status=exc.http_status)
    flash("Đã vào sổ văn bản đến và trình lãnh đạo cho ý kiến chỉ đạo.", "success")
    return redirect(url_for("directives.show", directive_id=directive_id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    """A post larger than the limit never reaches the form: say why, plainly."""
    return _page({f.name: "" for f in INCOMING_FIELDS}, {"file": TOO_LARGE}, TOO_LARGE, status=413)


@bp.get("/<int:entry_id>/file")
@login_required
def file(entry_id: int):
    """The arrived file: shown inline (a PDF in the page's frame) or downloaded (?download=1)."""
    entry, content = incoming_file(get_engine(), entry_id, current_actor())
    disposition = content_disposition(entry.file_name or "van-ban-den")
    if not request.args.get("download"):
        disposition = disposition.replace("attachment;", "inline;", 1)
    response = Response(content, mimetype=entry.file_type or "application/octet-stream",
                        headers={"Content-Disposition": disposition})
    # The page of the same site frames it (the preview); nobody else may.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<int:entry_id>/preview")
@login_required
def preview(entry_id: int):
    """The arrived document on its own page: a .docx as HTML, a PDF in a frame."""
    html = incoming_preview(get_engine(), entry_id, current_actor())
    entry, _content = incoming_file(get_engine(), entry_id, current_actor())
    return render_template("directives/incoming_preview.html", entry=entry, preview=Markup(html) if html else None)


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
