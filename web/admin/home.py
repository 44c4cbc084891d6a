"""Tổng quan quản trị: what needs an administrator now (instances in error first) and the way to
each administration page."""
from __future__ import annotations

from flask import render_template

from ..auth import current_actor
from ..context import get_engine
from .common import bp


@bp.get("")
def home():
    """Counts by state, the instances in error (the longest-failing first), links to every page."""
    eng, actor = get_engine(), current_actor()
    errors = eng.admin.errors(actor, limit=10)
    counts = {status: eng.admin.count(actor, status=status) for status in ("running", "error", "suspended")}
    processes = eng.modeling.processes(actor)
    return render_template("admin/home.html", errors=errors, counts=counts, processes=processes,
                           now=eng.clock.now())
