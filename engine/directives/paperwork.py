"""Step helpers and the documents of a directive's life: the extras each kind needs from the running step, rendering
with engine.documents and storing with DocumentStore (linked to directive, instance, element and
register entry). Letters (transmittal, reminder, chasing) get their own công văn number."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..documents import DocumentStore
from ..errors import NotFound
from ..registers import issue_number, load_party_terms, outgoing_page
from ..registers.models import OutgoingEntry, PartyTerm
from ..services import ServiceCall
from .model import Directive, Instrument, Side
from .reports import VIETNAM
from .codec import directive_from_dict
from .store import DirectiveRow, get_directive

NUMBERED_LETTERS = {"transmittal_letter": "gửi văn bản", "reminder_letter": "nhắc gửi báo cáo",
                    "chasing_letter": "đôn đốc gửi báo cáo"}
ACK_REPORT = "văn bản xác nhận đã nhận nhiệm vụ"
REPORT_NAME = "báo cáo kết quả thực hiện"


def vn_date(moment: datetime) -> date:
    """The calendar date in Vietnam at `moment`."""
    return moment.astimezone(VIETNAM).date()


def directive_id_of(call: ServiceCall) -> int:
    """The directive of the running instance (its row, else the `directive_id` in its data)."""
    did = call.instance.directive_id or call.data.get("directive_id")
    if not did:
        raise NotFound("hồ sơ quy trình này chưa gắn với chỉ thị nào (no directive_id)")
    return int(did)


def load_for_step(call: ServiceCall) -> tuple[int, DirectiveRow, Directive]:
    """(id, row, Directive) of the running instance's directive."""
    did = directive_id_of(call)
    row, directive = get_directive(call.session, did)
    return did, row, directive


HEADER_SKIPS = ("assignments", "sections", "recipients", "preamble", "closing", "legal_basis")


def directive_header(row: DirectiveRow) -> dict:
    """The directive's dict without its long parts: what a body's follow-up needs for its letters."""
    return {k: v for k, v in row.data.items() if k not in HEADER_SKIPS}


def load_for_body_step(call: ServiceCall) -> tuple[int, None, Directive]:
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
    return vn_date(datetime.fromisoformat(iso))


def _letter_number(call: ServiceCall, did: int, d: Directive, kind: str, addressee: str) -> OutgoingEntry:
    """A công văn number of the issuer for a letter about the directive (registered as outgoing)."""
    if d.side is Side.PARTY:
        ensure_party_terms(call.session, d.issuer_code)
    subject = f"V/v {NUMBERED_LETTERS[kind]} ({addressee})"
    return issue_number(call.session, issuer_code=d.issuer_code, instrument=Instrument.CONG_VAN, side=d.side,
                        on=vn_date(call.now), subject=subject, signer=d.signature.name or "—", directive_id=did,
                        actor=call.actor, recipients=[addressee], issuer_symbol=d.issuer_symbol,
                        drafting_unit=d.drafting_unit, now=call.now)


def person_name(call: ServiceCall, username: str) -> str:
    """The full name of an account (as printed on documents), else the username."""
    from ..models import User

    name = call.session.scalar(select(User.full_name).where(User.username == username))
    return name or username


def _body_symbol(call: ServiceCall, code: str) -> str:
    from ..directory.models import Body

    body = call.session.get(Body, code)
    return (body.symbol if body is not None and body.symbol else code.split(".")[-1]).upper()


