"""Cross-site request forgery guard. HTML forms carry a per-session token in a hidden field;
the JSON API instead requires a JSON body or an X-Requested-With header, which a plain cross-site
form cannot send."""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from .context import wants_json
from .errors import WebError

SESSION_KEY = "csrf_token"
FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token() -> str:
    """This session's token (created on first use); templates put it in every POST form."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate_token() -> None:
    """Forget the token, so a new one is made (after login and logout)."""
    session.pop(SESSION_KEY, None)


def _api_request_is_scripted() -> bool:
    if request.headers.get("X-Requested-With"):
        return True
    return (request.mimetype or "") == "application/json"


def _form_token_matches() -> bool:
    expected = session.get(SESSION_KEY)
    given = request.form.get(FIELD_NAME) or request.headers.get(HEADER_NAME) or ""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def protect() -> None:
    """Refuse an unsafe request without a valid token (HTML) or scripted marker (API)."""
    if request.method not in UNSAFE_METHODS:
        return
    if wants_json(request.path):
        if not _api_request_is_scripted():
            raise WebError(403, "csrf", "POST requests to /api need a JSON body or an X-Requested-With header.")
        return
    if not _form_token_matches():
        raise WebError(400, "csrf")


def init_app(app: Flask) -> None:
    """Check every request and expose csrf_token() to templates."""
    app.before_request(protect)
    app.jinja_env.globals["csrf_token"] = csrf_token
