"""Đổi mật khẩu: every user changes their own password. Every session of the account ends (a copy
of an old cookie stops working); the browser in use gets a fresh session and stays logged in."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.kernel.errors import FormError

from ..auth import current_actor, login_required, start_session
from ..context import get_engine

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/password", methods=("GET", "POST"))
@login_required
def password():
    """The form (nothing typed is echoed back: these are passwords), then the change."""
    actor = current_actor()
    if request.method == "GET":
        return render_template("admin/password.html", errors={})
    try:
        get_engine().accounts.change_own_password(actor.username, request.form.get("current_password", ""),
                                                  request.form.get("new_password", ""),
                                                  request.form.get("confirm_password", ""))
    except FormError as exc:
        errors = {p.field: p.message for p in exc.fields}
        return render_template("admin/password.html", errors=errors,
                               alert="Chưa đổi được mật khẩu: xem các ô được đánh dấu."), 422
    start_session(actor.username)
    flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn (máy khác, trình duyệt khác) đã kết thúc.", "success")
    return redirect(url_for("tasks.inbox"))
