"""Sổ văn bản: the registers an office keeps under NĐ 30/2020 Phụ lục IV — outgoing (I), incoming
(VI) and the follow-up of incoming documents (VIII) — shown with the decree's columns and printed
as .docx pages. The rows and who may read them come from the engine (engine/directives/lookup.py)."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template, request

from engine.directives.lookup import OFFICE_ROLES, REGISTERS, register_docx, register_rows, require_registers
from engine.documents.blocks import FOLLOWUP_COLUMNS, INCOMING_COLUMNS, OUTGOING_COLUMNS
from engine.documents.store import DOCX_MIME
from engine.kernel.calendar import local_date

from ..auth import current_actor, login_required
from ..context import get_engine
from ..documents.pages import content_disposition
from ..errors import WebError
from ..features import NavLink, WebFeature
from ..params import db_int

bp = Blueprint("registers", __name__, url_prefix="/registers")
COLUMNS = {"outgoing": OUTGOING_COLUMNS, "incoming": INCOMING_COLUMNS, "followup": FOLLOWUP_COLUMNS}


def _args() -> tuple[str, int]:
    which = request.args.get("which", "incoming")
    if which not in REGISTERS:
        raise WebError(404, "not_found")
    year = request.args.get("year", type=db_int) or local_date(get_engine().clock.now()).year
    if not 1945 <= year <= 2200:
        raise WebError(400, "bad_request", "Năm không hợp lệ.")
    return which, year


@bp.get("")
@login_required
def index():
    """One register of the actor's office for one year, with the decree's columns."""
    which, year = _args()
    actor = current_actor()
    require_registers(actor)
    rows = register_rows(get_engine(), actor, which, year)
    return render_template("registers/index.html", which=which, year=year, rows=rows, registers=REGISTERS,
                           columns=COLUMNS[which])


@bp.get("/print")
@login_required
def download():
    """The register printed as a .docx page (the template in force)."""
    which, year = _args()
    filename, data = register_docx(get_engine(), current_actor(), which, year)
    return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": content_disposition(filename)})


def _init_app(app: Flask) -> None:
    app.register_blueprint(bp)


FEATURE = WebFeature(
    "registers", _init_app,
    nav=(NavLink("Sổ văn bản", "registers.index", "nav-registers",
                 lambda actor: bool(actor.body_code) and (bool(OFFICE_ROLES & set(actor.roles)) or actor.is_admin)),),
)
