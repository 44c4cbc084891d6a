"""Quy trình: the process list, a process's versions (who deployed each, when, which instances run
on it), the comparison of two versions, moving instances to a newer version, new processes (blank
or copied), .bpmn import and export, and the modeler with its check, draft and deploy calls."""
from __future__ import annotations

from flask import Response, flash, jsonify, redirect, render_template, request, url_for

from engine.kernel.errors import ChithiError, DefinitionError, FormError, NotFound, Problem

from ..auth import current_actor
from ..context import get_engine
from ..params import db_int
from .common import bp, json_error, reason_of
from .labels import ASPECTS, CHANGES, TIMER_HELP

MAX_BPMN = 5 * 1024 * 1024
OPEN = ("running", "suspended", "error")


MACHINES = {"system": "Hệ thống (cài đặt)", "scheduler": "Bộ hẹn giờ", "seed": "Dữ liệu mẫu"}


def _full_names(usernames) -> dict[str, str]:
    return MACHINES | get_engine().accounts.full_names({u for u in usernames if u})


@bp.get("/processes")
def processes():
    """Every process with its newest version and its instances; new and import forms."""
    eng, actor = get_engine(), current_actor()
    items = eng.modeling.processes(actor)
    return render_template("admin/processes.html", processes=items,
                           names=_full_names(p.deployed_by for p in items))


def _new_form(values, errors=None, alert=None, status=200):
    eng, actor = get_engine(), current_actor()
    sources = [(p.process_id, p.name, p.latest_version) for p in eng.modeling.processes(actor) if p.latest_version]
    return render_template("admin/process_new.html", values=values, errors=errors or {}, alert=alert,
                           sources=sources), status


@bp.route("/processes/new", methods=("GET", "POST"))
def process_new():
    """A new process from a blank diagram or a copy of a deployed version, kept as a draft."""
    if request.method == "GET":
        return _new_form({"start": "blank", "copy_of": request.args.get("copy_of", "")})
    values = {k: request.form.get(k, "").strip() for k in ("process_id", "name", "start", "copy_of")}
    copy_of = None
    if values["start"] == "copy":
        source, _, version = values["copy_of"].rpartition("@")
        if not source or not version.isdigit():
            return _new_form(values, {"copy_of": "Chọn quy trình và phiên bản để sao chép"},
                             "Chưa tạo được quy trình.", 422)
        copy_of = (source, int(version))
    try:
        draft = get_engine().modeling.new_process(current_actor(), values["process_id"], values["name"], copy_of)
    except FormError as exc:
        return _new_form(values, {p.field: p.message for p in exc.fields}, "Chưa tạo được quy trình.", 422)
    flash(f"Đã tạo bản nháp quy trình «{draft.name}». Vẽ và cấu hình các bước, kiểm tra rồi triển khai.", "success")
    return redirect(url_for("admin.modeler", process_id=draft.process_id, draft=1))


@bp.post("/processes/import")
def process_import():
    """Import a .bpmn file as the draft of its process, then open it in the modeler."""
    upload = request.files.get("bpmn")
    data = upload.read(MAX_BPMN + 1) if upload is not None and upload.filename else b""
    problem = None
    if not data:
        problem = "Chưa chọn tệp .bpmn để nhập."
    elif len(data) > MAX_BPMN:
        problem = "Tệp .bpmn lớn hơn 5 MB."
    if problem is None:
        try:
            draft = get_engine().modeling.save_draft(current_actor(), data)
        except DefinitionError as exc:
            problem = "Tệp không phải mô hình BPMN dùng được: " + "; ".join(p.message for p in exc.problems)
        except FormError as exc:
            problem = "; ".join(p.message for p in exc.fields)
        else:
            flash(f"Đã nhập tệp thành bản nháp của quy trình «{draft.name}». Kiểm tra rồi triển khai.", "success")
            return redirect(url_for("admin.modeler", process_id=draft.process_id, draft=1))
    eng, actor = get_engine(), current_actor()
    items = eng.modeling.processes(actor)
    return render_template("admin/processes.html", processes=items, names=_full_names(p.deployed_by for p in items),
                           import_error=problem), 422


