"""Step helpers and the documents of a directive's life: the extras each kind needs from the running step, rendering
with engine.documents and storing with DocumentStore (linked to directive, instance, element and
register entry). Letters (transmittal, reminder, chasing) get their own công văn number."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..directory.models import Body, head_title
from ..documents import DocumentStore
from ..documents.kinds import file_name
from ..kernel.calendar import local_date
from ..kernel.errors import NotFound
from ..kernel.models import User
from ..kernel.services import StepContext
from ..model.codec import directive_from_dict
from ..model.directive import TYPE_NAMES, Directive, Instrument, Side, Signature
from ..registers import issue_number, load_party_terms, outgoing_page
from ..registers.models import IncomingEntry, OutgoingEntry, PartyTerm
from .store import DIRECTIVE, RESPONSE_KINDS, DirectiveRow, get_directive, list_comments

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


def _letter_number(call: StepContext, did: int, d: Directive, kind: str, addressee: str,
                   signature: Signature | None = None) -> OutgoingEntry:
    """A công văn number of the issuer for a letter about the directive (registered as outgoing)."""
    if d.side is Side.PARTY:
        ensure_party_terms(call.session, d.issuer_code)
    subject = f"V/v {NUMBERED_LETTERS[kind]} ({addressee})"
    return issue_number(call.session, issuer_code=d.issuer_code, instrument=Instrument.CONG_VAN, side=d.side,
                        on=local_date(call.now), subject=subject,
                        signer=(signature or d.signature).name or "—", directive_id=did,
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


def archive_line(d: Directive) -> str:
    """The Lưu line of the directive's Nơi nhận (the one written, else the one generated)."""
    written = next((r.text for r in d.recipients if r.is_archive), None)
    if written:
        return written
    if d.side is Side.STATE:
        return f"Lưu: VT, {d.drafting_unit}"
    return "Lưu Văn phòng Thành ủy" if "THÀNH ỦY" in d.issuer_name.upper() else "Lưu Văn phòng Tỉnh ủy"


def register_contents(d: Directive, dispatched_by: str | None, on: date | None = None) -> dict[str, Any]:
    """The contents of NĐ 30/2020 Phụ lục IV.I besides number, date, subject, signer and Nơi nhận:
    who keeps the archive copies, how many copies are made, when and to whom it was handed."""
    holder = archive_line(d).removeprefix("Lưu:").removeprefix("Lưu").strip(" .;,")
    archive_copies = len([h for h in holder.split(",") if h.strip()]) if d.side is Side.STATE else 1
    sent = [r for r in d.recipients if not r.is_archive]
    return {"archive_holder": holder, "copies": len(sent) + archive_copies, "dispatched_on": on,
            "received_by": dispatched_by}


def type_word_of_series(series: str) -> str:
    """"Chỉ thị", "Công văn"… for a register series (the instrument's abbreviation)."""
    try:
        instrument = Instrument(series)
    except ValueError:
        return "Văn bản"
    return "Công văn" if instrument is Instrument.CONG_VAN else TYPE_NAMES.get(instrument, "Văn bản").capitalize()


def outgoing_rows(entries: list[OutgoingEntry]) -> list[dict[str, Any]]:
    """Register rows (the ten contents of Phụ lục IV.I) of outgoing entries, as printed."""
    return [{"number_symbol": e.number_text, "date": f"{e.issued_on:%d/%m/%Y}",
             "type_subject": f"{type_word_of_series(e.series)} {e.subject}", "signer": e.signer,
             "recipients": "; ".join(e.recipients or []), "archive_holder": e.archive_holder or "",
             "copies": e.copies or "", "dispatched_on": f"{e.dispatched_on:%d/%m/%Y}" if e.dispatched_on else "",
             "received_by": e.received_by or "",
             "note": f"Đã hủy: {e.cancel_reason}" if e.status == "cancelled" else (e.note or "")}
            for e in entries]


def _register_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    entry = call.session.get(OutgoingEntry, row.outgoing_entry_id)
    if entry is None:
        raise NotFound("chỉ thị chưa được vào sổ văn bản đi (no outgoing register entry)")
    period = int(entry.period) if entry.period.isdigit() else entry.period
    rows = outgoing_rows(outgoing_page(call.session, d.issuer_code, period))
    return {"rows": rows, "year": entry.issued_on.year, "printed_on": local_date(call.now)}, entry.id


