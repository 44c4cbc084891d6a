"""Hồ sơ: the administrators' list of instances by process, status and body with the error list on
top, and the moves on one instance — retry, suspend, resume, terminate, and "edit data then retry" —
each confirmed and with a reason (kept in the audit log). The instance page itself is
/instances/<id> (web/tasks.py), which shows these actions to administrators."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for

from engine.directory.admin import body_choices
from engine.kernel.errors import FieldProblem, FormError, InvalidState
from engine.kernel.forms import FormField, validate_submission

from ..auth import current_actor
from ..context import get_engine
from ..params import db_int
from .common import PAGE_SIZE, bp, page_number, reason_of
from .labels import VALUE_TYPES

STATUSES = ("running", "error", "suspended", "completed", "terminated")
REPAIR_ROWS = 5


@bp.get("/instances")
def instances():
    """Instances filtered by process, status, body (and version), the error list on top."""
    eng, actor = get_engine(), current_actor()
    process = request.args.get("process") or None
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    body = request.args.get("body") or None
    version = request.args.get("version", type=db_int)
    page = page_number()
    rows = eng.admin.instances_page(actor, process_id=process, status=status, body_code=body, version=version,
                                    limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("admin/instances.html", errors=eng.admin.errors(actor), rows=rows[:PAGE_SIZE],
                           has_more=len(rows) > PAGE_SIZE, page=page, processes=eng.modeling.processes(actor),
                           bodies=body_choices(eng, actor), statuses=STATUSES,
                           filters={"process": process or "", "status": status or "", "body": body or "",
                                    "version": version})


def _done(instance_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("tasks.instance_page", instance_id=instance_id))


def _needs_reason(instance_id: int) -> str | None:
    reason = reason_of(request.form)
    if not reason:
        flash("Ghi lý do của thao tác (lý do được lưu vào nhật ký).", "error")
        return None
    return reason


def _move(instance_id: int, move, message: str):
    reason = _needs_reason(instance_id)
    if reason is None:
        return redirect(url_for("tasks.instance_page", instance_id=instance_id))
    try:
        move(instance_id, current_actor(), reason)
    except InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("tasks.instance_page", instance_id=instance_id))
    return _done(instance_id, message)


@bp.post("/instances/<int:instance_id>/retry")
def instance_retry(instance_id: int):
    """Run the failed step again."""
    return _move(instance_id, get_engine().retry, "Đã chạy lại hồ sơ.")


@bp.post("/instances/<int:instance_id>/suspend")
def instance_suspend(instance_id: int):
    """Hold the instance: its tasks cannot be completed, its timers wait."""
    return _move(instance_id, get_engine().suspend, "Đã tạm dừng hồ sơ.")


@bp.post("/instances/<int:instance_id>/resume")
def instance_resume(instance_id: int):
    """Let a suspended instance go on."""
    return _move(instance_id, get_engine().resume, "Hồ sơ đã tiếp tục.")


@bp.post("/instances/<int:instance_id>/terminate")
def instance_terminate(instance_id: int):
    """Stop the instance for good; its open tasks are cancelled."""
    return _move(instance_id, get_engine().terminate, "Đã chấm dứt hồ sơ.")


def repair_rows(form) -> list[dict]:
    """The repair form's rows as typed: variable name, type, value (kept for a refused submit)."""
    names, types, values = form.getlist("var_name"), form.getlist("var_type"), form.getlist("var_value")
    rows = [{"name": n.strip(), "type": t if t in VALUE_TYPES else "text", "value": v}
            for n, t, v in zip(names, types, values)]
    return rows[:50]


def _converted(rows: list[dict]) -> tuple[dict, list[FieldProblem]]:
    """Typed values by the engine's form rules (dates as dd/mm/yyyy, "2,5", có/không); JSON parsed."""
    changes, problems = {}, []
    for n, row in enumerate(rows):
        if not row["name"]:
            continue
        if row["type"] == "json":
            try:
                changes[row["name"]] = json.loads(row["value"])
            except json.JSONDecodeError as exc:
                problems.append(FieldProblem(f"row-{n}", f"{row['name']}: không phải JSON hợp lệ ({exc.msg}, "
                                                         f"dòng {exc.lineno})"))
            continue
        field = FormField(row["name"], f"Biến {row['name']}", row["type"], required=row["type"] != "bool")
        try:
            changes.update(validate_submission([field], {row["name"]: row["value"]}))
        except FormError as exc:
            problems += [FieldProblem(f"row-{n}", p.message) for p in exc.fields]
    return changes, problems


@bp.post("/instances/<int:instance_id>/repair")
def instance_repair(instance_id: int):
    """Edit data then retry: set or remove variables of the failed instance, then run it again."""
    from ..tasks import render_instance_page

    rows = repair_rows(request.form)
    removed = [r for r in request.form.getlist("remove") if r][:100]
    changes, problems = _converted(rows)
    reason = reason_of(request.form)
    try:
        if problems:
            raise FormError(problems)
        get_engine().repair_and_retry(instance_id, current_actor(), changes, removed, reason)
    except FormError as exc:
        errors = [p.message if p.field.startswith("row-") else f"{p.field}: {p.message}" for p in exc.fields]
        return render_instance_page(instance_id, repair={"rows": rows, "removed": removed, "reason": reason,
                                                         "errors": errors}, status=422)
    except InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("tasks.instance_page", instance_id=instance_id))
    return _done(instance_id, "Đã sửa dữ liệu và chạy lại hồ sơ.")
