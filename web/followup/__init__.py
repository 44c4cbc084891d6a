"""Theo dõi thực hiện: the follow-up board of a directive (rows = bodies, columns = periods, cells
coloured by the VPCP status, with links to the report and the letters; filters; the rates; PDF), the
assigned body's workspace, and the leader's dashboard (with a chart drawn on the server). The engine
reads and decides (engine/directives/oversight.py, tracking.py); these views only render."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for

from engine.directives import attachments, boards, oversight, tracking
from engine.directives.lookup import OFFICE_ROLES
from engine.kernel.calendar import local_date
from engine.kernel.errors import FormError

from ..auth import current_actor, login_required
from ..context import get_engine
from ..documents.pages import content_disposition, pdf_response
from ..errors import WebError
from ..features import NavLink, TaskPanel, WebFeature
from ..params import page_number
from .chart import reports_chart
from .export import board_docx

bp = Blueprint("followup", __name__)
BODIES_SHOWN = 50  # the dashboard's table of bodies: those needing attention first, all on request
STATUS_CLASS = {tracking.ON_TIME: "st-on-time", tracking.LATE: "st-late", tracking.IN_TIME: "st-in-time",
                tracking.DUE_SOON: "st-due-soon", tracking.OVERDUE: "st-overdue", tracking.CANCELLED: "st-cancelled"}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _board(directive_id: int, printing: bool = False):
    status = request.args.get("status") or None
    if status is not None and status not in tracking.STATUSES:
        raise WebError(400, "bad_request", "Trạng thái lọc không hợp lệ.")
    body = (request.args.get("body") or "").strip()[:100] or None
    page = min(request.args.get("page", 1, type=page_number), 100_000)
    size = oversight.BOARD_PAGE if not printing else 100_000
    return oversight.board_view(get_engine(), directive_id, current_actor(), status=status, body_code=body,
                                page=1 if printing else page, size=size)


@bp.get("/directives/<int:directive_id>/board")
@login_required
def board(directive_id: int):
    """Bảng theo dõi: one row per assigned body, one column per reporting period."""
    view = _board(directive_id)
    return render_template("followup/board.html", view=view, b=view.board, words=tracking.STATUS_WORDS,
                           statuses=tracking.STATUSES, css=STATUS_CLASS, percent=percent,
                           status=request.args.get("status") or "", body=request.args.get("body") or "")


@bp.get("/directives/<int:directive_id>/board.pdf")
@login_required
def board_pdf(directive_id: int):
    """The board printed (a landscape table), converted to PDF by the scheduler's sweep like any
    document (engine/documents/renditions.py): meanwhile a page that says so and reloads itself."""
    from engine.documents.pdf import soffice_path
    from engine.documents.renditions import pdf_of

    view = _board(directive_id, printing=True)
    soffice_path()  # 503 with what to install rather than a conversion nobody can make
    eng = get_engine()
    rendition = pdf_of(lambda: eng.db.session(write=True), board_docx(view), eng.clock.now())
    name = f"Bang theo doi - chi thi {directive_id} - {local_date(view.board.now).strftime('%d-%m-%Y')}.pdf"
    return pdf_response(rendition, name, title="Bảng theo dõi",
                        back_url=url_for("followup.board", directive_id=directive_id))


@bp.post("/directives/<int:directive_id>/chasing-mode")
@login_required
def chasing_mode(directive_id: int):
    """Gửi thư đôn đốc tự động hay chờ duyệt (the issuing office's choice, per directive)."""
    automatic = request.form.get("automatic") == "1"
    boards.set_chasing_mode(get_engine(), directive_id, current_actor(), automatic=automatic)
    flash("Thư đôn đốc sẽ được gửi tự động." if automatic else "Thư đôn đốc sẽ chờ chuyên viên xem lại trước khi gửi.",
          "success")
    return redirect(url_for("directives.show", directive_id=directive_id))


@bp.get("/directives/<int:directive_id>/board.xlsx")
@login_required
def board_xlsx(directive_id: int):
    """The board as an Excel workbook, in the layout offices send upward."""
    from engine.directives.export import XLSX_MIME

    status = request.args.get("status") or None
    if status is not None and status not in tracking.STATUSES:
        raise WebError(400, "bad_request", "Trạng thái lọc không hợp lệ.")
    body = (request.args.get("body") or "").strip()[:100] or None
    export = boards.board_xlsx_for(get_engine(), directive_id, current_actor(), status=status, body_code=body)
    return Response(export.content, mimetype=XLSX_MIME,
                    headers={"Content-Disposition": content_disposition(export.filename)})


@bp.get("/workspace")
@login_required
def workspace():
    """Không gian làm việc of the actor's body: assignments, deadlines, reports, letters received."""
    ws = oversight.workspace(get_engine(), current_actor())
    return render_template("followup/workspace.html", ws=ws, words=tracking.STATUS_WORDS, css=STATUS_CLASS,
                           percent=percent, now=get_engine().clock.now())


@bp.get("/dashboard")
@login_required
def dashboard():
    """Tổng hợp for the leader: waiting for me, directives by stage, overdue bodies, rates, chart."""
    d = oversight.dashboard(get_engine(), current_actor())
    every = request.args.get("bodies") == "all"
    return render_template("followup/dashboard.html", d=d, chart=reports_chart(d.months), percent=percent,
                           now=get_engine().clock.now(), bodies=d.by_body if every else d.by_body[:BODIES_SHOWN],
                           every=every, shown=BODIES_SHOWN)


# ------------------------------------------------------------------ a report's attachments


def attachments_panel(task, actor):
    """On a body's report task: the files attached so far and the upload form."""
    if task.element_id not in attachments.REPORT_TASKS or task.status not in ("ready", "claimed"):
        return None
    return {"task_id": task.id, "files": attachments.pending(get_engine(), task.id),
            "max_mb": attachments.MAX_BYTES // (1024 * 1024), "max_files": attachments.MAX_FILES}


@bp.post("/tasks/<int:task_id>/attachments")
@login_required
def attach(task_id: int):
    """Attach a PDF, DOCX or XLSX to the report (type checked by its content)."""
    from ..tasks import task_page_with_alert

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return task_page_with_alert(task_id, "Chưa chọn tệp để đính kèm.", 400)
    try:
        info = attachments.attach(get_engine(), task_id, current_actor(), upload.filename, upload.read())
    except FormError as exc:
        return task_page_with_alert(task_id, "Không đính kèm được tệp: " + "; ".join(p.message for p in exc.fields),
                                    exc.http_status)
    flash(f"Đã đính kèm: {info.filename}", "success")
    return redirect(url_for("tasks.task_page", task_id=task_id), 303)


@bp.post("/tasks/<int:task_id>/attachments/<int:attachment_id>/remove")
@login_required
def detach(task_id: int, attachment_id: int):
    attachments.remove(get_engine(), task_id, attachment_id, current_actor())
    flash("Đã bỏ tệp đính kèm.", "info")
    return redirect(url_for("tasks.task_page", task_id=task_id), 303)


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment_file(attachment_id: int):
    name, mime, data = attachments.content_of(get_engine(), attachment_id, current_actor())
    return Response(data, mimetype=mime, headers={"Content-Disposition": content_disposition(name),
                                                  "X-Content-Type-Options": "nosniff"})


def _init_app(app: Flask) -> None:
    app.register_blueprint(bp)


FEATURE = WebFeature(
    "followup", _init_app,
    nav=(NavLink("Tổng hợp", "followup.dashboard", "nav-dashboard",
                 lambda actor: actor.is_admin or bool(OFFICE_ROLES & set(actor.roles))),
         NavLink("Đơn vị của tôi", "followup.workspace", "nav-workspace",
                 lambda actor: bool(actor.body_code) and "body_officer" in actor.roles)),
    task_panels=(TaskPanel("followup/_attachments_panel.html", attachments_panel),),
)