def incoming_info(session, entry: IncomingEntry) -> dict[str, Any]:
    """What the Phiếu giải quyết văn bản đến prints of an incoming entry."""
    return {"document_type": entry.document_type or "Văn bản", "number_symbol": entry.number_symbol,
            "document_date": entry.document_date, "sender": entry.sender, "subject": entry.subject,
            "arrival_number": entry.arrival_number, "received_on": entry.received_on,
            "lead": entry.handling_unit_name or entry.handling_unit,
            "partners": [u.get("name") or u.get("code") for u in entry.partner_units or []],
            "deadline": entry.deadline, "instruction": entry.instruction, "leader": entry.assigned_by,
            "assigned_on": entry.assigned_on}


def _incoming_slip_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    entry = call.session.get(IncomingEntry, (call.data.get("incoming") or {}).get("entry_id"))
    if entry is None:
        raise NotFound("không có văn bản đến của hồ sơ này")
    info = incoming_info(call.session, entry)
    proposal = opts.get("proposal")
    if proposal:
        info.update(proposal=proposal, proposer=person_name(call, call.actor), proposed_on=local_date(call.now),
                    handler=person_name(call, call.actor))
    return {"incoming": info, "issued_on": entry.assigned_on or local_date(call.now)}, None


def consultation_rows(session, did: int, body_names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The consultation comments of a directive with the drafter's handling, for the summary table."""
    names = body_names or {}
    rows = []
    for c in list_comments(session, did):
        if c.stage != "consultation":
            continue
        body = (names.get(c.body_code) or _body_name(session, c.body_code)) if c.body_code else c.actor
        rows.append({"body": body, "comment": c.text, "handling": RESPONSE_KINDS.get(c.response_kind or "", ""),
                     "response": c.response or "", "comment_id": c.id})
    return rows


def _body_name(session, code: str | None) -> str:
    body = session.get(Body, code) if code else None
    return body.name if body is not None else (code or "")


def _consultation_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    rows = [r for r in consultation_rows(call.session, did) if r["handling"]]
    return {"rows": rows, "issued_on": local_date(call.now)}, None


def _letter_extras(call: StepContext, did: int, d: Directive, kind: str,
                   signature: Signature | None = None) -> tuple[dict[str, Any], OutgoingEntry, str]:
    item = call.data.get("item") or {}
    addressee = item.get("body_name") or "Các cơ quan, đơn vị"
    entry = _letter_number(call, did, d, kind, addressee, signature)
    extra: dict[str, Any] = {"number": entry.number, "issued_on": entry.issued_on}
    if signature is not None:
        extra["signature"] = signature
    return extra, entry, addressee


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


def chasing_facts(call: StepContext, addressee: str) -> dict[str, Any]:
    """What a công văn đôn đốc of the running period says: whom, which report, due, days late, new due."""
    period = call.data["period"]
    due = _due_date(period["due_at"])
    return {"addressee": addressee, "report_name": REPORT_NAME, "period": period["label"], "due_date": due,
            "days_late": max(1, (local_date(call.now) - due).days), "new_due_date": _due_date(period["escalate_at"])}


def _chasing_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    extra, entry, addressee = _letter_extras(call, did, d, "chasing_letter", opts.get("signature"))
    extra.update(chasing_facts(call, addressee))
    if opts.get("text"):  # the text the drafter reviewed
        extra["paragraphs"] = [p.strip() for p in str(opts["text"]).splitlines() if p.strip()]
    return extra, entry.id


BODY_NUMBER = re.compile(r"^\s*(\d+)\s*(?:/\s*[A-ZĐ]+\s*-\s*(.+?))?\s*$", re.IGNORECASE)


def body_number_parts(text: str | None) -> tuple[int | None, str | None]:
    """(number, symbol) of a body's own report number: "12" → (12, None); "12/BC-SGDĐT" → (12, "SGDĐT")."""
    found = BODY_NUMBER.match(text or "")
    if not found:
        return None, None
    return int(found.group(1)), (found.group(2) or "").strip().upper() or None


def _body_report_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    data, today = call.data, local_date(call.now)
    item, period = data["item"], data["period"]
    number, symbol = body_number_parts(data.get("body_number"))
    body_date = data.get("body_date")
    dated = date.fromisoformat(body_date) if isinstance(body_date, str) and body_date else today
    count = item.get("count") or len((data.get("plan") or {}).get("periods") or []) or "?"
    return {"body_name": item["body_name"].upper(), "body_symbol": symbol or _body_symbol(call, item["body_code"]),
            "parent_name": "", "period": period["label"], "issued_on": dated, "number": number,
            "paragraphs": [p for p in str(data.get("content") or "").splitlines() if p.strip()],
            "figures": [{"label": "Kỳ báo cáo", "value": f"{int(period['index']) + 1}/{count}"},
                        {"label": "Hạn gửi báo cáo", "value": f"{_due_date(period['due_at']):%d/%m/%Y}"},
                        {"label": "Ngày gửi", "value": f"{today:%d/%m/%Y}"}],
            "signature": body_head(call.session, item["body_code"])}, None


def body_head(session, code: str) -> dict[str, Any]:
    """The signature block of a body's report: its head as the directory names them (engine/directory),
    else the title its kind gives (Giám đốc Sở, Trưởng ban…) without a name."""
    body = session.get(Body, code)
    title = head_title(body.kind if body is not None else "")
    name = (body.head_name if body is not None else None) or ""
    return {"authority": None, "title": ((body.head_title if body is not None else None) or title).upper(),
            "name": name}


def _consolidated_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    today = local_date(call.now)
    return {"rows": opts["rows"], "issued_on": today,
            "paragraphs": [f"Tổng hợp báo cáo của các cơ quan, đơn vị được giao nhiệm vụ đến ngày "
                           f"{today:%d/%m/%Y}.", _figures(call, did)]}, None


def _figures(call: StepContext, did: int) -> str:
    from .tracking import directive_rates, rates_sentence

    return rates_sentence(directive_rates(call.session, did, call.now))


def _closeout_extras(call: StepContext, did: int, row: Any, d: Directive, opts: dict) -> Extras:
    from .followup import report_rows  # the live facts at this moment, not the consolidated report's copy

    return {"rows": report_rows(call.session, did, call.now), "issued_on": local_date(call.now),
            "paragraphs": [p for p in str(call.data.get("summary") or "").splitlines() if p.strip()]
            + [_figures(call, did)]}, None


# What a step of the directive's life gives each kind of engine/documents/kinds.py (one entry per kind).
STEP_EXTRAS: dict[str, Callable[[StepContext, int, Any, Directive, dict], Extras]] = {
    "submission_slip": _slip_extras, "directive_draft": _directive_extras, "directive_final": _final_extras,
    "transmittal_letter": _transmittal_extras, "reminder_letter": _reminder_extras,
    "chasing_letter": _chasing_extras, "body_report": _body_report_extras,
    "consolidated_report": _consolidated_extras, "closeout_report": _closeout_extras,
    "register_page": _register_extras,
    "incoming_slip": _incoming_slip_extras, "consultation_summary": _consultation_extras,
}


def generate(call: StepContext, did: int, row, d: Directive, kind: str, **opts) -> dict:
    """Render `kind` for the directive in this step and store it; returns its id, version and hash."""
    extra, entry_id = STEP_EXTRAS[kind](call, did, row, d, opts)
    doc = DocumentStore().generate(call.session, kind, d, actor=call.actor, now=call.now, directive_id=did,
                                   instance_id=call.instance_id, task_ref=f"{call.process_id}:{call.element_id}",
                                   register_entry_id=entry_id,
                                   filename=_filename(kind, d, call, opts, extra, entry_id), **extra)
    return {"document_id": doc.id, "kind": kind, "version": doc.version, "sha256": doc.sha256,
            "register_entry_id": entry_id}


def _filename(kind: str, d: Directive, call: StepContext, opts: dict, extra: dict, entry_id: int | None) -> str:
    """Named as offices name files (engine/documents/kinds.py: file_name): type, number, short subject,
    and what tells this one apart (the draft's round, the body and period of a letter or report)."""
    item = call.data.get("item") or {}
    period = call.data.get("period") or {}
    number_text, detail = None, None
    if kind == "directive_final":
        number_text = d.number_text
    elif kind == "directive_draft":
        detail = f"lần {d.draft_number}" if d.draft_number else None
    elif kind in NUMBERED_LETTERS:
        entry = call.session.get(OutgoingEntry, entry_id) if entry_id else None
        number_text = entry.number_text if entry is not None else None
        what = "nhắc xác nhận" if opts.get("what") == "ack" else NUMBERED_LETTERS[kind]
        whom = ", ".join(x for x in (item.get("body_name"), f"kỳ {int(period['index']) + 1}" if period else "") if x)
        detail = f"{what.capitalize()}{f' ({whom})' if whom else ''}"
    elif kind == "body_report":
        detail = ", ".join(x for x in (item.get("body_name"), f"kỳ {int(period['index']) + 1}" if period else "")
                           if x)
    elif kind == "register_page":
        detail = f"năm {extra.get('year')}" if extra.get("year") else None
    elif kind == "incoming_slip":
        detail = (extra.get("incoming") or {}).get("number_symbol")
    return file_name(kind, d, number_text=number_text, detail=detail)
