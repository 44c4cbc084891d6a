"""Nhật ký: the audit log filtered by person, directive, instance, action and dates, and the
verification of its hash chain from the page, naming the first broken event."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request

from engine.directives.life import list_visible
from engine.kernel.accounts import SYSTEM
from engine.kernel.audit import AuditFilter
from engine.kernel.calendar import OFFICE_TZ

from ..auth import current_actor
from ..context import get_engine
from ..params import optional_db_int
from .common import PAGE_SIZE, bp, page_number
from .labels import ACTIONS, CHAIN_BREAKS

MACHINES = {"system": "Hệ thống", "scheduler": "Bộ hẹn giờ"}


def _day(text: str) -> date | None:
    text = (text or "").strip()
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return date(y, m, d)
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start_of(day: date | None) -> datetime | None:
    """The first moment of an office day (Vietnam time), for the date filters."""
    return datetime.combine(day, time(0), OFFICE_TZ) if day else None


def _label(d: dict) -> str:
    number = f"{d['number']}/{d.get('symbol') or ''}" if d.get("number") else "Dự thảo"
    return f"{number} — {' '.join(str(d.get('subject') or '').split())[:90]}"


@bp.get("/audit")
def audit():
    """One page of the log, newest first, with the filters; ?verify=1 also checks the whole chain."""
    eng, actor = get_engine(), current_actor()
    args = {k: request.args.get(k, "").strip()[:200] for k in ("user", "directive", "instance", "action", "from", "to")}
    errors = {}
    since, until = _day(args["from"]), _day(args["to"])
    if args["from"] and since is None:
        errors["from"] = "Ngày không hợp lệ (viết dd/mm/yyyy)"
    if args["to"] and until is None:
        errors["to"] = "Ngày không hợp lệ (viết dd/mm/yyyy)"
    instance = optional_db_int(args["instance"])
    if args["instance"] and instance is None:
        errors["instance"] = "Nhập số hồ sơ (chỉ gồm chữ số)"
    directive = optional_db_int(args["directive"])
    f = AuditFilter(actor=args["user"] or None, action=args["action"] or None,
                    instance_ids=[instance] if instance is not None else None, since=_start_of(since),
                    until=_start_of(until + timedelta(days=1)) if until else None)
    page = page_number()
    events = eng.admin.audit_events(actor, f, ref=("directive", directive) if directive is not None else None,
                                    limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    accounts = eng.accounts.list_accounts(actor)
    names = {a.username: a.full_name for a in accounts} | MACHINES
    verification = None
    if request.args.get("verify"):
        report, broken, checked_at = eng.admin.audit_report(actor)
        verification = {"report": report, "broken": broken, "checked_at": checked_at,
                        "reason": CHAIN_BREAKS.get(report.code or "", report.reason or "")}
    directives = list_visible(eng, SYSTEM if actor.is_admin else actor, limit=500)
    return render_template("admin/audit.html", events=events[:PAGE_SIZE], has_more=len(events) > PAGE_SIZE,
                           page=page, args=args, errors=errors, actions=ACTIONS, names=names, accounts=accounts,
                           machines=MACHINES, directives=[(d["id"], _label(d)) for d in directives],
                           verification=verification)
