"""The drafting editor's pages: "Tạo chỉ thị" (a new directive written in the editor), the editor of
a stored draft (also drawn on the drafting task's page, where it posts here and comes back), the
draft's preview and .docx, and the drafter's tiếp thu / giải trình of each consultation comment.

With htmx the editor swaps itself (and the preview beside it) in place; without it, it is a plain
form. Every operation keeps what was typed; the engine decides and validates
(engine/directives/drafting.py)."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from engine.directives.drafting import draft_file, draft_preview, new_editor, open_editor, post_editor, respond
from engine.directives.life import directive_summary
from engine.documents.store import DOCX_MIME
from engine.kernel.errors import FormError

from ..auth import current_actor, login_required
from ..context import get_engine
from ..documents.pages import content_disposition
from ..params import db_int

bp = Blueprint("drafting", __name__, url_prefix="/directives")

MAX_FIELDS = 5_000  # a post of the editor holds at most this many fields (bounded work)


def _posted() -> dict:
    form = request.form
    if len(form) > MAX_FIELDS:
        raise FormError([])
    return {key: form.getlist(key) for key in form}


def _task_url(task_id: int | None) -> str | None:
    return url_for("tasks.task_page", task_id=task_id) if task_id else None


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create():
    """Tạo chỉ thị: a new directive written in the editor; "Tạo" stores it and starts its drafting."""
    actor = current_actor()
    if request.method == "GET":
        return render_template("directives/create.html", view=new_editor(get_engine(), actor))
    op = request.form.get("op", "noop")
    view, created = post_editor(get_engine(), None, _posted(), op, actor)
    if created is not None:
        flash(f"Đã tạo dự thảo chỉ thị #{created}; tiếp tục soạn thảo trong việc «Soạn thảo dự thảo».", "success")
        target = _drafting_task(created) or url_for("directives.show", directive_id=created)
        if request.headers.get("HX-Request"):
            return Response(status=204, headers={"HX-Redirect": target})
        return redirect(target)
    status = 422 if view.problems else 200
    return render_template("directives/create.html", view=view), status


def _drafting_task(directive_id: int) -> str | None:
    """The drafting task of a directive just created, if the actor has it."""
    eng = get_engine()
    summary = directive_summary(eng, directive_id, actor=current_actor())
    instance = eng.get_instance(summary["instance_id"]) if summary.get("instance_id") else None
    for task in (instance.ready_tasks if instance else []):
        if task.element_id == "Task_draft":
            return url_for("tasks.task_page", task_id=task.id)
    return None


@bp.route("/<int:directive_id>/edit", methods=("GET", "POST"))
@login_required
def edit(directive_id: int):
    """The editor of a stored draft; `task` brings the drafter back to the drafting task's page."""
    actor = current_actor()
    task_id = request.values.get("task", type=db_int)
    if request.method == "GET":
        view = open_editor(get_engine(), directive_id, actor)
        return _editor_page(view, task_id)
    op = request.form.get("op", "noop")
    view, _ = post_editor(get_engine(), directive_id, _posted(), op, actor)
    if op == "save" and not view.problems and task_id and not request.headers.get("HX-Request"):
        for note in view.notes:
            flash(note, "success")
        return redirect(_task_url(task_id) or url_for("directives.show", directive_id=directive_id))
    return _editor_page(view, task_id, status=422 if view.problems else 200)


def _editor_page(view, task_id: int | None, status: int = 200):
    preview = Markup(draft_preview(get_engine(), view.directive_id, current_actor()))
    return render_template("directives/edit.html", view=view, task_id=task_id, preview=preview,
                           back=_task_url(task_id)), status


@bp.get("/<int:directive_id>/preview")
@login_required
def preview(directive_id: int):
    """The draft as it stands, as the HTML preview of its .docx (for the issuing office)."""
    html = draft_preview(get_engine(), directive_id, current_actor())
    return render_template("directives/preview.html", preview=Markup(html), directive_id=directive_id)


@bp.get("/<int:directive_id>/draft.docx")
@login_required
def draft_download(directive_id: int):
    """Tải dự thảo (.docx) as it stands, named as offices name files."""
    filename, data = draft_file(get_engine(), directive_id, current_actor())
    return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": content_disposition(filename)})


@bp.post("/<int:directive_id>/consultation/<int:comment_id>")
@login_required
def respond_comment(directive_id: int, comment_id: int):
    """Tiếp thu / giải trình of one consultation comment; back to the task page (or the row, htmx)."""
    task_id = request.form.get("task", type=db_int)
    kind, text = request.form.get("kind", ""), request.form.get("response", "")
    try:
        respond(get_engine(), directive_id, comment_id, kind, text, current_actor())
    except FormError as exc:
        errors = {p.field: p.message for p in exc.fields}
        if request.headers.get("HX-Request"):
            return _response_row(directive_id, comment_id, task_id, errors, kind, text), 422
        for message in errors.values():
            flash(message, "error")
        return redirect(_task_url(task_id) or url_for("directives.show", directive_id=directive_id))
    if request.headers.get("HX-Request"):
        return _response_row(directive_id, comment_id, task_id, {}, kind, text)
    flash("Đã ghi cách xử lý ý kiến góp ý.", "success")
    return redirect(_task_url(task_id) or url_for("directives.show", directive_id=directive_id))


def _response_row(directive_id: int, comment_id: int, task_id: int | None, errors: dict, kind: str, text: str):
    view = open_editor(get_engine(), directive_id, current_actor())
    row = next(r for r in view.consultation if r["comment_id"] == comment_id)
    return render_template("directives/_absorb_row.html", row=row, directive_id=directive_id, task_id=task_id,
                           errors=errors, typed={"kind": kind, "response": text}, may_edit=view.may_edit,
                           saved=not errors)


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