def _migratable(process_id: str, latest: int):
    """Open instances of the process on a version older than the newest one (at most 500 each state)."""
    eng, actor = get_engine(), current_actor()
    rows = [r for status in OPEN for r in eng.admin.instances_page(actor, process_id=process_id, status=status,
                                                                   limit=500)]
    return sorted((r for r in rows if r.version < latest), key=lambda r: r.info.id)


@bp.get("/processes/<process_id>")
def process(process_id: str):
    """A process: its versions, its draft, the comparison form and the instances to move."""
    eng, actor = get_engine(), current_actor()
    draft = eng.modeling.draft(actor, process_id)
    try:
        versions = eng.modeling.versions(actor, process_id)
    except NotFound:
        if draft is None:
            raise
        versions = []
    latest = versions[-1].definition.version if versions else None
    return render_template("admin/process.html", process_id=process_id, versions=versions, draft=draft,
                           latest=latest, migratable=_migratable(process_id, latest) if latest else [],
                           names=_full_names([v.definition.deployed_by for v in versions]
                                             + [draft.updated_by if draft else None]))


@bp.get("/processes/<process_id>/compare")
def process_compare(process_id: str):
    """Two versions compared element by element: added, removed, changed (and what changed)."""
    old = request.args.get("from", type=db_int)
    new = request.args.get("to", type=db_int)
    if old is None or new is None:
        raise NotFound("Chọn hai phiên bản để so sánh")
    comparison = get_engine().versions.compare(current_actor(), process_id, old, new)
    return render_template("admin/compare.html", process_id=process_id, comparison=comparison, aspects=ASPECTS,
                           changes=CHANGES)


@bp.post("/processes/<process_id>/migrate")
def process_migrate(process_id: str):
    """Move the chosen instances to a version; each one that cannot move is named with the reason."""
    eng, actor = get_engine(), current_actor()
    ids = [int(x) for x in request.form.getlist("instance") if x.isdigit()][:500]
    version = request.form.get("version", type=db_int)
    if version is None:
        raise NotFound("Chọn phiên bản đích")
    reason = reason_of(request.form)
    if not ids or not reason:
        flash("Chọn ít nhất một hồ sơ và ghi lý do chuyển phiên bản.", "error")
        return redirect(url_for("admin.process", process_id=process_id) + "#migrate")
    outcomes = eng.migrate_instances(actor, ids, process_id, version, reason)
    return render_template("admin/migrated.html", process_id=process_id, version=version, outcomes=outcomes)


@bp.get("/processes/<process_id>/versions/<int:version>.bpmn")
def version_file(process_id: str, version: int):
    """Export: the BPMN file of one version as it was deployed."""
    _info, xml = get_engine().modeling.version(current_actor(), process_id, version)
    return _bpmn_download(xml, f"{process_id}.v{version}.bpmn")


@bp.get("/processes/<process_id>/draft.bpmn")
def draft_file(process_id: str):
    """Export: the BPMN file of the draft."""
    draft = get_engine().modeling.draft(current_actor(), process_id)
    if draft is None:
        raise NotFound(f"Quy trình '{process_id}' không có bản nháp")
    return _bpmn_download(draft.xml, f"{process_id}.draft.bpmn")


def _bpmn_download(xml: str, filename: str) -> Response:
    inline = request.args.get("inline") == "1"  # the modeler reads it; a person downloads it
    disposition = "inline" if inline else f'attachment; filename="{filename}"'
    return Response(xml, mimetype="application/xml", headers={"Content-Disposition": disposition})


@bp.post("/processes/<process_id>/draft/discard")
def draft_discard(process_id: str):
    """Throw the draft away."""
    get_engine().modeling.discard_draft(current_actor(), process_id)
    flash("Đã bỏ bản nháp.", "info")
    return redirect(url_for("admin.processes"))


