"""JSON API of directives: import a description (starts its life) and read one back.

POST /api/directives takes the description format (engine/directives/schema.json, FORMAT.md) as a
JSON body, or YAML with Content-Type application/yaml (plus an X-Requested-With header, as every
scripted POST to /api); a national-only description (`national` + `receiver`) is registered as an
incoming document and starts at intake; a description with a number and an issue date (issued
elsewhere) starts at follow-up. Repeated imports and bodies dissolved on the directive's date are
refused (422, the successor named).
"""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request

from engine.directives.life import directive_summary, import_directive
from engine.directives.policy import require_import

from ..auth import current_actor, login_required
from ..context import get_engine
from ..errors import WebError

bp = Blueprint("directives_api", __name__, url_prefix="/api/directives")

YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
MAX_BODY = 2 * 1024 * 1024


@bp.post("")
@login_required
def create():
    """Create a directive from a description and start its life; 201 with its ids."""
    actor = current_actor()
    require_import(actor)  # the issuer of this description is checked by import_directive
    if (request.content_length or 0) > MAX_BODY:
        raise WebError(413, "too_large", "The description is larger than 2 MB.")
    if (request.mimetype or "") in YAML_TYPES:
        source, fmt = request.get_data(as_text=True), "yaml"
    else:
        source, fmt = request.get_json(silent=True), "json"
        if not isinstance(source, dict):
            raise WebError(400, "bad_request", "Send the description as a JSON object or as application/yaml.")
    eng = get_engine()
    directive_id, instance_id = import_directive(eng, source, actor=actor, fmt=fmt)
    body = {"directive_id": directive_id, "instance_id": instance_id,
            "start": start_of(eng.get_instance(instance_id).process_id,
                              directive_summary(eng, directive_id, actor=actor)["stage"])}
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = f"/api/directives/{directive_id}"
    return response


def start_of(process_id: str, stage: str) -> str:
    """Where an imported directive's life starts: intake, drafting or (issued elsewhere) follow-up."""
    if process_id == "directive_intake":
        return "intake"
    return "drafting" if stage in ("drafting", "intake") else "following_up"


@bp.get("/<int:directive_id>")
@login_required
def show(directive_id: int):
    """One directive: header, stage, assignments, comments (returns kept) and documents."""
    return jsonify(directive_summary(get_engine(), directive_id, actor=current_actor()))


DIRECTIVE_ID = {"name": "directive_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ERROR_RESPONSES = {code: {"$ref": f"#/components/responses/{name}"}
                   for code, name in (("401", "Unauthorized"), ("403", "Forbidden"), ("404", "NotFound"))}


def openapi_paths() -> dict:
    """The OpenAPI path items of this blueprint (relative to /api)."""
    created = {"type": "object", "properties": {
        "directive_id": {"type": "integer"},
        "instance_id": {"type": "integer"}, "start": {"enum": ["drafting", "intake", "following_up"]}}}
    summary = {"type": "object", "description": "header, stage, assignments, documents the caller may read; "
                                                "the issuing office also gets comments and signature. An "
                                                "assigned body or consulted department gets `scope` and only "
                                                "its own assignment (engine/directives/access.py)",
               "properties": {"id": {"type": "integer"}, "stage": {"type": "string"},
                              "number": {"type": ["integer", "null"]}, "symbol": {"type": "string"},
                              "subject": {"type": "string"}, "assignments": {"type": "array"},
                              "comments": {"type": "array"}, "documents": {"type": "array"},
                              "scope": {"enum": ["assigned", "consulted"]}}}
    return {
        "/directives": {"post": {
            "summary": "Import a directive description and start its life (clerk, records clerk, unit head, admin)",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"type": "object", "description": "engine/directives/schema.json"}},
                "application/yaml": {"schema": {"type": "string"}}}},
            "responses": {"201": {"description": "created; Location names the directive",
                                  "content": {"application/json": {"schema": created}}},
                          "400": {"description": "the body is neither a JSON object nor YAML"},
                          "413": {"description": "description larger than 2 MB"},
                          "422": {"$ref": "#/components/responses/InvalidForm"}, **ERROR_RESPONSES},
        }},
        "/directives/{directive_id}": {"get": {
            "summary": "One directive as the caller may see it",
            "parameters": [DIRECTIVE_ID],
            "responses": {"200": {"description": "the directive", "content": {"application/json": {"schema": summary}}},
                          **ERROR_RESPONSES},
        }},
    }


def init_app(app: Flask) -> None:
    """Register the directives API blueprint and its OpenAPI paths."""
    from ..openapi import register_openapi_paths

    app.register_blueprint(bp)
    register_openapi_paths(app, openapi_paths())
