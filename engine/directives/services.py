"""Service tasks of the directive models (workflows/directive_*.bpmn), registered by name.

Each function gets the step's `StepContext` (live session of the step: never commit) and the
evaluated parameters, reads what people entered from `call.data`, and returns a JSON-ready value
that lands in the task's result variable. This module holds intake, drafting, review, sign-off and
issuance; distribution and follow-up are in followup.py, documents in paperwork.py.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from ..kernel.calendar import end_of_day, local_date
from ..kernel.errors import FieldProblem, FormError
from ..kernel.services import ServiceRegistry, StepContext
from ..model.directive import Directive, DocumentRef, Instrument, Side, Signature
from ..registers import assign_incoming as _assign_incoming
from ..registers import issue_number as _issue_number
from ..registers import register_incoming as _register_incoming
from ..registers.models import IncomingEntry
from . import store
from .issuers import signature_from_key
from .paperwork import directive_id_of, ensure_party_terms, generate, load_for_step, person_name, register_contents

ROUTE_INSTRUMENT = {"party": Instrument.CHI_THI, "state": Instrument.CHI_THI, "cong_van": Instrument.CONG_VAN,
                    "ke_hoach": Instrument.KE_HOACH, "cong_dien": Instrument.CONG_DIEN}
INSTRUMENT_ROUTE = {Instrument.CONG_VAN: "cong_van", Instrument.KE_HOACH: "ke_hoach",
                    Instrument.CONG_DIEN: "cong_dien"}
DEFAULT_CONSULT_DAYS = 5


def route_of(d: Directive) -> str:
    """party | state | cong_van | ke_hoach | cong_dien."""
    if d.instrument in INSTRUMENT_ROUTE:
        return INSTRUMENT_ROUTE[d.instrument]
    return "party" if d.side is Side.PARTY else "state"


def _summary(did: int, d: Directive, chosen: bool) -> dict:
    return {"id": did, "route": route_of(d), "side": d.side.value, "instrument": d.instrument.value,
            "subject": " ".join(d.subject.split()), "issuer_code": d.issuer_code, "chosen": chosen}


def _parse_date(value, field: str) -> date:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise FormError([FieldProblem(field, "ngày phải theo dạng YYYY-MM-DD")]) from None


def _comments(call: StepContext, did: int) -> list[dict]:
    return [{"stage": c.stage, "actor": c.actor, "at": c.at.isoformat(), "text": c.text}
            for c in store.list_comments(call.session, did)]


# ------------------------------------------------------------------ intake


def register_incoming(call: StepContext, params: dict) -> dict:
    """Vào sổ văn bản đến: the national directive gets the receiver's next arrival number."""
    national, receiver = call.data["national"], call.data["receiver"]
    urgency = {"khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC"}.get(str(call.data.get("urgency")))
    entry = _register_incoming(
        call.session, receiver_code=receiver["issuer_code"],
        received_on=_parse_date(call.data["received_on"], "received_on"), sender=national["issuer"],
        number_symbol=f"{national['number']}/{national['symbol']}",
        document_date=_parse_date(national["date"], "date"), subject=national.get("subject") or "",
        actor=call.actor, sender_code=national.get("issuer_code"), urgency=urgency, now=call.now)
    return {"entry_id": entry.id, "arrival_number": entry.arrival_number}


