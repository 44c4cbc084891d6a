"""Mẫu văn bản: administrators see which template is in force for each kind and side, download it,
upload a replacement made in Word/LibreOffice, or go back to the shipped template.
The rules (admin only, validation, audit) live in engine/documents/templates_admin.py."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from engine.documents import TemplateRejected
from engine.documents.render import MAX_TEMPLATE_BYTES
from engine.documents.store import DOCX_MIME
from engine.documents.templates_admin import (
    placeholders,
    revert_template,
    template_file,
    template_history,
    template_overview,
    template_slot,
    upload_template,
)

from ..auth import current_actor, login_required
from ..context import get_engine
from .pages import content_disposition

bp = Blueprint("templates_admin", __name__, url_prefix="/admin/templates")

FIELD = "template"
TOO_LARGE = (f"Tệp mẫu quá lớn: mẫu .docx tối đa {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB. "
             "Hãy xóa hình ảnh không cần thiết rồi lưu lại và tải lên.")
NO_FILE = "Chưa chọn tệp .docx để tải lên."


@bp.get("")
@login_required
def index():
    """The table of (kind, side) slots with download, upload and revert per slot."""
    slots = template_overview(get_engine(), current_actor())
    return render_template("templates_admin/index.html", slots=slots)


def _detail(kind: str, side: str, *, errors: list[str] | None = None, status: int = 200):
    eng, actor = get_engine(), current_actor()
    slot = template_slot(eng, actor, kind, side)
    page = render_template("templates_admin/detail.html", slot=slot, placeholders=placeholders(kind),
                           history=template_history(eng, actor, kind, side), errors=errors or [],
                           max_mb=MAX_TEMPLATE_BYTES // (1024 * 1024))
    return page, status


@bp.get("/<kind>/<side>")
@login_required
def detail(kind: str, side: str):
    """One slot: the placeholders it may use, its upload history and the upload form."""
    return _detail(kind, side)


@bp.post("/<kind>/<side>/upload")
@login_required
def upload(kind: str, side: str):
    """Upload a replacement; a refused template is shown on the page naming the placeholders (422)."""
    template_slot(get_engine(), current_actor(), kind, side)  # admin and slot checked before reading
    stored = request.files.get(FIELD)
    if stored is None or not stored.filename:
        return _detail(kind, side, errors=[NO_FILE], status=422)
    try:
        slot = upload_template(get_engine(), current_actor(), kind, side, stored.read())
    except TemplateRejected as exc:
        return _detail(kind, side, errors=[problem.message for problem in exc.fields], status=422)
    flash(f"Đã tải lên mẫu {slot.kind_title} ({slot.side_title}), phiên bản {slot.version}; "
          "các văn bản lập từ nay dùng mẫu này.", "success")
    return redirect(url_for("templates_admin.detail", kind=kind, side=side))


@bp.post("/<kind>/<side>/revert")
@login_required
def revert(kind: str, side: str):
    """Go back to the shipped template; uploads stay in the history."""
    slot = revert_template(get_engine(), current_actor(), kind, side)
    flash(f"Đã dùng lại mẫu gốc cho {slot.kind_title} ({slot.side_title}).", "success")
    return redirect(url_for("templates_admin.index"))


@bp.get("/<kind>/<side>/download")
@login_required
def download(kind: str, side: str):
    """The template in force as a .docx attachment, to edit and upload back."""
    filename, data = template_file(get_engine(), current_actor(), kind, side)
    return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": content_disposition(filename)})


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge):
    """Uploads beyond MAX_CONTENT_LENGTH: a plain Vietnamese page rather than a bare 413."""
    return render_template("error.html", status=413, code="too_large", message=TOO_LARGE), 413


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
