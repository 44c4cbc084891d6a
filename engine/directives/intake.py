"""Văn bản đến: the records clerk registers the national directive with its file, and its handling
starts (`directive_intake`: the leader's assignment, the proposal of an instrument, then drafting).

The arriving file (PDF or .docx) is checked by its content, not its name, bounded in size and kept
once by its hash. Registering gives the next arrival number of the receiver's register (or keeps a
positive one already stamped on the paper, if it is free), refuses a document already registered,
and creates the directive that will answer it — its draft begins from the national directive's
subject and legal basis — so the document is linked to it from the first step to the last.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..documents import DocumentStore
from ..documents.store import DOCX_MIME
from ..kernel.accounts import Actor
from ..kernel.calendar import local_date
from ..kernel.errors import FieldProblem, FormError, NotFound
from ..kernel.forms import parse_form, validate_submission
from ..model.directive import Directive, DocumentRef, Instrument, Side, Signature
from ..registers import find_incoming, register_incoming
from ..registers.models import IncomingEntry
from . import store
from .issuers import Profile, issuer_profile
from .policy import require_import

MAX_FILE_BYTES = 20 * 1024 * 1024
PDF_MIME = "application/pdf"
URGENCY = {"thuong": None, "khan": "KHẨN", "thuong_khan": "THƯỢNG KHẨN", "hoa_toc": "HỎA TỐC"}
DOCUMENT_TYPES = {"Chỉ thị": "CT", "Công điện": "CĐ", "Quyết định": "QĐ", "Kế hoạch": "KH", "Công văn": "",
                  "Thông báo": "TB", "Nghị quyết": "NQ", "Hướng dẫn": "HD"}

# The fields of the intake page (and of a national-only description), converted by the engine's one
# form rule so the page and the API read dates and numbers the same way.
INCOMING_FIELDS = parse_form("""
- name: sender_code
  label: Tìm cơ quan ban hành trong danh mục
  widget: body
  help: Chọn để điền tên cơ quan; cơ quan không có trong danh mục thì gõ tên ở ô dưới.
- name: sender
  label: Cơ quan ban hành (tên in trên văn bản)
  required: true
- name: document_type
  label: Tên loại văn bản
  type: choice
  required: true
  options:
    Chỉ thị: Chỉ thị
    Công điện: Công điện
    Quyết định: Quyết định
    Kế hoạch: Kế hoạch
    Công văn: Công văn
    Thông báo: Thông báo
    Nghị quyết: Nghị quyết
    Hướng dẫn: Hướng dẫn
- name: number
  label: Số
  required: true
- name: symbol
  label: Ký hiệu
  required: true
- name: document_date
  label: Ngày văn bản
  type: date
  required: true
- name: subject
  label: Trích yếu nội dung
  type: textarea
  required: true
- name: received_on
  label: Ngày đến
  type: date
  required: true
- name: arrival_number
  label: Số đến
  type: number
  min: 1
- name: urgency
  label: Độ khẩn
  type: choice
  options: {thuong: Thường, khan: Khẩn, thuong_khan: Thượng khẩn, hoa_toc: Hỏa tốc}
""")


@dataclass(frozen=True)
class IncomingFile:
    """An uploaded file: the name it came with and its bytes (read up to MAX_FILE_BYTES + 1)."""

    name: str
    content: bytes


def file_type(upload: IncomingFile) -> str:
    """The MIME type of an accepted upload (PDF or .docx, judged by content); FormError otherwise."""
    size = len(upload.content)
    if size == 0:
        raise FormError([FieldProblem("file", "tệp rỗng; chọn lại tệp văn bản đến (PDF hoặc .docx)")])
    if size > MAX_FILE_BYTES:
        raise FormError([FieldProblem("file", f"tệp lớn quá {MAX_FILE_BYTES // (1024 * 1024)} MB "
                                              f"({size / 1024 / 1024:.1f} MB); hãy quét lại với độ phân giải "
                                              "thấp hơn hoặc nén tệp PDF")])
    head = upload.content[:8]
    if head.startswith(b"%PDF-"):
        return PDF_MIME
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(upload.content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names and not any(n.lower().endswith("vbaproject.bin") for n in names):
            return DOCX_MIME
    shown = upload.name.rsplit("/", 1)[-1][:80] or "tệp"
    raise FormError([FieldProblem("file", f"{shown} không phải tệp PDF hoặc Word (.docx); chỉ nhận văn bản đến "
                                          "dạng PDF hoặc .docx (tệp .doc cũ: mở bằng Word và lưu lại thành .docx)")])


def national_subject_to_draft(subject: str, side: Side) -> str:
    """The draft's first trích yếu from the national one: "về tăng cường …" becomes "Về việc tăng
    cường …" (State) or stays "về tăng cường …" (Party)."""
    flat = " ".join(subject.split())
    lowered = flat[:1].lower() + flat[1:]
    for lead in ("về việc ", "v/v ", "về "):
        if lowered.startswith(lead):
            lowered = lowered[len(lead):]
            break
    return f"về {lowered}" if side is Side.PARTY else f"Về việc {lowered}"


