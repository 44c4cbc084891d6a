"""Đăng nhập: session login with local accounts, HTTP Basic for API scripts, login throttling,
and the login_required decorator every other blueprint uses."""
from __future__ import annotations

import functools
import threading
from collections import deque
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, current_app, flash, g, redirect, render_template, request, session, url_for

from engine.kernel.accounts import MAX_PASSWORD, MAX_USERNAME
from engine.kernel.errors import ChithiError

from .context import get_engine, wants_json
from .csrf import rotate_token
from .errors import WebError

bp = Blueprint("auth", __name__)

FAILED_LOGIN = "Sai tên đăng nhập hoặc mật khẩu"
SESSION_TOKEN = "sid"  # the cookie holds a random token; the server keeps (the hash of) it until the session ends


class LoginThrottle:
    """Counts failed logins per (username, address) in a sliding window; lives in this process only.

    Memory is bounded: a key whose failures have all left the window is forgotten, and at most
    `max_keys` keys are kept (the stalest go first)."""

    def __init__(self, max_failures: int, window: timedelta, max_keys: int = 10_000):
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[tuple[str, str], deque] = {}  # insertion order: least recently failed first
        self._lock = threading.Lock()
        self._next_sweep = None

    def _recent(self, key: tuple[str, str], now) -> deque:
        times = self._failures.get(key) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def _sweep(self, now) -> None:
        """Forget keys with no failure inside the window (at most once per window, or when full)."""
        if len(self._failures) < self.max_keys and self._next_sweep is not None and now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        for key in [k for k, times in self._failures.items() if not times or now - times[-1] >= self.window]:
            del self._failures[key]
        while len(self._failures) >= self.max_keys:
            del self._failures[next(iter(self._failures))]

    def blocked(self, key: tuple[str, str], now) -> bool:
        """True when this key has used up its failures within the window."""
        with self._lock:
            return len(self._recent(key, now)) >= self.max_failures

    def failed(self, key: tuple[str, str], now) -> None:
        """Record one failed attempt."""
        with self._lock:
            times = self._recent(key, now)
            self._failures.pop(key, None)
            self._sweep(now)
            times.append(now)
            self._failures[key] = times

    def succeeded(self, key: tuple[str, str]) -> None:
        """Forget the failures of a key that logged in."""
        with self._lock:
            self._failures.pop(key, None)

    def __len__(self) -> int:
        return len(self._failures)


def current_actor():
    """The logged-in Actor of this request, or None."""
    return g.get("actor")


def login_required(view):
    """Send anonymous visitors to the login page (401 JSON on the API)."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_actor() is None:
            if wants_json(request.path):
                raise WebError(401, "unauthorized")
            login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
            if request.headers.get("HX-Request"):  # htmx would swap the login page into a fragment
                return "", 204, {"HX-Redirect": login_url}
            return redirect(login_url)
        return view(*args, **kwargs)

    return wrapped


def _throttle() -> LoginThrottle:
    return current_app.extensions["chithi_login_throttle"]


def _throttle_key(username: str) -> tuple[str, str]:
    return (username.strip().lower(), request.remote_addr or "")


def check_password(username: str, password: str):
    """Authenticate with throttling: the Actor, or None; raises WebError(429) when blocked and
    WebError(400) for a username or password longer than any account can have (before any work)."""
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        raise WebError(400, "bad_request", f"Tên đăng nhập (tối đa {MAX_USERNAME} ký tự) hoặc mật khẩu "
                                           f"(tối đa {MAX_PASSWORD} ký tự) quá dài.")
    eng = get_engine()
    key = _throttle_key(username)
    now = eng.clock.now()
    if _throttle().blocked(key, now):
        raise WebError(429, "too_many_attempts")
    actor = eng.accounts.authenticate(username.strip(), password) if username and password else None
    if actor is None:
        _throttle().failed(key, now)
        return None
    _throttle().succeeded(key)
    return actor


def safe_next(target: str | None) -> str:
    """Where to go after login: a same-site path ("/x?y=1") or else the inbox. A browser drops tabs
    and newlines from a URL and reads a backslash as a slash, so "/\t/evil.example" would leave the site:
    any control character, backslash, a second leading slash, a scheme or a host sends to the inbox."""
    if target and len(target) <= 2048 and all(_same_site(text) for text in (target, unquote(target))):
        return target
    return url_for("tasks.inbox")


def _same_site(path: str) -> bool:
    if not (path.startswith("/") and path[1:2] != "/" and "\\" not in path and path.isprintable()):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def start_session(username: str) -> None:
    """Open a server-side session for `username` and keep its token in a fresh cookie."""
    session.clear()  # a fresh session on login: no fixation, new CSRF token
    session.permanent = True
    session[SESSION_TOKEN] = get_engine().accounts.start_session(username, current_app.permanent_session_lifetime)


def load_actor() -> None:
    """Resolve the request's Actor from its server-side session, or from HTTP Basic on the API.
    A session that was ended (logout, password change, account disabled) or expired logs no one in."""
    g.actor = None
    token = session.get(SESSION_TOKEN)
    if token:
        g.actor = get_engine().accounts.session_actor(str(token))
        if g.actor is None:
            session.clear()
        return
    basic = request.authorization
    if wants_json(request.path) and basic is not None and basic.type == "basic":
        g.actor = check_password(basic.username or "", basic.password or "")
        if g.actor is None:
            raise WebError(401, "unauthorized", FAILED_LOGIN)


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Đăng nhập: show the form, or check the password and start a session."""
    if request.method == "GET" and current_actor() is not None:
        return redirect(safe_next(request.args.get("next")))
    username = request.form.get("username", "")
    error, status = None, 200
    if request.method == "POST":
        try:
            actor = check_password(username, request.form.get("password", ""))
        except WebError as exc:  # throttled or oversized: same page, with the reason
            actor, error, status = None, exc.description, exc.code
            username = username[:MAX_USERNAME]
        except ChithiError as exc:  # too many logins being checked at once
            actor, error, status = None, str(exc), exc.http_status
        if actor is not None:
            start_session(actor.username)
            flash(f"Xin chào, {actor.full_name}.", "success")
            return redirect(safe_next(request.form.get("next")))
        if error is None:
            error, status = FAILED_LOGIN, 401
    return render_template("auth/login.html", username=username, error=error,
                           next=safe_next(request.values.get("next"))), status


@bp.post("/logout")
def logout():
    """Đăng xuất: end the session on the server (a copy of the cookie no longer works) and here."""
    token = session.get(SESSION_TOKEN)
    if token:
        get_engine().accounts.end_session(str(token))
    session.clear()
    rotate_token()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register the blueprint, the per-request actor loader and the login throttle."""
    app.extensions["chithi_login_throttle"] = LoginThrottle(
        app.config["LOGIN_MAX_FAILURES"], timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"])
    )
    app.before_request(load_actor)
    app.jinja_env.globals["current_actor"] = current_actor
    app.register_blueprint(bp)
