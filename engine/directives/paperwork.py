"""Step helpers and the documents of a directive's life: the extras each kind needs from the running step, rendering
with engine.documents and storing with DocumentStore (linked to directive, instance, element and
register entry). Letters (transmittal, reminder, chasing) get their own công văn number."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..directory.models import Body
from ..documents import KINDS, DocumentStore
from ..kernel.calendar import local_date
from ..kernel.errors import NotFound
from ..kernel.models import User
from ..kernel.services import StepContext
from ..model.codec import directive_from_dict
from ..model.directive import Directive, Instrument, Side
from ..registers import issue_number, load_party_terms, outgoing_page
from ..registers.models import OutgoingEntry, PartyTerm
from .store import DIRECTIVE, DirectiveRow, get_directive

NUMBERED_LETTERS = {"transmittal_letter": "gửi văn bản", "reminder_letter": "nhắc gửi báo cáo",
                    "chasing_letter": "đôn đốc gửi báo cáo"}
ACK_REPORT = "văn bản xác nhận đã nhận nhiệm vụ"
REPORT_NAME = "báo cáo kết quả thực hiện"


def directive_id_of(call: StepContext) -> int:
    """The directive the running instance serves (its business reference)."""
    ref_type, did = call.ref
    if ref_type != DIRECTIVE or not did:
        raise NotFound("hồ sơ quy trình này chưa gắn với chỉ thị nào (no directive_id)")
    return int(did)


def load_for_step(call: StepContext) -> tuple[int, DirectiveRow, Directive]:
    """(id, row, Directive) of the running instance's directive."""
    did = directive_id_of(call)
    row, directive = get_directive(call.session, did)
    return did, row, directive


HEADER_SKIPS = ("assignments", "sections", "recipients", "preamble", "closing", "legal_basis")


def directive_header(row: DirectiveRow) -> dict:
    """The directive's dict without its long parts: what a body's follow-up needs for its letters."""
    return {k: v for k, v in row.data.items() if k not in HEADER_SKIPS}


def load_for_body_step(call: StepContext) -> tuple[int, None, Directive]:
    """(id, None, Directive header) from the follow-up item, without reading the directive row, so
    a body's step costs the same whatever the number of assigned bodies."""
    header = (call.data.get("item") or {}).get("header")
    if header is None:
        did, _row, directive = load_for_step(call)
        return did, None, directive
    return directive_id_of(call), None, directive_from_dict(header)


def ensure_party_terms(session, issuer_code: str) -> None:
    """Load the shipped Party Committee terms when none is recorded for this issuer yet."""
    if session.scalar(select(PartyTerm.id).where(PartyTerm.issuer_code == issuer_code).limit(1)) is None:
        load_party_terms(session)


def _due_date(iso: str) -> date:
    return local_date(datetime.fromisoformat(iso))


def _letter_number(call: StepContext, did: int, d: Directive, kind: str, addressee: str) -> OutgoingEntry:
    """A công văn number of the issuer for a letter about the directive (registered as outgoing)."""
    if d.side is Side.PARTY:
        ensure_party_terms(call.session, d.issuer_code)
    subject = f"V/v {NUMBERED_LETTERS[kind]} ({addressee})"
    return issue_number(call.session, issuer_code=d.issuer_code, instrument=Instrument.CONG_VAN, side=d.side,
                        on=local_date(call.now), subject=subject, signer=d.signature.name or "—", directive_id=did,
                        actor=call.actor, recipients=[addressee], issuer_symbol=d.issuer_symbol,
                        drafting_unit=d.drafting_unit, now=call.now)


def person_name(call: StepContext, username: str) -> str:
    """The full name of an account (as printed on documents), else the username."""
    name = call.session.scalar(select(User.full_name).where(User.username == username))
    return name or username


def _body_symbol(call: StepContext, code: str) -> str:
    body = call.session.get(Body, code)
    return (body.symbol if body is not None and body.symbol else code.split(".")[-1]).upper()


Extras = tuple[dict[str, Any], int | None]  # build_context extras, and the register entry to link


def _directive_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    return {}, None


def _final_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    return {}, row.outgoing_entry_id


def _slip_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    draft = call.data.get("draft") or {}
    return {"drafter": person_name(call, draft.get("drafter") or call.actor), "issued_on": local_date(call.now),
            "reviewers": [{"name": person_name(call, call.actor), "role": "Lãnh đạo đơn vị soạn thảo",
                           "opinion": call.data.get("comment") or "Đồng ý, kính trình."}]}, None


def _register_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    entry = call.session.get(OutgoingEntry, row.outgoing_entry_id)
    if entry is None:
        raise NotFound("chỉ thị chưa được vào sổ văn bản đi (no outgoing register entry)")
    period = int(entry.period) if entry.period.isdigit() else entry.period
    rows = [{"number": e.number, "date": e.issued_on.strftime("%d/%m/%Y"), "symbol": e.symbol,
             "subject": e.subject, "signer": e.signer, "recipients": "; ".join(e.recipients or []),
             "status": "" if e.status == "issued" else "Đã hủy"}
            for e in outgoing_page(call.session, d.issuer_code, period)]
    return {"rows": rows, "year": entry.issued_on.year, "printed_on": local_date(call.now)}, entry.id


