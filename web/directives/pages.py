"""Chỉ thị pages: the list of directives I may see, one directive's detail (with the national
document it answers and the history of its versions), what changed between two versions, and the
import page (upload or paste a YAML/JSON description). The engine decides visibility and validates
the description; views parse, call and render."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from engine.directives.drafting import review_changes, versions_view
from engine.directives.intake import incoming_view
from engine.directives.life import directive_summary, import_directive, list_visible
from engine.directives.lookup import body_names
from engine.directives.policy import may_import, require_import
from engine.directives.store import STAGE_NAMES
from engine.kernel.errors import FormError, PermissionDenied

from ..auth import current_actor, login_required
from ..context import get_engine
from ..errors import message_for
from ..params import db_int

bp = Blueprint("directives", __name__, url_prefix="/directives")

STAGE_LABELS = STAGE_NAMES  # engine/directives/store.py: the one list of stages and their names
COMMENT_STAGE_LABELS = {
    "drafting": "Soạn thảo (phần đã sửa, tiếp thu)", "consultation": "Góp ý của cơ quan",
    "review": "Thẩm định dự thảo", "signing": "Trình ký", "closing": "Báo cáo tổng kết",
    "following_up": "Chỉ đạo khi theo dõi thực hiện",
}
ASSIGNMENT_STATUS_LABELS = {"assigned": "Đã giao", "acknowledged": "Đã xác nhận", "done": "Hoàn thành",
                            "withdrawn": "Đã rút"}
MAX_BODY = 2 * 1024 * 1024
NOT_RETURNS = {"drafting", "consultation", "following_up"}


def directive_label(summary: dict) -> str:
    """Số, ký hiệu as printed ("05/CT-UBND", "25-CT/TU") once issued, else "Dự thảo"."""
    return summary.get("number_text") or "Dự thảo"


def return_comments(summary: dict) -> list[dict]:
    """The comments of returns for revision (not drafting notes or consultation opinions), newest first."""
    return [c for c in reversed(summary.get("comments") or []) if c["stage"] not in NOT_RETURNS]


def named(comments: list[dict]) -> list[dict]:
    """Comments with `who`: the consulted body's name, or the full name of the account that wrote it."""
    accounts, names = get_engine().accounts, {}
    bodies = body_names(get_engine(), [c["body_code"] for c in comments if c.get("body_code")])
    for c in comments:
        if c["actor"] not in names:
            account = accounts.get(c["actor"])
            names[c["actor"]] = account.full_name if account and account.full_name else c["actor"]
    return [{**c, "who": bodies.get(c.get("body_code") or "") or names[c["actor"]]} for c in comments]


@bp.get("")
@login_required
def index():
    """Chỉ thị: the directives the actor may see, newest first."""
    actor = current_actor()
    return render_template("directives/list.html", directives=list_visible(get_engine(), actor),
                           may_import=may_import(actor))


@bp.get("/<int:directive_id>")
@login_required
def show(directive_id: int):
    """One directive: header, stage, assignments with follow-up, comments, documents."""
    actor = current_actor()
    summary = directive_summary(get_engine(), directive_id, actor=actor)
    comments = named(list(reversed(summary.get("comments") or [])))
    full = "comments" in summary
    return render_template("directives/detail.html", d=summary, comments=comments, full=full,
                           incoming=incoming_view(get_engine(), directive_id, actor) if full else None,
                           versions=versions_view(get_engine(), directive_id, actor) if full else [])


@bp.get("/<int:directive_id>/changes")
@login_required
def changes(directive_id: int):
    """What changed from one version to the current one (?since=N), part by part."""
    since = request.args.get("since", type=db_int)
    result = review_changes(get_engine(), directive_id, current_actor(), since=since)
    summary = directive_summary(get_engine(), directive_id, actor=current_actor())
    return render_template("directives/changes.html", d=summary, changes=result,
                           versions=versions_view(get_engine(), directive_id, current_actor()))


def _description_from_request() -> tuple[str, str]:
    upload = request.files.get("file")
    if upload and upload.filename:
        fmt = "json" if upload.filename.lower().endswith(".json") else "yaml"
        return upload.read(MAX_BODY + 1).decode("utf-8", errors="replace"), fmt
    text = request.form.get("text", "")
    return text, ("json" if text.lstrip().startswith("{") else "yaml")


@bp.route("/new", methods=("GET", "POST"))
@login_required
def new():
    """Nhập chỉ thị: a description file or pasted text → import_directive → the detail page."""
    actor = current_actor()
    require_import(actor)
    if request.method == "GET":
        return render_template("directives/new.html", text="", problems=[], alert=None)
    source, fmt = _description_from_request()
    if not source.strip() or len(source) > MAX_BODY:
        problem = "Chưa có nội dung mô tả." if not source.strip() else "Mô tả lớn hơn 2 MB."
        return render_template("directives/new.html", text=request.form.get("text", ""), alert=problem,
                               problems=[]), 422
    try:
        directive_id, instance_id = import_directive(get_engine(), source, actor=actor, fmt=fmt)
    except FormError as exc:
        return render_template("directives/new.html", text=request.form.get("text", ""), alert=message_for(exc),
                               problems=[(p.field, p.message) for p in exc.fields]), 422
    except PermissionDenied as exc:  # another issuer's directive: say so, keep the text
        return render_template("directives/new.html", text=request.form.get("text", ""), alert=str(exc),
                               problems=[]), exc.http_status
    summary = directive_summary(get_engine(), directive_id, actor=actor)
    if summary["stage"] == "intake":
        incoming = incoming_view(get_engine(), directive_id, actor) or {}
        flash(f"Đã vào sổ văn bản đến số {incoming.get('arrival_number', '')} và trình lãnh đạo cho ý kiến chỉ đạo.",
              "success")
    elif summary.get("number_text"):
        flash(f"Đã nhập {summary['number_text']} (đã ban hành) và bắt đầu theo dõi thực hiện.", "success")
    else:
        flash(f"Đã nhập chỉ thị (dự thảo #{directive_id}) và bắt đầu soạn thảo.", "success")
    return redirect(url_for("directives.show", directive_id=directive_id))


def init_app(app: Flask) -> None:
    """Register the blueprint and the label filters its templates use."""
    app.register_blueprint(bp)
    app.add_template_filter(lambda s: STAGE_LABELS.get(s, s), "directive_stage")
    app.add_template_filter(lambda s: COMMENT_STAGE_LABELS.get(s, s), "comment_stage")
    app.add_template_filter(lambda s: ASSIGNMENT_STATUS_LABELS.get(s, s), "assignment_status")
    app.add_template_filter(directive_label, "directive_label")
    app.add_template_global(may_import, "may_import")
