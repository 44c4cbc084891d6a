"""Văn bản: the HTML preview of a stored document, its .docx download and its PDF export.
Who may read a document is the engine's rule (engine/documents/access.py)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Flask, Response, redirect, render_template, url_for
from markupsafe import Markup

from engine.directives.life import document_for, pdf_for
from engine.documents import OfficeSuiteMissing, preview_html
from engine.documents.renditions import DONE, FAILED

from ..auth import current_actor, login_required
from ..context import get_engine
from ..errors import render_error_page

bp = Blueprint("documents", __name__, url_prefix="/documents")

PDF_UNAVAILABLE = ("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF. "
                   "Vui lòng tải tệp .docx hoặc báo quản trị hệ thống cài gói libreoffice-writer.")


def content_disposition(filename: str) -> str:
    """An attachment header safe for Vietnamese names: ASCII fallback plus filename*=UTF-8''…"""
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _with_suffix(filename: str, suffix: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return stem + suffix


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int):
    """The document previewed as HTML, with download buttons."""
    meta, content = document_for(get_engine(), document_id, current_actor())
    try:  # people who open a document often print it: its PDF is converted meanwhile
        pdf_for(get_engine(), document_id, current_actor())
    except OfficeSuiteMissing:
        pass
    # preview_html escapes every piece of document text and emits only its own tags and styles.
    return render_template("documents/show.html", doc=meta, preview=Markup(preview_html(content)))


@bp.get("/<int:document_id>/download")
@login_required
def download(document_id: int):
    """Tải .docx: the stored bytes as an attachment."""
    meta, content = document_for(get_engine(), document_id, current_actor())
    return Response(content, mimetype=meta.mime_type,
                    headers={"Content-Disposition": content_disposition(meta.filename)})


@bp.get("/<int:document_id>/pdf")
@login_required
def pdf(document_id: int):
    """Tải PDF: the PDF converted once in the background (engine/documents/renditions.py); while it
    is being converted, a page that says so and reloads itself (202); 503 when LibreOffice is missing."""
    try:
        meta, rendition = pdf_for(get_engine(), document_id, current_actor())
    except OfficeSuiteMissing:
        return render_error_page(503, "office_suite_missing", PDF_UNAVAILABLE)
    return pdf_response(rendition, _with_suffix(meta.filename, ".pdf"),
                        title=f"{meta.kind_title} (phiên bản {meta.version})",
                        back_url=url_for("documents.show", document_id=document_id),
                        docx_url=url_for("documents.download", document_id=document_id),
                        retry_url=url_for("documents.pdf_again", document_id=document_id))


def pdf_response(rendition, filename: str, *, title: str, back_url: str, docx_url: str | None = None,
                 retry_url: str | None = None):
    """The PDF when it is made; meanwhile a page that says so and reloads itself (202); a failed
    conversion says why (503) with a way to ask again."""
    if rendition.status == DONE and rendition.content is not None:
        return Response(rendition.content, mimetype="application/pdf",
                        headers={"Content-Disposition": content_disposition(filename)})
    page = dict(title=title, back_url=back_url, docx_url=docx_url, retry_url=retry_url, filename=filename)
    if rendition.status == FAILED:
        return render_template("documents/pdf_wait.html", failed=True, error=rendition.error, **page), 503
    return render_template("documents/pdf_wait.html", failed=False, **page), 202, {"Retry-After": "2"}


@bp.post("/<int:document_id>/pdf")
@login_required
def pdf_again(document_id: int):
    """Chuyển lại sang PDF after a failed conversion."""
    try:
        pdf_for(get_engine(), document_id, current_actor(), again=True)
    except OfficeSuiteMissing:
        return render_error_page(503, "office_suite_missing", PDF_UNAVAILABLE)
    return redirect(url_for("documents.pdf", document_id=document_id))


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