def _letter_extras(call: StepContext, did: int, d: Directive, kind: str) -> tuple[dict[str, Any], OutgoingEntry, str]:
    item = call.data.get("item") or {}
    addressee = item.get("body_name") or "Các cơ quan, đơn vị"
    entry = _letter_number(call, did, d, kind, addressee)
    return {"number": entry.number, "issued_on": entry.issued_on}, entry, addressee


def _transmittal_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    extra, entry, _ = _letter_extras(call, did, d, "transmittal_letter")
    return extra, entry.id


def _reminder_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    extra, entry, addressee = _letter_extras(call, did, d, "reminder_letter")
    if opts.get("what") == "ack":
        ack_due = _due_date((call.data.get("item") or {})["ack_remind_at"])
        extra.update(addressee=addressee, report_name=ACK_REPORT, due_date=ack_due)
    else:
        period = call.data["period"]
        extra.update(addressee=addressee, report_name=REPORT_NAME, period=period["label"],
                     due_date=_due_date(period["due_at"]))
    return extra, entry.id


def _chasing_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    extra, entry, addressee = _letter_extras(call, did, d, "chasing_letter")
    period = call.data["period"]
    due = _due_date(period["due_at"])
    extra.update(addressee=addressee, report_name=REPORT_NAME, period=period["label"], due_date=due,
                 days_late=max(1, (local_date(call.now) - due).days),
                 new_due_date=_due_date(period["escalate_at"]))
    return extra, entry.id


def _body_report_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    data, today = call.data, local_date(call.now)
    item, period = data["item"], data["period"]
    return {"body_name": item["body_name"].upper(), "body_symbol": _body_symbol(call, item["body_code"]),
            "parent_name": "", "period": period["label"], "issued_on": today,
            "paragraphs": [p for p in str(data.get("content") or "").splitlines() if p.strip()],
            "figures": [{"label": "Kỳ báo cáo", "value": f"{int(period['index']) + 1}/{len(data['plan']['periods'])}"},
                        {"label": "Hạn gửi báo cáo", "value": f"{_due_date(period['due_at']):%d/%m/%Y}"},
                        {"label": "Ngày gửi", "value": f"{today:%d/%m/%Y}"}],
            "signature": {"authority": None, "title": "THỦ TRƯỞNG CƠ QUAN",
                          "name": person_name(call, call.actor)}}, None


def _consolidated_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    today = local_date(call.now)
    return {"rows": opts["rows"], "issued_on": today,
            "paragraphs": [f"Tổng hợp báo cáo của các cơ quan, đơn vị được giao nhiệm vụ đến ngày "
                           f"{today:%d/%m/%Y}."]}, None


def _closeout_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    agg = call.data.get("aggregate") or {}
    return {"rows": agg.get("rows", []), "issued_on": local_date(call.now),
            "paragraphs": [p for p in str(call.data.get("summary") or "").splitlines() if p.strip()]}, None


# What a step of the directive's life gives each kind of engine/documents/kinds.py (one entry per kind).
STEP_EXTRAS: dict[str, Callable[[StepContext, int, Any, Directive, dict], Extras]] = {
    "submission_slip": _slip_extras, "directive_draft": _directive_extras, "directive_final": _final_extras,
    "transmittal_letter": _transmittal_extras, "reminder_letter": _reminder_extras,
    "chasing_letter": _chasing_extras, "body_report": _body_report_extras,
    "consolidated_report": _consolidated_extras, "closeout_report": _closeout_extras,
    "register_page": _register_extras,
}


def generate(call: StepContext, did: int, row, d: Directive, kind: str, **opts) -> dict:
    """Render `kind` for the directive in this step and store it; returns its id, version and hash."""
    extra, entry_id = STEP_EXTRAS[kind](call, did, row, d, opts)
    doc = DocumentStore().generate(call.session, kind, d, actor=call.actor, now=call.now, directive_id=did,
                                   instance_id=call.instance_id, task_ref=f"{call.process_id}:{call.element_id}",
                                   register_entry_id=entry_id, filename=_filename(kind, d, call, opts), **extra)
    return {"document_id": doc.id, "kind": kind, "version": doc.version, "sha256": doc.sha256,
            "register_entry_id": entry_id}


def _filename(kind: str, d: Directive, call: StepContext, opts: dict) -> str:
    item = call.data.get("item") or {}
    about_body = kind in ("body_report", "reminder_letter", "chasing_letter")
    who = f"-{item['body_code']}" if about_body and item.get("body_code") else ""
    period = call.data.get("period") or {}
    when = f"-k{int(period['index']) + 1}" if period and kind in ("body_report", "reminder_letter",
                                                                   "chasing_letter") else ""
    if opts.get("what") == "ack":
        when = "-xacnhan"
    stamp = local_date(call.now).strftime("%Y%m%d")
    return f"{stamp}-{KINDS[kind].file_stem}{who}{when}.docx"