def legal_basis_line(ref: DocumentRef, document_type: str) -> str:
    """"Thực hiện Chỉ thị số 15/CT-TTg ngày 16/5/2024 của Thủ tướng Chính phủ về …"."""
    subject = " ".join(ref.subject.split())
    return f"Thực hiện {document_type} {ref.citation}{' ' + subject if subject else ''}"


def skeleton(profile: Profile, ref: DocumentRef, document_type: str, today: date) -> Directive:
    """The directive that answers a national document, before anyone writes it: the receiver's
    header and default signer, the national subject and legal basis, nothing else."""
    signer = profile.signers[0].signature if profile.signers else Signature(None, "CHỦ TỊCH", "")
    return Directive(
        side=profile.side, instrument=Instrument.CHI_THI, issuer_code=profile.code, issuer_name=profile.printed_name,
        issuer_symbol=profile.symbol, place=profile.place, parent_issuer_name=profile.parent_printed_name,
        subject=national_subject_to_draft(ref.subject or document_type, profile.side), signature=signer,
        drafting_unit=profile.default_unit, implements=ref, year=today.year, month=today.month,
        legal_basis=[legal_basis_line(ref, document_type)])


def _check(values: dict, today: date) -> list[FieldProblem]:
    problems = []
    number = str(values["number"]).strip()
    if not number.isdigit() or int(number) < 1:
        problems.append(FieldProblem("number", "số văn bản là số nguyên dương, không kèm ký hiệu (ví dụ 15)"))
    if " " in str(values["symbol"]).strip() or "/" in str(values["symbol"]):
        problems.append(FieldProblem("symbol", "ký hiệu viết liền, không có dấu cách, không kèm số "
                                               "(ví dụ CT-TTg)"))
    received, written = date.fromisoformat(values["received_on"]), date.fromisoformat(values["document_date"])
    if received > today:
        problems.append(FieldProblem("received_on", f"ngày đến {received:%d/%m/%Y} sau hôm nay ({today:%d/%m/%Y})"))
    if written > received:
        problems.append(FieldProblem("document_date", f"ngày văn bản {written:%d/%m/%Y} sau ngày đến "
                                                      f"{received:%d/%m/%Y}; kiểm tra lại hai ngày"))
    return problems


def receive_incoming(engine, values: dict[str, Any], upload: IncomingFile | None, *, actor: Actor,
                     receiver_code: str | None = None, require_file: bool = True,
                     receiver: dict | None = None) -> tuple[int, int]:
    """Register a national document for `receiver_code` (default: the actor's body), keep its file,
    create the directive that answers it and start `directive_intake`; (directive_id, instance_id).

    FormError names every field to fix (nothing is stored then); PermissionDenied when the actor
    may not register for that body (engine/directives/policy.py)."""
    receiver_code = receiver_code or (receiver or {}).get("issuer_code") or actor.body_code
    require_import(actor, receiver_code)
    if not receiver_code:
        raise FormError([FieldProblem("receiver", "tài khoản chưa gắn với cơ quan nào; báo quản trị hệ thống")])
    from .life import ensure_deployed

    ensure_deployed(engine)
    today = local_date(engine.clock.now())
    problems: list[FieldProblem] = []
    try:
        clean = validate_submission(INCOMING_FIELDS, values)
    except FormError as exc:
        problems += exc.fields
        clean = None
    if clean is not None:
        problems += _check(clean, today)
    mime = None
    if upload is None or not upload.content:
        if require_file:
            problems.append(FieldProblem("file", "chọn tệp văn bản đến (PDF hoặc .docx)"))
    else:
        try:
            mime = file_type(upload)
        except FormError as exc:
            problems += exc.fields
    if problems or clean is None:
        raise FormError(problems)
    with engine.transaction() as s:
        return _register(engine, s, clean, upload, mime, actor, receiver_code, receiver, today)