def split_codes(value) -> list[str]:
    """Directory codes from a picker's value ("LS.CA, LS.SYT" or a list), in order, once each."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return list(dict.fromkeys(str(c).strip() for c in items if str(c).strip()))


def assign_incoming(call: StepContext, params: dict) -> dict:
    """Bút phê: record the lead unit (chủ trì), partner units (phối hợp), deadline and instruction on
    the incoming entry, and print the Phiếu giải quyết văn bản đến with them."""
    data = call.data
    lead = str(data.get("lead_unit") or data.get("handling_unit") or "")  # handling_unit: models before 0006
    partners = [{"code": c, "name": _body_name(call, c)} for c in split_codes(data.get("partner_units"))]
    entry = _assign_incoming(call.session, data["incoming"]["entry_id"], handling_unit=lead,
                             handling_unit_name=_body_name(call, lead), instruction=data.get("instruction"),
                             deadline=_parse_date(data["deadline"], "deadline"), partner_units=partners,
                             assigned_on=local_date(call.now), assigned_by=person_name(call, call.actor))
    out = {"handling_unit": entry.handling_unit, "handling_unit_name": entry.handling_unit_name,
           "partners": [p["name"] for p in partners],
           "deadline": entry.deadline.isoformat() if entry.deadline else None}
    if call.ref[0] == store.DIRECTIVE and call.ref[1]:
        did, row, d = load_for_step(call)
        out["slip_document_id"] = generate(call, did, row, d, "incoming_slip")["document_id"]
    return out


def create_directive(call: StepContext, params: dict) -> dict:
    """The instrument proposed at intake: the directive registered with the incoming document takes
    its route (Party or State directive, công văn…) and, if given, the proposed subject; drafting
    begins. (Instances started before 0006 have no directive yet: one is created here.)"""
    if call.ref[0] == store.DIRECTIVE and call.ref[1]:
        return _prepare_directive(call)
    national, receiver, route = call.data["national"], call.data["receiver"], call.data["route"]
    ref = DocumentRef(str(national["number"]), national["symbol"], national["issuer"],
                      _parse_date(national["date"], "date"), national.get("subject") or "",
                      national.get("issuer_code"))
    side = Side.PARTY if route == "party" else Side(receiver.get("side", "state"))
    sig = receiver.get("signature") or {}
    today = local_date(call.now)
    directive = Directive(
        side=side, instrument=ROUTE_INSTRUMENT[route], issuer_code=receiver["issuer_code"],
        issuer_name=receiver["issuer_name"], issuer_symbol=receiver["issuer_symbol"], place=receiver["place"],
        subject=call.data["subject"], parent_issuer_name=receiver.get("parent_issuer_name"),
        signature=Signature(sig.get("authority"), sig.get("title", "CHỦ TỊCH"), sig.get("name", "")),
        drafting_unit=receiver.get("drafting_unit", "VP"), implements=ref, year=today.year, month=today.month,
        legal_basis=[f"Thực hiện {_kind_word(national['symbol'])} {ref.citation}"
                     f"{' ' + ref.subject if ref.subject else ''}."],
        preamble=[call.data.get("instruction") or ""] if call.data.get("instruction") else [])
    did = store.create_directive(call.session, directive, actor=call.actor, clock=_Now(call.now))
    call.link(*store.directive_ref(did))
    entry = call.session.get(IncomingEntry, call.data["incoming"]["entry_id"])
    if entry is not None:
        entry.directive_id = did
    return {"directive_id": did}


def _prepare_directive(call: StepContext) -> dict:
    did, row, d = load_for_step(call)
    route = str(call.data["route"])
    side = {"party": Side.PARTY, "state": Side.STATE}.get(route, d.side)
    subject = str(call.data.get("subject") or "").strip()
    d = replace(d, side=side, instrument=ROUTE_INSTRUMENT[route], subject=subject or d.subject)
    store.update_directive(call.session, did, d, call.actor, call.now, reason="instrument")
    store.set_stage(call.session, did, "drafting", actor=call.actor, now=call.now)
    proposal = f"Đề xuất ban hành {_route_words(route)}" + (f": {call.data['reason']}" if call.data.get("reason")
                                                             else "")
    generate(call, did, row, d, "incoming_slip", proposal=proposal + ".")
    return {"directive_id": did}


ROUTE_WORDS = {"party": "Chỉ thị của Ban Thường vụ", "state": "Chỉ thị của Ủy ban nhân dân",
               "cong_van": "công văn", "ke_hoach": "kế hoạch", "cong_dien": "công điện"}


def _route_words(route: str) -> str:
    return ROUTE_WORDS.get(route, route)


def _kind_word(symbol: str) -> str:
    return {"CT": "Chỉ thị", "QĐ": "Quyết định", "CĐ": "Công điện", "KH": "Kế hoạch"}.get(
        symbol.split("-")[0].split("/")[0], "văn bản")


class _Now:
    """A clock frozen at the step's time (store functions take a clock)."""

    def __init__(self, now: datetime):
        self._now = now

    def now(self) -> datetime:
        return self._now


def start_life(call: StepContext, params: dict) -> dict:
    """Start the directive's life (drafting) as its own instance, linked to the directive."""
    did = directive_id_of(call)
    item = {"body_code": call.data["receiver"]["issuer_code"], "route": call.data["route"]}

    def remember(ids: list[int]) -> None:
        store.get_directive_row(call.session, did).instance_id = ids[0]

    call.start_children("directive_life", [item], group="life", then=remember)
    return {"directive_id": did}


# ------------------------------------------------------------------ drafting, review, sign-off


def load_directive(call: StepContext, params: dict) -> dict:
    """Open the directive of this instance; `chosen` when the instrument was chosen before (at intake,
    on the "Tạo chỉ thị" page), `issued` when it was issued elsewhere (it starts at follow-up)."""
    did, row, directive = load_for_step(call)
    issued = row.stage == "issued" and directive.number is not None
    if not issued:
        store.set_stage(call.session, did, "drafting", actor=call.actor, now=call.now)
    return {**_summary(did, directive, chosen=bool((call.data.get("item") or {}).get("route"))), "issued": issued}


