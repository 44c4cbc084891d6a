"""Việc cần xử lý: my inbox, the task page with its form, claim/release, and the instance status page.
Views only parse, call the engine and render; the engine decides who may do what."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for

from engine.kernel.calendar import near_due_days
from engine.kernel.errors import ConflictError, FormError, InvalidState
from engine.kernel.humantasks import InboxQuery

from .auth import current_actor, login_required
from .context import get_engine
from .errors import message_for
from .features import task_outcome, task_panels
from .forms import initial_values, submitted_values
from .params import page_number

bp = Blueprint("tasks", __name__)

PAGE_SIZE = 50


FOLDERS = (("open", "Chờ xử lý"), ("near_due", "Sắp đến hạn"), ("overdue", "Quá hạn"), ("done", "Đã xử lý"))
MAX_PAGE = 10_000


def _day(name: str, label: str, errors: dict[str, str]) -> date | None:
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            day, month, year = (int(p) for p in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{label}: ngày không hợp lệ, viết theo dạng dd/mm/yyyy"
        return None


def inbox_filters() -> tuple[InboxQuery, dict[str, str], dict[str, str]]:
    """The folder and filters of the query string, what to keep in links, and the problems found."""
    errors: dict[str, str] = {}
    folder = request.args.get("folder", "open")
    if folder not in dict(FOLDERS):
        folder = "open"
    ref_type = ref_id = None
    ref = (request.args.get("ref") or "").strip()
    if ref:
        kind, _, number = ref.partition(":")
        if kind and number.isdigit():
            ref_type, ref_id = kind[:40], int(number)
        else:
            errors["ref"] = "Hồ sơ được chọn không hợp lệ"
    due_from, due_to = _day("due_from", "Hạn từ ngày", errors), _day("due_to", "Hạn đến ngày", errors)
    if due_from and due_to and due_from > due_to:
        errors["due_to"] = "Hạn đến ngày phải sau hạn từ ngày"
    text = (request.args.get("q") or "").strip()[:200]
    query = InboxQuery(folder=folder, ref_type=ref_type, ref_id=ref_id,
                       process_id=(request.args.get("stage") or "").strip()[:200] or None,
                       due_from=due_from, due_to=due_to, text=text, near_days=near_due_days())
    keep = {k: (request.args.get(k) or "").strip() for k in ("ref", "stage", "due_from", "due_to", "q")}
    return query, {k: v for k, v in keep.items() if v and k not in errors}, errors


@bp.get("/")
@login_required
def inbox():
    """Việc cần xử lý: folders with their counts, filters, accent-insensitive search, pages (the
    table alone for an htmx refresh)."""
    page = min(request.args.get("page", 1, type=page_number), MAX_PAGE)
    eng, actor = get_engine(), current_actor()
    query, keep, errors = inbox_filters()
    found = eng.tasks.inbox_page(actor, query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    context = dict(tasks=found.tasks[:PAGE_SIZE], has_more=len(found.tasks) > PAGE_SIZE, page=page,
                   now=eng.clock.now(), folder=query.folder, folders=FOLDERS, counts=found.counts, keep=keep,
                   errors=errors, refs=found.refs, stages=found.processes, filtered=bool(keep))
    status = 400 if errors else 200
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox":
        return render_template("tasks/_inbox_table.html", **context), status
    return render_template("tasks/inbox.html", **context), status


def _render_task(task, values, errors=None, alert=None, status=200):
    # After a refused POST the form is shown again with what was typed, even if the task closed.
    panels = task_panels(current_app, task, current_actor())
    widgets: dict = {}
    for _template, context in panels:  # what the fields' widgets need (pickers' date, signers…)
        widgets.update(context.get("widgets") or {})
    errors = errors or {}
    names = {f.name for f in task.form}
    other_problems = [message for field, message in errors.items() if field not in names]
    left = [(template, context) for template, context in panels if context.get("column") == "left"]
    return render_template("tasks/task.html", task=task, values=values, errors=errors, alert=alert,
                           other_problems=other_problems, keep_input=status != 200, now=get_engine().clock.now(),
                           panels=[p for p in panels if p not in left], left_panels=left, widgets=widgets), status


def task_page_with_alert(task_id: int, alert: str, status: int):
    """The task page again with a message on top (a refused side action, e.g. an attachment)."""
    task = get_engine().get_task(task_id, current_actor())
    return _render_task(task, initial_values(task.form), alert=alert, status=status)


@bp.route("/tasks/<int:task_id>", methods=("GET", "POST"))
@login_required
def task_page(task_id: int):
    """A task: its documentation and form; POST completes it and returns to the inbox."""
    eng = get_engine()
    actor = current_actor()
    task = eng.get_task(task_id, actor)
    if request.method == "GET":
        return _render_task(task, initial_values(task.form))

    typed = submitted_values(task.form, request.form)
    try:
        instance = eng.complete_task(task_id, actor, typed)
    except FormError as exc:  # every wrong field at once, with what was typed kept on screen
        errors = {problem.field: problem.message for problem in exc.fields}
        return _render_task(task, typed, errors, alert=message_for(exc), status=exc.http_status)
    except (ConflictError, InvalidState) as exc:
        # Keep what the person typed on screen; nothing was applied.
        return _render_task(task, typed, alert=message_for(exc), status=exc.http_status)
    flash(task_outcome(current_app, task, typed, instance) or f"Đã hoàn thành: {task.name}", "success")
    return redirect(url_for("tasks.inbox"))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    """Nhận việc: take the task so others see it is being handled."""
    task = get_engine().claim_task(task_id, current_actor())
    flash(f"Đã nhận việc: {task.name}", "success")
    return redirect(url_for("tasks.task_page", task_id=task_id))


@bp.post("/tasks/<int:task_id>/release")
@login_required
def release(task_id: int):
    """Trả lại: give a claimed task back to the group."""
    task = get_engine().release_task(task_id, current_actor())
    flash(f"Đã trả lại việc: {task.name}", "info")
    return redirect(url_for("tasks.inbox"))


def render_instance_page(instance_id: int, repair: dict | None = None, status: int = 200):
    """The instance page for whoever may see the instance; administrators also get its data and the
    moves (retry, suspend, resume, terminate, repair), `repair` holding a refused repair as typed."""
    eng, actor = get_engine(), current_actor()
    detail = eng.instance_detail(instance_id, actor)
    users = {e.actor for e in detail.timeline} | {detail.info.started_by or ""}
    names = {"system": "Hệ thống", "scheduler": "Bộ hẹn giờ", "seed": "Dữ liệu mẫu"} | eng.accounts.full_names(users)
    return render_template("tasks/instance.html", instance=detail.info, detail=detail, now=eng.clock.now(),
                           names=names, repair=repair, admin_view=actor.is_admin,
                           value_types=_value_types(), missing_variable=_missing_variable(detail.info)), status


def _value_types() -> dict[str, str]:
    from .admin.labels import VALUE_TYPES

    return VALUE_TYPES


def _missing_variable(instance) -> str:
    """The variable an error message says is missing (to prefill the repair form), if any."""
    import re

    match = re.search(r"biến '([A-Za-z_][A-Za-z0-9_]*)' chưa có giá trị", instance.error_message or "")
    return match.group(1) if match else ""


@bp.get("/instances/<int:instance_id>")
@login_required
def instance_page(instance_id: int):
    """Hồ sơ: where the instance stands on its diagram, its timeline, its tasks, parent and children."""
    return render_instance_page(instance_id)


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def instance_diagram(instance_id: int):
    """The BPMN of the version the instance runs on (the page's diagram reads it)."""
    xml = get_engine().inspection.diagram(instance_id, current_actor())
    return current_app.response_class(xml, mimetype="application/xml")


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
