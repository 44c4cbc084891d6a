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
* ``report_rows``: list of dicts {body, status, summary}; status is "on_time", "late" or "missing".
* ``register_rows``: list of dicts {number, date, symbol, subject, signer, recipients, status}.

The extra data each kind needs from the caller is listed in `context.py`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import NotFound

DocumentContext = dict[str, Any]

INLINE_KEYS = frozenset({
    "side", "parent_issuer", "issuer", "number_line", "place_date", "type_name", "subject",
    "cv_subject", "urgency", "draft_label", "signer_name",
})


@dataclass(frozen=True)
class KindSpec:
    """How one kind of document is laid out: `named` (type name + subject) or `letter` (công văn)."""

    kind: str
    layout: str
    blocks: tuple[str, ...]
    title: str  # Vietnamese name shown in lists


KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    KindSpec("submission_slip", "named", ("addressees", "body", "opinions", "recipients", "signature"),
             "Phiếu trình"),
    KindSpec("directive_draft", "named", ("legal_basis", "body", "recipients", "signature"),
             "Dự thảo chỉ thị"),
    KindSpec("directive_final", "named", ("legal_basis", "body", "recipients", "signature"),
             "Chỉ thị ban hành"),
    KindSpec("transmittal_letter", "letter", ("addressees", "body", "recipients", "signature"),
             "Công văn gửi văn bản"),
    KindSpec("reminder_letter", "letter", ("addressees", "body", "recipients", "signature"),
             "Công văn nhắc báo cáo"),
    KindSpec("chasing_letter", "letter", ("addressees", "body", "recipients", "signature"),
             "Công văn đôn đốc"),
    KindSpec("body_report", "named", ("addressees", "body", "figures", "recipients", "signature"),
             "Báo cáo của cơ quan, đơn vị"),
    KindSpec("consolidated_report", "named", ("body", "report_rows", "recipients", "signature"),
             "Báo cáo tổng hợp"),
    KindSpec("closeout_report", "named", ("body", "report_rows", "recipients", "signature"),
             "Báo cáo tổng kết"),
    KindSpec("register_page", "named", ("register_rows",), "Sổ đăng ký văn bản đi"),
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