def _register(engine, s: Session, clean: dict, upload: IncomingFile | None, mime: str | None, actor: Actor,
              receiver_code: str, receiver: dict | None, today: date) -> tuple[int, int]:
    profile = _profile(s, receiver_code, receiver)
    number_symbol = f"{int(clean['number'])}/{clean['symbol'].strip()}"
    written = date.fromisoformat(clean["document_date"])
    existing = find_incoming(s, receiver_code, number_symbol, written)
    if existing is not None:
        where = f" — đã gắn với hồ sơ chỉ thị #{existing.directive_id}" if existing.directive_id else ""
        raise FormError([FieldProblem("number", (
            f"văn bản {number_symbol} ngày {written:%d/%m/%Y} đã vào sổ đến: số đến {existing.arrival_number} "
            f"ngày {existing.received_on:%d/%m/%Y}{where}"))])
    number = f"{int(clean['number']):02d}"
    ref = DocumentRef(number, clean["symbol"].strip(), clean["sender"].strip(), written,
                      " ".join(clean["subject"].split()), clean.get("sender_code") or None)
    document_type = clean["document_type"]
    did = store.create_directive(s, skeleton(profile, ref, document_type, today), actor=actor.username,
                                 clock=engine.clock, stage="intake")
    entry = register_incoming(
        s, receiver_code=receiver_code, received_on=date.fromisoformat(clean["received_on"]), sender=ref.issuer,
        number_symbol=f"{number}/{ref.symbol}", document_date=written, subject=ref.subject, actor=actor.username,
        sender_code=ref.issuer_code, urgency=URGENCY.get(clean.get("urgency") or "thuong"), directive_id=did,
        now=engine.clock.now(), arrival_number=int(clean["arrival_number"]) if clean.get("arrival_number") else None,
        document_type=document_type, received_by=actor.full_name or actor.username)
    if upload is not None and mime is not None:
        entry.file_sha256 = DocumentStore().store_file(s, upload.content, engine.clock.now())
        entry.file_name = upload.name.rsplit("/", 1)[-1][-255:] or "van-ban-den"
        entry.file_type, entry.file_size = mime, len(upload.content)
    data = {"national": {"number": number, "symbol": ref.symbol, "issuer": ref.issuer, "issuer_code": ref.issuer_code,
                         "date": written.isoformat(), "subject": ref.subject, "document_type": document_type},
            "receiver": {"issuer_code": profile.code, "issuer_name": profile.printed_name,
                         "issuer_symbol": profile.symbol, "place": profile.place, "side": profile.side.value,
                         "drafting_unit": profile.default_unit},
            "incoming": {"entry_id": entry.id, "arrival_number": entry.arrival_number},
            "directive": {"id": did}}
    row = engine.instances.create(s, "directive_intake", business_key=f"DEN-{entry.arrival_number}/{entry.year}",
                                  data=data, actor=actor.username, body_code=receiver_code,
                                  ref=store.directive_ref(did))
    store.get_directive_row(s, did).instance_id = row.id
    return did, row.id


