"""What the pages look up besides a directive: bodies for the directory pickers (valid on a date,
accent-insensitive), and the registers an office keeps (NĐ 30/2020 Phụ lục IV), as rows and as
printable .docx pages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..directory.models import Body
from ..directory.service import find_bodies, printed_name
from ..documents import DocumentStore, build_context, render_document
from ..documents.context import incoming_title
from ..documents.kinds import file_name
from ..kernel.accounts import Actor
from ..kernel.calendar import local_date
from ..kernel.errors import PermissionDenied
from ..model.directive import Directive, Instrument, Signature, number_text
from ..registers import incoming_page, outgoing_page
from ..registers.models import IncomingEntry
from . import store
from .issuers import issuer_profile
from .paperwork import outgoing_rows

MAX_RESULTS = 20
SCOPES = ("province", "national", "all")


@dataclass(frozen=True)
class BodyChoice:
    """A body a picker offers."""

    code: str
    name: str  # the directory name ("Sở Y tế tỉnh Lạng Sơn")
    printed: str  # as a document names it ("Sở Y tế")
    province: str | None
    kind: str


def search_bodies(engine, text: str, on: date, *, province: str | None = None, scope: str = "all",
                  limit: int = MAX_RESULTS) -> list[BodyChoice]:
    """Bodies valid on `on` whose name or short name contains `text`, ignoring accents and case;
    `scope` "province" keeps the bodies of `province`, "national" the national ones, "all" both."""
    text = (text or "")[:100]
    with engine.db.session() as s:
        found = find_bodies(s, text, on)
        out = []
        for b in found:
            if scope == "province" and b.province != province:
                continue
            if scope == "national" and b.province is not None:
                continue
            if scope == "all" and province and b.province not in (province, None):
                continue
            out.append(BodyChoice(b.code, b.name, printed_name(b), b.province, b.kind))
            if len(out) >= max(1, min(limit, 50)):
                break
        return out


def body_names(engine, codes: list[str]) -> dict[str, str]:
    """Printed names of directory codes (a code not in the directory maps to itself)."""
    wanted = [c for c in dict.fromkeys(codes) if c][:500]
    if not wanted:
        return {}
    with engine.db.session() as s:
        found = {b.code: printed_name(b) for b in s.scalars(select(Body).where(Body.code.in_(wanted)))}
    return {c: found.get(c, c) for c in wanted}


# ------------------------------------------------------------------ registers

OFFICE_ROLES = frozenset({"clerk", "records_clerk", "unit_head", "leader", "office_reviewer"})
REGISTERS = {"outgoing": ("register_page", "Sổ đăng ký văn bản đi"),
             "incoming": ("incoming_register_page", "Sổ đăng ký văn bản đến"),
             "followup": ("incoming_followup_page", "Sổ theo dõi giải quyết văn bản đến")}


def require_registers(actor: Actor) -> str:
    """The body whose registers `actor` keeps or reads (its office's people); PermissionDenied else."""
    if actor.body_code and (OFFICE_ROLES & set(actor.roles) or actor.is_admin):
        return actor.body_code
    raise PermissionDenied("Sổ văn bản chỉ dành cho cán bộ của cơ quan (văn thư, chuyên viên, lãnh đạo)")


def _incoming_rows(entries: list[IncomingEntry]) -> list[dict]:
    return [{"received_on": f"{e.received_on:%d/%m/%Y}", "arrival_number": e.arrival_number, "sender": e.sender,
             "number_symbol": e.number_symbol, "document_date": f"{e.document_date:%d/%m/%Y}",
             "type_subject": f"{e.document_type or 'Văn bản'} {e.subject}",
             "handler": e.handling_unit_name or e.handling_unit or "",
             "assigned_on": f"{e.assigned_on:%d/%m/%Y}" if e.assigned_on else "", "received_by": e.received_by or "",
             "note": e.urgency or e.note or "", "directive_id": e.directive_id, "entry_id": e.id,
             "has_file": e.file_sha256 is not None}
            for e in entries]


PROGRESS = {"intake": "Chờ ý kiến chỉ đạo", "drafting": "Đang soạn thảo văn bản trả lời",
            "consultation": "Đang lấy ý kiến góp ý", "review": "Đang thẩm định", "signing": "Đang trình ký"}


def _followup_rows(s, entries: list[IncomingEntry]) -> list[dict]:
    rows = []
    for e in entries:
        directive = s.get(store.DirectiveRow, e.directive_id) if e.directive_id else None
        reply, progress = "", "Chưa giao xử lý" if not e.handling_unit else "Đang xử lý"
        if directive is not None:
            progress = PROGRESS.get(directive.stage, "Đã ban hành văn bản trả lời")
            if directive.number is not None and directive.issued_on is not None:
                reply = f"{number_text(directive.side, directive.number, directive.symbol)} ngày " \
                        f"{directive.issued_on:%d/%m/%Y}"
        if e.progress:
            progress = e.progress
        rows.append({"arrival_number": e.arrival_number,
                     "document": incoming_title({"document_type": e.document_type, "number_symbol": e.number_symbol,
                                                 "document_date": e.document_date, "sender": e.sender}),
                     "handler": e.handling_unit_name or e.handling_unit or "",
                     "deadline": f"{e.deadline:%d/%m/%Y}" if e.deadline else "", "progress": progress,
                     "reply": e.reply_ref or reply, "note": e.note or "", "directive_id": e.directive_id})
    return rows


def register_rows(engine, actor: Actor, which: str, year: int) -> list[dict]:
    """The rows of one register of the actor's office for a year (outgoing, incoming, followup)."""
    code = require_registers(actor)
    with engine.db.session() as s:
        if which == "outgoing":
            return outgoing_rows(outgoing_page(s, code, year))
        entries = incoming_page(s, code, year)
        return _incoming_rows(entries) if which == "incoming" else _followup_rows(s, entries)


def register_docx(engine, actor: Actor, which: str, year: int) -> tuple[str, bytes]:
    """The register printed as a .docx page (file name, bytes), with the template in force."""
    kind, title = REGISTERS[which]
    rows = register_rows(engine, actor, which, year)
    code = require_registers(actor)
    with engine.db.session() as s:
        profile = issuer_profile(s, code)
        header = Directive(side=profile.side, instrument=Instrument.CONG_VAN, issuer_code=code,
                           issuer_name=profile.printed_name, issuer_symbol=profile.symbol, place=profile.place,
                           subject=title, signature=Signature(None, "", ""),
                           parent_issuer_name=profile.parent_printed_name, drafting_unit=profile.default_unit)
        today = local_date(engine.clock.now())
        context = build_context(kind, header, rows=rows, year=year, printed_on=today)
        template = DocumentStore().active_template(s, kind, profile.side.value)
        data = render_document(kind, context, template_bytes=template)
    return file_name(kind, header, detail=f"năm {year}"), data
