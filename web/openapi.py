"""The OpenAPI 3.1 document of /api, written by hand to match web/api.py. Other API blueprints
add their own paths with `register_openapi_paths(app, {...})` in their init_app."""
from __future__ import annotations

from .params import MAX_OFFSET

EXTENSION_KEY = "chithi_openapi_paths"


def register_openapi_paths(app, paths: dict) -> None:
    """Add path items (keys relative to /api, e.g. "/directives/{directive_id}") to the document."""
    app.extensions.setdefault(EXTENSION_KEY, {}).update(paths)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _schemas() -> dict:
    nullable_str = {"type": ["string", "null"]}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "description": "machine code, e.g. conflict, invalid_form"},
                "message": {"type": "string"},
                "message_vi": {"type": "string", "description": "the sentence shown to people"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "field name → what is wrong (invalid_form)"},
            },
        },
        "FormField": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "label": {"type": "string"},
                "type": {"enum": ["text", "textarea", "choice", "date", "number", "bool"]},
                "required": {"type": "boolean"},
                "options": {"type": "array", "items": {"type": "array", "items": {"type": "string"},
                                                       "minItems": 2, "maxItems": 2}},
                "default": {},
                "help": nullable_str,
            },
        },
        "Task": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "instance_id": {"type": "integer"},
                "element_id": {"type": "string"}, "name": {"type": "string"},
                "lane": nullable_str, "candidate_role": nullable_str, "body_code": nullable_str,
                "assignee": nullable_str, "status": {"type": "string"},
                "due_at": nullable_time, "created_at": {"type": "string", "format": "date-time"},
                "business_key": nullable_str, "process_id": {"type": "string"}, "process_name": nullable_str,
                "documentation": nullable_str,
                "form": {"type": "array", "items": _ref("FormField")},
                "context": {"type": "array", "description": "[label, value] pairs recorded by earlier steps",
                            "items": {"type": "array", "items": {"type": "string"}}},
            },
        },
        "Instance": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"}, "process_id": {"type": "string"},
                "business_key": nullable_str,
                "status": {"enum": ["running", "completed", "error", "suspended", "terminated"]},
                "version": {"type": "integer"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "completed_at": nullable_time, "next_timer_at": nullable_time,
                "error_message": nullable_str,
                "ready_tasks": {"type": "array", "items": _ref("Task")},
            },
        },
        "Actor": {
            "type": "object",
            "properties": {"username": {"type": "string"}, "full_name": {"type": "string"},
                           "roles": {"type": "array", "items": {"type": "string"}},
                           "body_code": nullable_str},
        },
    }


def _paths() -> dict:
    task = _json(_ref("Task"), "the task")
    instance = _json(_ref("Instance"), "the instance")
    conflict = {"$ref": "#/components/responses/Conflict"}
    return {
        "/me": {"get": {"summary": "The logged-in user", "responses": {"200": _json(_ref("Actor"), "me"), **ERRORS}}},
        "/tasks": {"get": {
            "summary": "My inbox: ready tasks I may act on",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                             "maximum": MAX_OFFSET}},
            ],
            "responses": {"200": _json({"type": "object", "properties": {
                "tasks": {"type": "array", "items": _ref("Task")},
                "limit": {"type": "integer"}, "offset": {"type": "integer"}}}, "the inbox"), **ERRORS},
        }},
        "/tasks/{task_id}": {"get": {"summary": "One task with its form", "parameters": [TASK_ID],
                                     "responses": {"200": task, **ERRORS}}},
        "/tasks/{task_id}/claim": {"post": {"summary": "Claim a task", "parameters": [TASK_ID],
                                            "responses": {"200": task, "409": conflict, **ERRORS}}},
        "/tasks/{task_id}/release": {"post": {"summary": "Release a claimed task", "parameters": [TASK_ID],
                                              "responses": {"200": task, "409": conflict, **ERRORS}}},
        "/tasks/{task_id}/complete": {"post": {
            "summary": "Complete a task; the body is the form data",
            "parameters": [TASK_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": instance, "409": conflict,
                          "422": {"$ref": "#/components/responses/InvalidForm"}, **ERRORS},
        }},
        "/instances/{instance_id}": {"get": {
            "summary": "One process instance",
            "parameters": [{"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": instance, **ERRORS},
        }},
        "/processes/{process_id}/instances": {"post": {
            "summary": "Start an instance of a deployed process (admin role)",
            "parameters": [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "business_key": {"type": "string"}, "body_code": {"type": "string"},
                "data": {"type": "object"}}}}}},
            "responses": {"201": instance, **ERRORS},
        }},
    }


def openapi_document(extra_paths: dict | None = None) -> dict:
    """The OpenAPI document served at /api/openapi.json, with paths other blueprints registered."""
    error = _json(_ref("Error"), "error")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chithi API",
            "version": "0.1.0",
            "description": "Inbox and task actions of the chithi workflow engine. POST requests need a "
                           "JSON body (Content-Type: application/json) or an X-Requested-With header.",
        },
        "servers": [{"url": "/api"}],
        "security": [{"session": []}, {"basic": []}],
        "paths": {**_paths(), **(extra_paths or {})},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "chithi_session"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "responses": {
                "BadRequest": {**error, "description": "the request itself is malformed (a number out of range, "
                                                       "a body that is not JSON…); the message says what"},
                "Unauthorized": {**error, "description": "not logged in"},
                "Forbidden": {**error, "description": "not allowed"},
                "NotFound": {**error, "description": "does not exist, or not visible to you"},
                "Conflict": {**error, "description": "someone else changed it first; nothing applied"},
                "InvalidForm": {**error, "description": "form values refused; see fields"},
            },
        },
    }