def _profile(s: Session, receiver_code: str, receiver: dict | None) -> Profile:
    """The receiver's profile; a description's own `receiver` header (import) overrides it."""
    try:
        profile = issuer_profile(s, receiver_code)
    except NotFound:
        if not receiver:
            raise FormError([FieldProblem("receiver", f"không có cơ quan {receiver_code} trong danh mục")]) from None
        profile = Profile(code=receiver_code, name=receiver["issuer_name"], printed_name=receiver["issuer_name"],
                          parent_printed_name=None, symbol=receiver["issuer_symbol"], place=receiver["place"],
                          side=Side(receiver.get("side", "state")), default_unit=receiver.get("drafting_unit", "VP"))
    if not receiver:
        return profile
    from dataclasses import replace

    sig = receiver.get("signature")
    signers = profile.signers
    if sig:
        from .issuers import SignerChoice, signer_key

        chosen = Signature(sig.get("authority"), sig.get("title", "CHỦ TỊCH"), sig.get("name", ""))
        signers = [SignerChoice(signer_key(chosen), chosen), *signers]
    return replace(profile, printed_name=receiver.get("issuer_name", profile.printed_name),
                   parent_printed_name=receiver.get("parent_issuer_name", profile.parent_printed_name),
                   symbol=receiver.get("issuer_symbol", profile.symbol), place=receiver.get("place", profile.place),
                   side=Side(receiver.get("side", profile.side.value)),
                   default_unit=receiver.get("drafting_unit", profile.default_unit), signers=signers)


def national_values(national: dict, received_on: date) -> dict[str, Any]:
    """The intake fields of a national-only description's `national` part."""
    prefix = str(national.get("symbol", "")).split("-")[0].split("/")[0]
    document_type = next((name for name, abbr in DOCUMENT_TYPES.items() if abbr and abbr == prefix), "Công văn")
    return {"sender": national.get("issuer", ""), "sender_code": national.get("issuer_code") or "",
            "document_type": national.get("document_type") or document_type,
            "number": str(national.get("number", "")).lstrip("0") or str(national.get("number", "")),
            "symbol": national.get("symbol", ""), "document_date": str(national.get("date", "")),
            "subject": national.get("subject") or "", "received_on": str(national.get("received_on") or received_on),
            "arrival_number": national.get("arrival_number") or "", "urgency": national.get("urgency") or ""}


def incoming_file(engine, entry_id: int, actor: Actor | None) -> tuple[IncomingEntry, bytes]:
    """The arrived file of an incoming entry, if `actor` may read it (the receiving office and
    administrators, engine/directives/policy.py); NotFound otherwise, or when there is no file."""
    from .policy import may_read_incoming

    with engine.db.session() as s:
        entry = s.get(IncomingEntry, entry_id)
        if entry is None or entry.file_sha256 is None or not may_read_incoming(actor, entry):
            raise NotFound(f"không có tệp văn bản đến số {entry_id}")
        content = DocumentStore().file_content(s, entry.file_sha256)
        s.expunge(entry)
        return entry, content


def incoming_view(engine, directive_id: int, actor: Actor | None) -> dict | None:
    """The national document a directive answers, as its pages show it (None when there is none or
    `actor` may not read it): citation, arrival, the leader's assignment, the file."""
    from ..registers import incoming_for_directive
    from .policy import may_read_incoming

    with engine.db.session() as s:
        entry = incoming_for_directive(s, directive_id)
        if entry is None or not may_read_incoming(actor, entry):
            return None
        return {"entry_id": entry.id, "document_type": entry.document_type or "Văn bản",
                "number_symbol": entry.number_symbol, "document_date": entry.document_date, "sender": entry.sender,
                "subject": entry.subject, "arrival_number": entry.arrival_number, "received_on": entry.received_on,
                "urgency": entry.urgency, "lead": entry.handling_unit_name or entry.handling_unit,
                "partners": [u.get("name") or u.get("code") for u in entry.partner_units or []],
                "deadline": entry.deadline, "instruction": entry.instruction, "assigned_by": entry.assigned_by,
                "assigned_on": entry.assigned_on, "file_name": entry.file_name, "file_type": entry.file_type,
                "file_size": entry.file_size, "is_pdf": entry.file_type == PDF_MIME,
                "is_docx": entry.file_type == DOCX_MIME}


def incoming_preview(engine, entry_id: int, actor: Actor | None) -> str | None:
    """An arrived .docx as HTML (a PDF is shown by the browser itself); None for a PDF."""
    from ..documents import preview_html

    entry, content = incoming_file(engine, entry_id, actor)
    return preview_html(content) if entry.file_type == DOCX_MIME else None
