"""Người dùng: administrators list, create and edit accounts (roles, body, title, signer), disable
and enable them, reset passwords. The rules (the last administrator stays, sessions end when an
account is disabled or its password reset) are the engine's: engine/kernel/accounts.py."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from engine.directory.admin import body_choices
from engine.kernel.accounts import AccountChanges
from engine.kernel.errors import FormError, InvalidState

from ..auth import current_actor
from ..context import get_engine
from .common import bp, reason_of


def _roles() -> dict[str, str]:
    return get_engine().accounts.known_roles


def _bodies() -> list[tuple[str, str]]:
    return body_choices(get_engine(), current_actor())


@bp.get("/users")
def users():
    """Every account, searchable, with roles, body and state."""
    eng, actor = get_engine(), current_actor()
    search, role = request.args.get("q", "")[:100], request.args.get("role") or None
    state = request.args.get("state", "")
    active = {"active": True, "disabled": False}.get(state)
    accounts = eng.accounts.list_accounts(actor, search=search, role=role, active=active)
    return render_template("admin/users.html", accounts=accounts, roles=_roles(), body_names=dict(_bodies()),
                           search=search, role=role or "", state=state)


def _form_values(form) -> dict:
    return {"username": form.get("username", "").strip(), "full_name": form.get("full_name", ""),
            "roles": [r for r in form.getlist("roles") if r], "body_code": form.get("body_code", ""),
            "title": form.get("title", ""), "signer": form.get("signer") == "on"}


def _render_form(account, values, errors=None, alert=None, status=200):
    return render_template("admin/user_form.html", account=account, values=values, errors=errors or {},
                           alert=alert, roles=_roles(), bodies=_bodies()), status


@bp.route("/users/new", methods=("GET", "POST"))
def user_new():
    """Create an account: every problem shown next to its field, what was typed kept."""
    if request.method == "GET":
        return _render_form(None, {"roles": [], "signer": False})
    values = _form_values(request.form)
    try:
        get_engine().accounts.create_user(values["username"], values["full_name"], request.form.get("password", ""),
                                          values["roles"], values["body_code"] or None, title=values["title"],
                                          signer=values["signer"], actor=current_actor(),
                                          confirm=request.form.get("confirm_password", ""))
    except FormError as exc:
        return _render_form(None, values, {p.field: p.message for p in exc.fields},
                            "Chưa tạo được tài khoản: xem các ô được đánh dấu.", 422)
    flash(f"Đã tạo tài khoản {values['username']} ({values['full_name'].strip()}).", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=("GET", "POST"))
def user_edit(user_id: int):
    """One account: its details (POST saves them), disabling and the password reset."""
    eng, actor = get_engine(), current_actor()
    account = eng.accounts.account(actor, user_id)
    if request.method == "GET":
        values = {"full_name": account.full_name, "roles": list(account.roles), "body_code": account.body_code or "",
                  "title": account.title or "", "signer": account.signer}
        return _render_form(account, values)
    values = _form_values(request.form)
    changes = AccountChanges(full_name=values["full_name"], roles=values["roles"],
                             body_code=values["body_code"] or None, clear_body=not values["body_code"],
                             title=values["title"], signer=values["signer"])
    try:
        eng.accounts.update_user(actor, user_id, changes)
    except FormError as exc:
        return _render_form(account, values, {p.field: p.message for p in exc.fields},
                            "Chưa lưu được: xem các ô được đánh dấu.", 422)
    flash(f"Đã lưu tài khoản {account.username}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Disable (its sessions end at once) or enable an account, with a reason."""
    eng, actor = get_engine(), current_actor()
    account = eng.accounts.account(actor, user_id)
    enable = request.form.get("active") == "1"
    try:
        eng.accounts.set_active(actor, user_id, enable, reason_of(request.form))
    except InvalidState as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.user_edit", user_id=user_id))
    flash(f"Đã {'mở khóa' if enable else 'khóa'} tài khoản {account.username}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    """Set a new password for an account (its sessions end)."""
    eng, actor = get_engine(), current_actor()
    account = eng.accounts.account(actor, user_id)
    try:
        eng.accounts.reset_password(actor, user_id, request.form.get("new_password", ""),
                                    request.form.get("confirm_password", ""))
    except FormError as exc:
        values = {"full_name": account.full_name, "roles": list(account.roles), "body_code": account.body_code or "",
                  "title": account.title or "", "signer": account.signer}
        return _render_form(account, values, {p.field: p.message for p in exc.fields},
                            "Chưa đặt lại được mật khẩu: xem các ô được đánh dấu.", 422)
    flash(f"Đã đặt lại mật khẩu của {account.username}; các phiên đăng nhập của tài khoản này đã kết thúc.",
          "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
