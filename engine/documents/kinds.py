"""The document kinds, their layouts and the documented template context of each.

A template (.docx) may use two sorts of placeholders:

* inline ``{{ key }}`` (any Jinja expression over the inline keys below, rendered in a sandbox) inside
  any paragraph; a paragraph whose placeholders all render empty is dropped (no parent body, no
  urgency stamp). A newline in a value becomes a line break.
* block ``{{ name }}`` standing alone in its paragraph: the renderer replaces that paragraph with
  formatted paragraphs or a table built from the data (body, Nơi nhận, signature, tables).

Inline keys (every kind): ``side`` ("state"/"party"), ``parent_issuer`` (cơ quan chủ quản, may be
empty), ``issuer`` (issuing body, upper case, lines split by newline), ``number_line`` ("Số:
05/CT-UBND", "Số 25-CT/TU"; empty on a register page), ``place_date`` ("Lạng Sơn, ngày 16 tháng 5 năm
2024"), ``type_name`` ("CHỈ THỊ", "BÁO CÁO", "PHIẾU TRÌNH"…; empty for a công văn), ``subject``
(trích yếu), ``cv_subject`` ("V/v …", công văn only), ``urgency`` ("", "KHẨN", "THƯỢNG KHẨN", "HỎA
TỐC"), ``draft_label`` ("DỰ THẢO LẦN 2" on a Party draft, else empty), ``signer_name``.

Block keys and their data:

* ``legal_basis``: list of str (căn cứ lines, italic; ";" / "." endings are enforced).
* ``body``: list of dicts {label, heading, text} — a label ("1.", "2.1.", "a)", "1-") and heading are
  bold, the text upright; each dict is one justified paragraph.
* ``addressees``: list of str (Kính gửi).
* ``recipients``: list of dicts {text, is_archive} (Nơi nhận; the archive line is printed last).
* ``signature``: dict {authority, title, name}.
* ``opinions``: list of dicts {name, role, opinion} (submission slip).
* ``figures``: list of dicts {label, value} (a body's report).
* ``report_rows``: list of dicts {body, status, summary}; status is "on_time", "late", "overdue" (some
  period overdue) or "missing" (nothing reported although reports are due).
* ``register_rows``: list of dicts, the contents of NĐ 30/2020 Phụ lục IV.I {number_symbol, date,
  type_subject, signer, recipients, archive_holder, copies, dispatched_on, received_by, note}.
* ``incoming_rows``: Phụ lục IV.VI {received_on, arrival_number, sender, number_symbol, document_date,
  type_subject, handler, assigned_on, received_by, note}.
* ``followup_rows``: Phụ lục IV.VIII {arrival_number, document, handler, deadline, progress, reply, note}.
* ``comment_rows``: list of dicts {body, comment, handling, response} (consultation summary).

The extra data each kind needs from the caller is listed in `context.py`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..kernel.errors import NotFound
from ..model.directive import TYPE_NAMES, Directive, Instrument
from . import context, samples
from .context import DocumentContext

INLINE_KEYS = frozenset({
    "side", "parent_issuer", "issuer", "number_line", "place_date", "type_name", "subject",
    "cv_subject", "urgency", "draft_label", "signer_name",
})

# Who reads a kind besides the issuing office (the reading rule is engine/directives/policy.py):
OFFICE = "office"  # only the issuing office: slips, registers, consolidated and close-out reports
DRAFT = "draft"  # also the departments consulted on the draft
ISSUED = "issued"  # also every assigned body, once the directive is issued
BODY = "body"  # also the one body whose follow-up it belongs to (its letters and its reports)
AUDIENCES = (OFFICE, DRAFT, ISSUED, BODY)


@dataclass(frozen=True)
class KindSpec:
    """Everything about one kind of document: its Vietnamese name, layout, the blocks its templates
    hold, how its context is built, sample data, who reads it, and how its files are named."""

    kind: str
    title: str  # Vietnamese name shown in lists
    layout: str  # "named" (type name + subject) or "letter" (công văn: V/v under the number)
    blocks: tuple[str, ...]
    build: Callable[[Directive, dict[str, Any]], DocumentContext]
    sample: Callable[[str], dict[str, Any]]  # side → extras for a trial render
    audience: str  # OFFICE | DRAFT | ISSUED | BODY
    file_stem: str  # the start of its file names, as offices name files ("Cong-van-don-doc")


KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    KindSpec("submission_slip", "Phiếu trình", "named",
             ("addressees", "body", "opinions", "recipients", "signature"),
             context.slip, samples.slip, OFFICE, "Phieu-trinh"),
    KindSpec("directive_draft", "Dự thảo chỉ thị", "named", ("legal_basis", "body", "recipients", "signature"),
             context.draft, samples.numbered, DRAFT, "Du-thao"),
    KindSpec("directive_final", "Chỉ thị ban hành", "named", ("legal_basis", "body", "recipients", "signature"),
             context.final, samples.numbered, ISSUED, "Chi-thi"),
    KindSpec("transmittal_letter", "Công văn gửi văn bản", "letter",
             ("addressees", "body", "recipients", "signature"), context.transmittal, samples.numbered, ISSUED,
             "Cong-van-gui-van-ban"),
    KindSpec("reminder_letter", "Công văn nhắc báo cáo", "letter",
             ("addressees", "body", "recipients", "signature"), context.reminder, samples.letter, BODY,
             "Cong-van-nhac-bao-cao"),
    KindSpec("chasing_letter", "Công văn đôn đốc", "letter", ("addressees", "body", "recipients", "signature"),
             context.chasing, samples.letter, BODY, "Cong-van-don-doc"),
    KindSpec("body_report", "Báo cáo của cơ quan, đơn vị", "named",
             ("addressees", "body", "figures", "recipients", "signature"), context.body_report,
             samples.body_report, BODY, "Bao-cao-don-vi"),
    KindSpec("consolidated_report", "Báo cáo tổng hợp", "named", ("body", "report_rows", "recipients", "signature"),
             context.consolidated, samples.rows_report, OFFICE, "Bao-cao-tong-hop"),
    KindSpec("closeout_report", "Báo cáo tổng kết", "named", ("body", "report_rows", "recipients", "signature"),
             context.closeout, samples.rows_report, OFFICE, "Bao-cao-tong-ket"),
    KindSpec("register_page", "Sổ đăng ký văn bản đi", "named", ("register_rows",), context.register_page,
             samples.register_page, OFFICE, "So-dang-ky-van-ban-di"),
    KindSpec("incoming_register_page", "Sổ đăng ký văn bản đến", "named", ("incoming_rows",),
             context.incoming_register_page, samples.incoming_register_page, OFFICE, "So-dang-ky-van-ban-den"),
    KindSpec("incoming_followup_page", "Sổ theo dõi giải quyết văn bản đến", "named", ("followup_rows",),
             context.incoming_followup_page, samples.incoming_followup_page, OFFICE,
             "So-theo-doi-giai-quyet-van-ban-den"),
    KindSpec("incoming_slip", "Phiếu giải quyết văn bản đến", "named", ("body",), context.incoming_slip,
             samples.incoming_slip, OFFICE, "Phieu-giai-quyet-van-ban-den"),
    KindSpec("consultation_summary", "Bản tổng hợp, tiếp thu, giải trình ý kiến góp ý", "named",
             ("body", "comment_rows"), context.consultation_summary, samples.consultation_summary, OFFICE,
             "Tong-hop-tiep-thu-giai-trinh"),
)}

SIDES = ("state", "party")
BLOCK_KEYS = frozenset(b for spec in KINDS.values() for b in spec.blocks)


def kind_spec(kind: str) -> KindSpec:
    """The spec of a kind, or NotFound naming the known kinds."""
    try:
        return KINDS[kind]
    except KeyError:
        raise NotFound(f"không có loại văn bản {kind!r}; các loại: {', '.join(KINDS)}") from None


def check_side(side: str) -> str:
    """Validate a side value ("state" or "party")."""
    if side not in SIDES:
        raise NotFound(f"không có khối {side!r}; chọn 'state' (Nhà nước) hoặc 'party' (Đảng)")
    return side


def build_context(kind: str, directive: Directive, **extra: Any) -> DocumentContext:
    """The documented template context of `kind` for `directive` (extras per kind: context.py)."""
    return kind_spec(kind).build(directive, extra)


MAX_FILE_NAME = 150
SHORT_SUBJECT = 90
UNSAFE = '\\/:*?"<>|\n\r\t'


def short_subject(subject: str, limit: int = SHORT_SUBJECT) -> str:
    """The subject as a file name carries it: one line, without "Về việc"/"về", cut at a word."""
    flat = " ".join(subject.split())
    for lead in ("Về việc ", "về việc ", "V/v ", "Về ", "về "):
        if flat.startswith(lead):
            flat = flat[len(lead):]
            break
    if len(flat) > limit:
        flat = flat[:limit].rsplit(" ", 1)[0]
    return flat[:1].upper() + flat[1:]


def type_word(d: Directive) -> str:
    """"Chỉ thị", "Công văn", "Kế hoạch"… as a file name starts."""
    return "Công văn" if d.instrument is Instrument.CONG_VAN else TYPE_NAMES.get(d.instrument, "Văn bản").capitalize()


def file_name(kind: str, d: Directive, *, number_text: str | None = None, detail: str | None = None) -> str:
    """How an office names the file of a document: type, number, short subject
    ("Chỉ thị 01-CT-UBND - Tăng cường công tác chỉ đạo….docx", "Dự thảo Chỉ thị lần 2 - …",
    "Công văn 03-UBND-KGVX - Đôn đốc gửi báo cáo (Sở Y tế)"). `detail` adds what tells two documents
    of the same kind apart (the round of a draft, the body and period of a letter)."""
    spec = kind_spec(kind)
    number = f" {number_text.replace('/', '-')}" if number_text else ""
    subject = short_subject(d.subject)
    if kind == "directive_final":
        name = f"{type_word(d)}{number} - {subject}"
    elif kind == "directive_draft":
        name = f"Dự thảo {type_word(d)}{' ' + detail if detail else ''} - {subject}"
    elif spec.layout == "letter":
        name = f"Công văn{number} - {detail or spec.title} - {subject}"
    elif kind in ("register_page", "incoming_register_page", "incoming_followup_page"):
        name = f"{spec.title}{' ' + detail if detail else ''}"
    else:
        name = f"{spec.title}{number}{' - ' + detail if detail else ''} - {subject}"
    cleaned = "".join("-" if ch in UNSAFE else ch for ch in name).strip(" .")
    return cleaned[:MAX_FILE_NAME].rstrip(" .-") + ".docx"


def sample_extras(kind: str, side: str) -> dict[str, Any]:
    """Extra keyword arguments of build_context for `kind` on `side`, from the sample data."""
    return kind_spec(kind).sample(check_side(side))


def sample_context(kind: str, side: str) -> DocumentContext:
    """A complete context for `kind` and `side` built from the sample directive."""
    return build_context(kind, samples.sample_directive(side), **sample_extras(kind, side))
