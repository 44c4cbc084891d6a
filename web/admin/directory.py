"""Danh mục cơ quan: search and filter the directory (the 2025 reform shows as ended bodies and
their successors), create and edit bodies, each body's history, YAML export and import. Rules and
checks: engine/directory/admin.py."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from engine.directory.admin import (
    KIND_LABELS,
    body_choices,
    body_detail,
    export_yaml,
    import_yaml,
    list_bodies,
    provinces,
    save_body,
)
from engine.kernel.calendar import local_date
from engine.kernel.errors import FormError

from ..auth import current_actor
from ..context import get_engine
from ..params import optional_db_int
from .common import bp, reason_of
from .labels import BODY_CHANGES, BODY_FIELDS, BODY_STATES

MAX_YAML = 2 * 1024 * 1024
EXTRA_SUCCESSOR_ROWS = 2


@bp.get("/directory")
def bodies():
    """The directory, searchable by name (without accents), kind, province, state and reform year."""
    eng, actor = get_engine(), current_actor()
    args = {"q": request.args.get("q", "")[:200], "kind": request.args.get("kind", ""),
            "province": request.args.get("province", ""), "state": request.args.get("state", ""),
            "changed_in": request.args.get("changed_in", "")}
    found = list_bodies(eng, actor, text=args["q"], kind=args["kind"] or None, province=args["province"] or None,
                        state=args["state"] if args["state"] in BODY_STATES else None,
                        changed_in=optional_db_int(args["changed_in"]))
    return render_template("admin/bodies.html", bodies=found, args=args, kinds=KIND_LABELS, states=BODY_STATES,
                           provinces=provinces(eng, actor), today=local_date(eng.clock.now()))


def _raw(form) -> dict:
    successors = [{"code": c, "functions": f} for c, f in
                  zip(form.getlist("successor_code"), form.getlist("successor_functions")) if c.strip()]
    return {"name": form.get("name", ""), "short_names": form.get("short_names", ""),
            "symbol": form.get("symbol", ""), "kind": form.get("kind", ""), "parent_code": form.get("parent_code", ""),
            "province": form.get("province", ""), "valid_from": form.get("valid_from", ""),
            "valid_to": form.get("valid_to", ""), "successors": successors, "note": form.get("note", "")}


def _values_of(view) -> dict:
    return {"name": view.name, "short_names": "\n".join(view.short_names), "symbol": view.symbol or "",
            "kind": view.kind, "parent_code": view.parent_code or "", "province": view.province or "",
            "valid_from": view.valid_from.strftime("%d/%m/%Y") if view.valid_from else "",
            "valid_to": view.valid_to.strftime("%d/%m/%Y") if view.valid_to else "",
            "successors": [{"code": s.code, "functions": s.functions} for s in view.successors],
            "note": view.note or ""}


def _form(code, values, detail=None, errors=None, alert=None, status=200, reason=""):
    eng, actor = get_engine(), current_actor()
    names = eng.accounts.full_names({h.changed_by for h in detail.history}) if detail else {}
    names.setdefault("system", "Hệ thống (dữ liệu gốc)")
    return render_template("admin/body_form.html", code=code, values=values, detail=detail, errors=errors or {},
                           names=names,
                           alert=alert, kinds=KIND_LABELS, choices=body_choices(eng, actor), reason=reason,
                           extra_rows=EXTRA_SUCCESSOR_ROWS, fields=BODY_FIELDS, changes=BODY_CHANGES,
                           states=BODY_STATES), status


def _errors(exc: FormError) -> dict:
    errors: dict[str, str] = {}
    for p in exc.fields:
        errors[p.field] = f"{errors[p.field]}; {p.message}" if p.field in errors else p.message
    return errors


@bp.route("/directory/new", methods=("GET", "POST"))
def body_new():
    """Add a body (its code chosen once, for good)."""
    if request.method == "GET":
        return _form(None, {"successors": [], "kind": "department"})
    code, raw, reason = request.form.get("code", ""), _raw(request.form), reason_of(request.form)
    try:
        view = save_body(get_engine(), current_actor(), code, raw, reason, create=True)
    except FormError as exc:
        return _form(None, raw | {"code": code, "short_names": request.form.get("short_names", "")}, None,
                     _errors(exc), "Chưa thêm được: xem các ô được đánh dấu.", 422, reason)
    flash(f"Đã thêm {view.name} vào danh mục.", "success")
    return redirect(url_for("admin.body_edit", code=view.code))


@bp.route("/directory/<code>", methods=("GET", "POST"))
def body_edit(code: str):
    """One body: the edit form (names, kind, parent, dates, successors), its history, its relations."""
    eng, actor = get_engine(), current_actor()
    detail = body_detail(eng, actor, code)
    if request.method == "GET":
        return _form(code, _values_of(detail.body), detail)
    raw, reason = _raw(request.form), reason_of(request.form)
    try:
        view = save_body(eng, actor, code, raw, reason)
    except FormError as exc:
        return _form(code, raw | {"short_names": request.form.get("short_names", "")}, detail, _errors(exc),
                     "Chưa lưu được: xem các ô được đánh dấu.", 422, reason)
    flash(f"Đã lưu {view.name}.", "success")
    return redirect(url_for("admin.body_edit", code=code))


@bp.get("/directory/export.yaml")
def bodies_export():
    """The whole directory as YAML (the import reads it back)."""
    text = export_yaml(get_engine(), current_actor())
    return Response(text, mimetype="application/yaml",
                    headers={"Content-Disposition": 'attachment; filename="danh-muc-co-quan.yaml"'})


@bp.post("/directory/import")
def bodies_import():
    """Create or update bodies from a YAML file, all or nothing; problems listed by entry."""
    eng, actor = get_engine(), current_actor()
    upload = request.files.get("yaml")
    data = upload.read(MAX_YAML + 1) if upload is not None and upload.filename else b""
    problems = []
    if not data:
        problems = ["Chưa chọn tệp YAML để nhập."]
    else:
        try:
            report = import_yaml(eng, actor, data, reason_of(request.form))
        except FormError as exc:
            problems = [p.message for p in exc.fields]
        else:
            flash(f"Đã nhập danh mục: thêm {len(report.created)}, sửa {len(report.updated)}, "
                  f"giữ nguyên {report.unchanged} cơ quan, đơn vị.", "success")
            return redirect(url_for("admin.bodies"))
    args = {"q": "", "kind": "", "province": "", "state": "", "changed_in": ""}
    return render_template("admin/bodies.html", bodies=list_bodies(eng, actor), args=args, kinds=KIND_LABELS,
                           states=BODY_STATES, provinces=provinces(eng, actor), today=local_date(eng.clock.now()),
                           import_problems=problems), 422
