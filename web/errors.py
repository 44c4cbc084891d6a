"""The one place where engine errors and HTTP errors become responses: JSON under /api,
a Vietnamese page everywhere else. Transactions belong to the engine; nothing is rolled back here."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.kernel.errors import ChithiError

from .context import wants_json

log = logging.getLogger(__name__)

# What a person reads for each engine error code.
MESSAGES_VI = {
    "not_found": "Không tìm thấy nội dung yêu cầu, hoặc bạn không có quyền xem.",
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "conflict": "Việc này đã được người khác xử lý.",
    "invalid_state": "Hồ sơ đang tạm dừng hoặc đã kết thúc nên không thể xử lý.",
    "invalid_form": "Vui lòng kiểm tra lại các trường được đánh dấu.",
    "invalid_definition": "Quy trình BPMN không hợp lệ.",
    "invalid_expression": "Biểu thức trong quy trình không hợp lệ.",
    "csrf": "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.",
    "unauthorized": "Vui lòng đăng nhập.",
    "too_many_attempts": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
    "bad_request": "Yêu cầu không hợp lệ.",
    "too_large": "Dữ liệu gửi lên quá lớn.",
    "method_not_allowed": "Thao tác không được hỗ trợ.",
    "unreadable_instance": "Không tải được dữ liệu của hồ sơ này; quản trị viên cần khôi phục hồ sơ.",
    "busy": "Hệ thống đang bận; vui lòng thử lại sau giây lát.",
    "too_many_requests": "Bạn đã gửi quá nhiều yêu cầu; vui lòng chờ một phút rồi thử lại.",
    "server_error": "Đã có lỗi trong hệ thống. Vui lòng thử lại sau.",
    "error": "Không thực hiện được thao tác.",
}

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "too_many_attempts"}


class WebError(HTTPException):
    """An HTTP error raised by the web layer itself, with a machine code (e.g. csrf)."""

    def __init__(self, status: int, code: str, message: str | None = None):
        super().__init__(description=message or MESSAGES_VI.get(code, MESSAGES_VI["error"]))
        self.code = status
        self.error_code = code


def message_for(exc: ChithiError) -> str:
    """The Vietnamese sentence shown to a person for an engine error."""
    return MESSAGES_VI.get(exc.code, MESSAGES_VI["error"])


def error_payload(exc: ChithiError) -> dict:
    """The JSON body of an engine error: {"error", "message", "fields", ...}."""
    body = dict(exc.to_dict())
    body.setdefault("fields", {})
    body.setdefault("message_vi", message_for(exc))
    return body


def render_error_page(status: int, code: str, message: str, **context):
    """The HTML error page, with the status it answers with."""
    return render_template("error.html", status=status, code=code, message=message, **context), status


def _on_engine_error(exc: ChithiError):
    if wants_json(request.path):
        return jsonify(error_payload(exc)), exc.http_status
    return render_error_page(exc.http_status, exc.code, message_for(exc))


def _on_http_error(exc: HTTPException):
    status = exc.code or 500
    code = getattr(exc, "error_code", None) or HTTP_CODES.get(status, "error")
    message = exc.description if isinstance(exc, WebError) else MESSAGES_VI.get(code, MESSAGES_VI["error"])
    if wants_json(request.path):
        response = jsonify({"error": code, "message": message, "fields": {}})
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="chithi", charset="UTF-8"'
        return response
    return render_error_page(status, code, message or MESSAGES_VI["error"])


def _on_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return _on_http_error(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    if wants_json(request.path):
        return jsonify({"error": "server_error", "message": MESSAGES_VI["server_error"], "fields": {}}), 500
    return render_error_page(500, "server_error", MESSAGES_VI["server_error"])


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(ChithiError, _on_engine_error)
    app.register_error_handler(HTTPException, _on_http_error)
    if not app.testing:
        # In tests unexpected errors propagate, so a failing test shows the real traceback.
        app.register_error_handler(Exception, _on_unexpected)
