"""JSON API of process definitions: administrators upload BPMN (checked before anything is stored)
and list what is deployed; administrators (who model) may check a model without storing it —
throttled per person and in total by the engine (Modeling.check).

POST /api/definitions takes the BPMN XML as the body (Content-Type application/xml or
text/xml, plus an X-Requested-With header as every scripted POST to /api). A refused model answers
422 with one problem per element: {"problems": [{"element_id", "message", "line"}]}.
"""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Flask, jsonify, request

from engine.kernel.accounts import require_admin

from .auth import current_actor, login_required
from .context import get_engine
from .errors import WebError

bp = Blueprint("definitions_api", __name__, url_prefix="/api/definitions")

MAX_BPMN = 5 * 1024 * 1024


def _xml_body() -> tuple[bytes, str]:
    if (request.content_length or 0) > MAX_BPMN:
        raise WebError(413, "too_large", "Tệp BPMN lớn hơn 5 MB.")
    data = request.get_data(cache=False)
    if not data.strip():
        raise WebError(400, "bad_request", "Gửi nội dung BPMN (XML) trong thân yêu cầu.")
    return data, request.args.get("source") or "upload"


def _definition_json(d) -> dict:
    out = asdict(d)
    out["deployed_at"] = d.deployed_at.isoformat()
    return out


@bp.get("")
@login_required
def index():
    """Every deployed definition version."""
    return jsonify([_definition_json(d) for d in get_engine().list_definitions()])


@bp.post("")
@login_required
def deploy():
    """Deploy a BPMN document (admin); 201 with the versions created (200 if all were already there)."""
    actor = current_actor()
    require_admin(actor, "triển khai quy trình")  # before the body is read
    data, source = _xml_body()
    deployed = get_engine().modeling.upload(actor, data, source)
    response = jsonify([_definition_json(d) for d in deployed])
    response.status_code = 201 if any(d.created for d in deployed) else 200
    return response


@bp.post("/check")
@login_required
def check():
    """Check a BPMN document without storing it: {"ok": bool, "problems": [...]}."""
    actor = current_actor()
    require_admin(actor, "kiểm tra mô hình quy trình")  # before the body is read
    data, source = _xml_body()
    problems = get_engine().modeling.check(actor, data, source)
    return jsonify({"ok": not problems, "problems": [
        {"element_id": p.element_id, "message": p.message, "line": p.line} for p in problems]})


def openapi_paths() -> dict:
    """The OpenAPI path items of this blueprint (relative to /api)."""
    problems = {"type": "object", "properties": {
        "ok": {"type": "boolean"},
        "problems": {"type": "array", "items": {"type": "object", "properties": {
            "element_id": {"type": ["string", "null"]}, "message": {"type": "string"},
            "line": {"type": ["integer", "null"]}}}}}}
    xml_body = {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}}
    definitions = {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "process_id": {"type": "string"}, "name": {"type": "string"},
        "version": {"type": "integer"}, "content_hash": {"type": "string"}, "deployed_at": {"type": "string"},
        "source": {"type": "string"}, "created": {"type": "boolean"}}}}
    listed = {"200": {"description": "definitions", "content": {"application/json": {"schema": definitions}}}}
    return {
        "/definitions": {
            "get": {"summary": "Deployed process definitions (every version)", "responses": listed},
            "post": {"summary": "Deploy a BPMN document (admin); every problem is reported with its element id",
                     "requestBody": xml_body,
                     "responses": {"201": {"description": "new versions stored",
                                           "content": {"application/json": {"schema": definitions}}},
                                   "200": {"description": "the same content was already deployed"},
                                   "403": {"description": "not an administrator"},
                                   "413": {"description": "larger than 5 MB"},
                                   "422": {"description": "the model was refused; problems per element"},
                                   "429": {"description": "more checks and deploys a minute than allowed"},
                                   "503": {"description": "too many checks at once; try again in a moment"}}},
        },
        "/definitions/check": {"post": {
            "summary": "Check a BPMN document without storing it", "requestBody": xml_body,
            "responses": {"200": {"description": "problems found (empty when fine)",
                                  "content": {"application/json": {"schema": problems}}},
                          "403": {"description": "not an administrator"},
                          "413": {"description": "larger than 5 MB"},
                          "429": {"description": "more checks and deploys a minute than allowed"},
                          "503": {"description": "too many checks at once; try again in a moment"}}}},
    }


def init_app(app: Flask) -> None:
    """Register the definitions API blueprint and its OpenAPI paths."""
    from .openapi import register_openapi_paths

    app.register_blueprint(bp)
    register_openapi_paths(app, openapi_paths())