@bp.get("/processes/<process_id>/modeler")
def modeler(process_id: str):
    """The BPMN modeler on a version (?version=N), the draft (?draft=1) or, by default, the draft if
    there is one, else the newest version."""
    eng, actor = get_engine(), current_actor()
    draft = eng.modeling.draft(actor, process_id)
    version = request.args.get("version", type=db_int)
    if version is None and (request.args.get("draft") or draft is not None):
        if draft is None:
            raise NotFound(f"Quy trình '{process_id}' không có bản nháp")
        source = {"kind": "draft", "url": url_for("admin.draft_file", process_id=process_id, inline=1),
                  "base_version": draft.base_version, "label": f"Bản nháp lưu lúc {_local_time(draft.updated_at)}"}
        name = draft.name
    else:
        if version is None:
            version = eng.modeling.versions(actor, process_id)[-1].definition.version
        info, _xml = eng.modeling.version(actor, process_id, version)
        source = {"kind": "version", "base_version": version, "label": f"Phiên bản {version}",
                  "url": url_for("admin.version_file", process_id=process_id, version=version, inline=1)}
        name = info.name
    catalog = eng.modeling.catalog(actor)
    config = {
        "processId": process_id, "source": source,
        "urls": {"check": url_for("admin.modeler_check"), "draft": url_for("admin.modeler_draft"),
                 "deploy": url_for("admin.modeler_deploy"),
                 "process": url_for("admin.process", process_id=process_id)},
        "catalog": {"roles": catalog.roles, "lanes": catalog.lane_roles,
                    "services": [{"name": s.name, "title": s.title, "description": s.description,
                                  "parameters": s.parameters} for s in catalog.services]},
        "timerHelp": TIMER_HELP,
    }
    return render_template("admin/modeler.html", process_id=process_id, name=name, source=source, config=config)


def _xml_body() -> bytes:
    if (request.content_length or 0) > MAX_BPMN:
        raise DefinitionError([Problem(None, "Mô hình lớn hơn 5 MB")])
    return request.get_data(cache=False)


def _problems(problems) -> list[dict]:
    return [{"element_id": p.element_id, "message": p.message, "line": p.line} for p in problems]


@bp.post("/modeler/check")
def modeler_check():
    """The engine's deploy check of the diagram being edited: {"ok", "problems": [{element_id, …}]}."""
    try:
        problems = get_engine().modeling.check(current_actor(), _xml_body())
    except ChithiError as exc:
        return json_error(exc)
    return jsonify({"ok": not problems, "problems": _problems(problems)})


@bp.post("/modeler/draft")
def modeler_draft():
    """Keep the diagram as the draft of its process."""
    try:
        draft = get_engine().modeling.save_draft(current_actor(), _xml_body(),
                                                 request.args.get("base_version", type=db_int))
    except ChithiError as exc:
        return json_error(exc)
    return jsonify({"process_id": draft.process_id, "updated_at": draft.updated_at.isoformat(),
                    "message": f"Đã lưu bản nháp lúc {_local_time(draft.updated_at)}."})


@bp.post("/modeler/deploy")
def modeler_deploy():
    """Check and deploy the diagram as the next version; 422 with the problems when refused."""
    try:
        deployed = get_engine().modeling.deploy(current_actor(), _xml_body())
    except DefinitionError as exc:
        return jsonify({"ok": False, "problems": _problems(exc.problems),
                        "message": "Chưa triển khai được: còn lỗi trong mô hình."}), 422
    except ChithiError as exc:
        return json_error(exc)
    created = [d for d in deployed if d.created]
    message = ("; ".join(f"Đã triển khai «{d.name}», phiên bản {d.version}" for d in created) if created
               else "Mô hình giống hệt phiên bản đang có: không tạo phiên bản mới.")
    main = deployed[0]
    return jsonify({"ok": True, "message": message,
                    "versions": [{"process_id": d.process_id, "version": d.version, "created": d.created}
                                 for d in deployed],
                    "process_url": url_for("admin.process", process_id=main.process_id)}), 201 if created else 200


def _local_time(moment) -> str:
    from ..filters import vn_datetime

    return vn_datetime(moment)


@bp.post("/modeler/form")
def modeler_form():
    """A user task's form YAML read by the engine's form rules: {"fields": [...]} or {"error": ...}."""
    from engine.kernel.forms import parse_form

    body = request.get_json(silent=True)
    text = body.get("yaml") if isinstance(body, dict) else None
    if not isinstance(text, str) or len(text) > 100_000:
        return jsonify({"error": "Gửi biểu mẫu dạng văn bản YAML"}), 400
    try:
        fields = parse_form(text)
    except ValueError as exc:
        return jsonify({"error": f"Biểu mẫu sai: {exc}"})
    return jsonify({"fields": [f.to_dict() for f in fields]})
