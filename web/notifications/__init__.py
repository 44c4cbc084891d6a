"""Thông báo: the person's notifications (new tasks, deadlines near or passed) with the unread count
in the top bar, marking them read, and the e-mail preference. The outbox and its sweep are the
engine's (engine/notifications); e-mail goes through the SMTP server of CHITHI_SMTP_* (README)."""
from __future__ import annotations

import re

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for

from engine.notifications import service
from engine.notifications.mailer import SmtpConfig

from ..auth import current_actor, login_required
from ..context import get_engine
from ..features import NavLink, WebFeature
from ..params import page_number

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 50
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,250}\.[^@\s.]{2,}$")
KIND_LABELS = {"new_task": "Việc mới", "near_due": "Sắp đến hạn", "overdue": "Quá hạn"}
EMAIL_LABELS = {"none": "Chỉ trong hệ thống", "pending": "Đang chờ gửi e-mail", "sending": "Đang gửi e-mail",
                "sent": "Đã gửi e-mail", "failed": "Không gửi được e-mail", "cancelled": "Không cần gửi nữa"}


@bp.get("")
@login_required
def index():
    """My notifications, newest first."""
    page = min(request.args.get("page", 1, type=page_number), 10_000)
    eng, actor = get_engine(), current_actor()
    rows = service.list_for(eng, actor.username, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("notifications/index.html", notes=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE,
                           page=page, kinds=KIND_LABELS, email_labels=EMAIL_LABELS,
                           unread=service.unread_count(eng, actor.username))


@bp.post("/<int:note_id>/open")
@login_required
def open_note(note_id: int):
    """Mark one notification read and go to what it is about."""
    eng, actor = get_engine(), current_actor()
    note = service.get_for(eng, actor.username, note_id)
    if note is None:
        abort(404)
    service.mark_read(eng, actor.username, note_id)
    return redirect(note.link if note.link and note.link.startswith("/") else url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    changed = service.mark_read(get_engine(), current_actor().username)
    flash(f"Đã đánh dấu {changed} thông báo là đã đọc.", "info")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=("GET", "POST"))
@login_required
def preferences():
    """Which notifications also come by e-mail, and to which address."""
    eng, actor = get_engine(), current_actor()
    errors: dict[str, str] = {}
    if request.method == "POST":
        email = (request.form.get("email") or "").strip()
        pref = service.Preference(email=email, on_new_task=bool(request.form.get("on_new_task")),
                                  on_near_due=bool(request.form.get("on_near_due")),
                                  on_overdue=bool(request.form.get("on_overdue")))
        if email and (len(email) > 300 or not EMAIL_RE.match(email)):
            errors["email"] = "Địa chỉ e-mail không hợp lệ (ví dụ: ten@ubnd.langson.gov.vn)"
        if not errors:
            service.save_preference(eng, actor.username, pref)
            flash("Đã lưu cách nhận thông báo.", "success")
            return redirect(url_for("notifications.preferences"))
        return render_template("notifications/preferences.html", pref=pref, errors=errors,
                               smtp=SmtpConfig.from_env() is not None), 400
    return render_template("notifications/preferences.html", pref=service.preference(eng, actor.username),
                           errors=errors, smtp=SmtpConfig.from_env() is not None)


def _init_app(app: Flask) -> None:
    app.register_blueprint(bp)


FEATURE = WebFeature(
    "notifications", _init_app,
    nav=(NavLink("Thông báo", "notifications.index", "nav-notifications",
                 badge=lambda actor: service.unread_count(get_engine(), actor.username)),),
)