def choose_instrument(call: StepContext, params: dict) -> dict:
    """Record the chosen instrument (and Party/State side) on the directive."""
    route = str(params["route"])
    if route not in ROUTE_INSTRUMENT:
        raise FormError([FieldProblem("route", f"hình thức không hợp lệ: {route}")])
    did, row, d = load_for_step(call)
    side = {"party": Side.PARTY, "state": Side.STATE}.get(route, d.side)
    d = replace(d, side=side, instrument=ROUTE_INSTRUMENT[route])
    store.update_directive(call.session, did, d, call.actor, call.now, reason="instrument")
    return _summary(did, d, chosen=True)


def record_draft(call: StepContext, params: dict) -> dict:
    """A drafting round ends: its number is kept on the draft ("DỰ THẢO LẦN N" on a Party draft), and
    the drafter's note of what changed, if any, with the comments."""
    did, row, d = load_for_step(call)
    note = str(call.data.get("note") or call.data.get("draft_summary") or "").strip()
    if note:
        store.add_comment(call.session, did, actor=call.actor, stage="drafting", text=note, now=call.now)
    rounds = (d.draft_number or 0) + 1
    store.update_directive(call.session, did, replace(d, draft_number=rounds), call.actor, call.now,
                           reason="draft_round")
    store.set_stage(call.session, did, "drafting", actor=call.actor, now=call.now)
    return {"round": rounds, "drafter": call.actor}


def start_consultation(call: StepContext, params: dict) -> dict:
    """Send the draft to each chosen department (one instance each, with the deadline set)."""
    did, row, d = load_for_step(call)
    codes = split_codes(call.data.get("consult_bodies"))
    if call.data.get("consult_deadline"):
        deadline = end_of_day(_parse_date(call.data["consult_deadline"], "consult_deadline")).isoformat()
    else:  # models before 0006 asked for a number of days
        deadline = (call.now + timedelta(days=int(call.data.get("consult_days") or DEFAULT_CONSULT_DAYS))).isoformat()
    rnd = int(call.data["draft"]["round"])
    items = [{"body_code": c, "body_name": _body_name(call, c), "deadline_at": deadline, "round": rnd,
              "issuer_code": d.issuer_code} for c in dict.fromkeys(codes)]
    group = f"consultation_{rnd}"
    sent = None
    if items:
        # The departments comment on a document: the draft as it stands when it is sent to them.
        sent = generate(call, did, row, d, "directive_draft")["document_id"]
        call.start_children("directive_consultation", items, group=group, done_message="consultation_done")
        store.set_stage(call.session, did, "consultation", actor=call.actor, now=call.now)
    return {"group": group, "count": len(items), "deadline_at": deadline, "draft_document_id": sent}


def _body_name(call: StepContext, code: str) -> str:
    from ..directory.models import Body

    body = call.session.get(Body, code)
    return body.name if body is not None else code


AGREED = "Thống nhất với dự thảo."
SILENT = "Không có ý kiến (không trả lời đúng hạn)."


def record_consultation(call: StepContext, params: dict) -> dict:
    """Keep one department's opinion with its body; silence by the deadline is recorded as no comment.
    (The form requires the text of a "Có ý kiến": an empty one is never taken for agreement.)"""
    item = call.data["item"]
    comment = str(call.data.get("comment") or "").strip()
    if params.get("silent"):
        text, who = SILENT, "system"
    elif call.data.get("opinion") == "agree":
        text, who = f"{AGREED} {comment}".strip() if comment else AGREED, call.actor
    else:
        text, who = comment or AGREED, call.actor
    store.add_comment(call.session, directive_id_of(call), actor=who, stage="consultation", text=text, now=call.now,
                      body_code=item["body_code"])
    return {"body_code": item["body_code"], "text": text, "silent": bool(params.get("silent"))}


def collect_consultation(call: StepContext, params: dict) -> list[str]:
    """The consultation comments received (shown to the drafter, who takes them in or explains)."""
    did = directive_id_of(call)
    store.set_stage(call.session, did, "drafting", actor=call.actor, now=call.now)
    names = {}
    for c in store.list_comments(call.session, did):
        if c.stage == "consultation" and c.body_code and c.body_code not in names:
            names[c.body_code] = _body_name(call, c.body_code)
    return [f"{names.get(c.body_code or '', c.actor)}: {c.text}" for c in store.list_comments(call.session, did)
            if c.stage == "consultation"]


def summarize_consultation(call: StepContext, params: dict) -> dict:
    """The drafter took in or explained every comment: the summary table (bảng tổng hợp, tiếp thu,
    giải trình) is stored as a document."""
    did, row, d = load_for_step(call)
    return generate(call, did, row, d, "consultation_summary")