def _extras(call: ServiceCall, did: int, row, d: Directive, kind: str, opts: dict) -> tuple[dict, int | None]:
    data, today = call.data, vn_date(call.now)
    if kind in ("directive_draft", "directive_final"):
        return {}, row.outgoing_entry_id if kind == "directive_final" else None
    if kind == "submission_slip":
        draft = data.get("draft") or {}
        return {"drafter": person_name(call, draft.get("drafter") or call.actor), "issued_on": today,
                "reviewers": [{"name": person_name(call, call.actor), "role": "Lãnh đạo đơn vị soạn thảo",
                               "opinion": data.get("comment") or "Đồng ý, kính trình."}]}, None
    if kind == "register_page":
        entry = call.session.get(OutgoingEntry, row.outgoing_entry_id)
        period = int(entry.period) if entry.period.isdigit() else entry.period
        rows = [{"number": e.number, "date": e.issued_on.strftime("%d/%m/%Y"), "symbol": e.symbol,
                 "subject": e.subject, "signer": e.signer, "recipients": "; ".join(e.recipients or []),
                 "status": "" if e.status == "issued" else "Đã hủy"}
                for e in outgoing_page(call.session, d.issuer_code, period)]
        return {"rows": rows, "year": entry.issued_on.year, "printed_on": today}, entry.id
    if kind in NUMBERED_LETTERS:
        item = data.get("item") or {}
        addressee = item.get("body_name") or "Các cơ quan, đơn vị"
        entry = _letter_number(call, did, d, kind, addressee)
        extra = {"number": entry.number, "issued_on": entry.issued_on}
        if kind == "reminder_letter" and opts.get("what") == "ack":
            extra.update(addressee=addressee, report_name=ACK_REPORT, due_date=_due_date(item["ack_remind_at"]))
        elif kind in ("reminder_letter", "chasing_letter"):
            period = data["period"]
            extra.update(addressee=addressee, report_name=REPORT_NAME, period=period["label"],
                         due_date=_due_date(period["due_at"]))
            if kind == "chasing_letter":
                extra.update(days_late=max(1, (today - _due_date(period["due_at"])).days),
                             new_due_date=_due_date(period["escalate_at"]))
        return extra, entry.id
    if kind == "body_report":
        item, period = data["item"], data["period"]
        return {"body_name": item["body_name"].upper(), "body_symbol": _body_symbol(call, item["body_code"]),
                "parent_name": "", "period": period["label"], "issued_on": today,
                "paragraphs": [p for p in str(data.get("content") or "").splitlines() if p.strip()],
                "figures": [{"label": "Kỳ báo cáo", "value": f"{int(period['index']) + 1}/{len(data['plan']['periods'])}"},
                            {"label": "Hạn gửi báo cáo", "value": f"{_due_date(period['due_at']):%d/%m/%Y}"},
                            {"label": "Ngày gửi", "value": f"{today:%d/%m/%Y}"}],
                "signature": {"authority": None, "title": "THỦ TRƯỞNG CƠ QUAN", "name": person_name(call, call.actor)}}, None
    if kind == "consolidated_report":
        return {"rows": opts["rows"], "issued_on": today,
                "paragraphs": [f"Tổng hợp báo cáo của các cơ quan, đơn vị được giao nhiệm vụ đến ngày "
                               f"{today:%d/%m/%Y}."]}, None
    if kind == "closeout_report":
        agg = data.get("aggregate") or {}
        return {"rows": agg.get("rows", []), "issued_on": today,
                "paragraphs": [p for p in str(data.get("summary") or "").splitlines() if p.strip()]}, None
    return {}, None


def generate(call: ServiceCall, did: int, row, d: Directive, kind: str, **opts) -> dict:
    """Render `kind` for the directive in this step and store it; returns its id, version and hash."""
    extra, entry_id = _extras(call, did, row, d, kind, opts)
    doc = DocumentStore().generate(call.session, kind, d, actor=call.actor, now=call.now, directive_id=did,
                                   instance_id=call.instance.id,
                                   task_ref=f"{call.instance.process_id}:{call.element_id}",
                                   register_entry_id=entry_id, filename=_filename(kind, d, call, opts), **extra)
    return {"document_id": doc.id, "kind": kind, "version": doc.version, "sha256": doc.sha256,
            "register_entry_id": entry_id}


def _filename(kind: str, d: Directive, call: ServiceCall, opts: dict) -> str:
    item = call.data.get("item") or {}
    about_body = kind in ("body_report", "reminder_letter", "chasing_letter")
    who = f"-{item['body_code']}" if about_body and item.get("body_code") else ""
    period = call.data.get("period") or {}
    when = f"-k{int(period['index']) + 1}" if period and kind in ("body_report", "reminder_letter",
                                                                   "chasing_letter") else ""
    if opts.get("what") == "ack":
        when = "-xacnhan"
    stamp = vn_date(call.now).strftime("%Y%m%d")
    return f"{stamp}-{kind}{who}{when}.docx"