def record_comment(call: StepContext, params: dict) -> list[dict]:
    """Keep a comment (a return for revision, a leader's instruction) on the version read; a return
    (`returned`) puts the directive back in drafting. Returns all comments."""
    did = directive_id_of(call)
    text = str(params.get("text") or "").strip() or "Trả lại, đề nghị xem xét, hoàn thiện."
    store.add_comment(call.session, did, actor=call.actor, stage=str(params.get("stage") or "review"), text=text,
                      now=call.now)
    if params.get("returned"):
        store.set_stage(call.session, did, "drafting", actor=call.actor, now=call.now)
    return _comments(call, did)


def set_stage(call: StepContext, params: dict) -> dict:
    """Move the directive to `stage` (the stage shown is the one it is really in)."""
    did = directive_id_of(call)
    store.set_stage(call.session, did, str(params["stage"]), actor=call.actor, now=call.now)
    return {"stage": str(params["stage"])}


PARTY_TITLES = {"secretary": "BÍ THƯ", "deputy_secretary": "PHÓ BÍ THƯ"}


def set_signature(call: StepContext, params: dict) -> dict:
    """The signing block of the signer chosen from the issuer's signers (T/M BAN THƯỜNG VỤ; TM. ỦY
    BAN NHÂN DÂN, KT. CHỦ TỊCH…); the draft's when none is chosen."""
    did, row, d = load_for_step(call)
    route, data = route_of(d), call.data
    if "|" in str(data.get("signer") or ""):
        sig = signature_from_key(str(data["signer"]))
        store.update_directive(call.session, did, replace(d, signature=sig), call.actor, call.now, reason="signature")
        return {"authority": sig.authority, "title": sig.title, "name": sig.name}
    # The forms of models before 0006: a role and an optional name.
    name = str(data.get("signer_name") or "").strip() or d.signature.name
    sig = d.signature
    if route == "party":
        title = PARTY_TITLES.get(data.get("signer") or "", sig.title)
        sig = Signature("T/M BAN THƯỜNG VỤ", title, name)
    elif route == "state":
        if data.get("signer") == "vice_chairman":
            sig = Signature("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", name)
        elif data.get("signer") == "chairman":
            sig = Signature("TM. ỦY BAN NHÂN DÂN" if data.get("on_behalf") else None, "CHỦ TỊCH", name)
    store.update_directive(call.session, did, replace(d, signature=sig), call.actor, call.now, reason="signature")
    return {"authority": sig.authority, "title": sig.title, "name": sig.name}


# ------------------------------------------------------------------ issuance and documents


def issue_number(call: StepContext, params: dict) -> dict:
    """Văn thư: next number of the issuer's series, outgoing register entry, number on the directive."""
    did, row, d = load_for_step(call)
    on = _parse_date(call.data.get("issued_on") or local_date(call.now), "issued_on")
    if d.side is Side.PARTY:
        ensure_party_terms(call.session, d.issuer_code)
    entry = _issue_number(
        call.session, issuer_code=d.issuer_code, instrument=d.instrument, side=d.side, on=on,
        subject=" ".join(d.subject.split()), signer=d.signature.name, directive_id=did, actor=call.actor,
        recipients=[r.text for r in d.recipients if not r.is_archive], issuer_symbol=d.issuer_symbol,
        drafting_unit=d.drafting_unit, now=call.now,
        **register_contents(d, person_name(call, call.actor), on))
    store.mark_issued(call.session, did, number=entry.number, issued_on=on, outgoing_entry_id=entry.id,
                      actor=call.actor, now=call.now)
    return {"entry_id": entry.id, "number": entry.number, "number_text": entry.number_text,
            "issued_on": on.isoformat()}


def generate_document(call: StepContext, params: dict) -> dict:
    """Render and store one document of the directive (`kind`); optionally move to `stage`."""
    did, row, d = load_for_step(call)
    out = generate(call, did, row, d, str(params["kind"]))
    if params.get("stage"):
        store.set_stage(call.session, did, str(params["stage"]), actor=call.actor, now=call.now)
    return out


SERVICES = {
    "register_incoming": register_incoming, "assign_incoming": assign_incoming,
    "create_directive": create_directive, "start_life": start_life, "load_directive": load_directive,
    "choose_instrument": choose_instrument, "record_draft": record_draft,
    "start_consultation": start_consultation, "record_consultation": record_consultation,
    "collect_consultation": collect_consultation, "record_comment": record_comment,
    "set_signature": set_signature, "issue_number": issue_number, "generate_document": generate_document,
    "summarize_consultation": summarize_consultation, "set_stage": set_stage,
}


def register(registry: ServiceRegistry) -> None:
    """Register the directive service tasks (called by engine.app.build_engine)."""
    from .catalog import SERVICE_CATALOG
    from .followup import FOLLOWUP_SERVICES

    for name, fn in {**SERVICES, **FOLLOWUP_SERVICES}.items():
        title, parameters = SERVICE_CATALOG.get(name, (name, {}))
        registry.register(name, fn, title=title, parameters=parameters)


__all__ = ["register", "SERVICES", "route_of"]
