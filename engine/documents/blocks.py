"""Block writers: replace a `{{ block }}` marker paragraph with formatted paragraphs or a table.

Every run gets Times New Roman in all font slots and its size/bold/italic explicitly, per
document-format.md: body 14 justified with a 1.27 cm first-line indent and 6 pt after; Nơi nhận
12 bold italic with 11-point items; signature lines 14 bold and centred.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from . import docxkit as kit

BODY_SIZE = 14
RECIPIENT_LABEL_SIZE = 12
RECIPIENT_SIZE = 11
SIGNATURE_SIZE = 14
SIGNATURE_SPACE_LINES = 4
STATUS_LABELS = {"on_time": "Đúng hạn", "late": "Chậm hạn", "overdue": "Có kỳ quá hạn", "missing": "Chưa báo cáo"}


def write_block(name: str, marker: Paragraph, value: Any, side: str) -> None:
    """Replace the marker paragraph with the block `name` built from `value`."""
    writer = WRITERS[name]
    writer(marker, value if name == "signature" else (value or []), side)
    parent = marker._p.getparent()
    parent.remove(marker._p)
    if parent.tag == qn("w:tc") and parent.find(qn("w:p")) is None:
        parent.append(OxmlElement("w:p"))  # a cell must end with a paragraph


def _emit(marker: Paragraph, runs: list[tuple], **fmt) -> None:
    """Insert one formatted paragraph before the marker (see docxkit.make_paragraph)."""
    marker._p.addprevious(kit.make_paragraph(runs, **fmt))


LEFT = {"align": "left", "first_line": None, "after": 0, "line": 1.0}
CENTER = {"align": "center", "first_line": None, "after": 0, "line": 1.0}


def _legal_basis(marker, lines: list[str], side: str) -> None:
    for i, line in enumerate(lines):
        end = "." if i == len(lines) - 1 else ";"
        _emit(marker, [(line.rstrip(" ;.,") + end, BODY_SIZE, False, True)])


def _body(marker, items: list[dict], side: str) -> None:
    for item in items:
        label, heading, text = item.get("label"), item.get("heading"), item.get("text")
        lead = " ".join(part for part in (label, heading) if part)
        runs = [(lead, BODY_SIZE, True, False)] if lead else []
        if text:
            runs.append(((" " if lead else "") + text, BODY_SIZE, False, False))
        _emit(marker, runs)


def _addressees(marker, names: list[str], side: str) -> None:
    if len(names) == 1:
        _emit(marker, [("Kính gửi: " + names[0].rstrip(" ;.,") + ".", BODY_SIZE, False, False)],
              align="center", first_line=None, after=6)
        return
    _emit(marker, [("Kính gửi:", BODY_SIZE, False, False)], **{**LEFT, "left": 1418})
    for i, name in enumerate(names):
        end = "." if i == len(names) - 1 else ";"
        _emit(marker, [("- " + name.rstrip(" ;.,") + end, BODY_SIZE, False, False)],
              **{**LEFT, "left": 2552, "after": 6 if end == "." else 0})


def _recipients(marker, recipients: list[dict], side: str) -> None:
    """Nơi nhận: label, then "- item;" (State) or "- item," (Party), the archive line last with "."."""
    ordered = [r for r in recipients if not r.get("is_archive")] + \
        [r for r in recipients if r.get("is_archive")]
    _emit(marker, [("Nơi nhận:", RECIPIENT_LABEL_SIZE, True, True)],
          **{**LEFT, "mark_size": RECIPIENT_LABEL_SIZE})
    sep = ";" if side == "state" else ","
    for i, rec in enumerate(ordered):
        end = "." if i == len(ordered) - 1 else sep
        text = rec["text"].strip().removeprefix("- ").rstrip(" ;.,")
        _emit(marker, [("- " + text + end, RECIPIENT_SIZE, False, False)],
              **{**LEFT, "mark_size": RECIPIENT_SIZE})


def _signature(marker, sig: dict | None, side: str) -> None:
    sig = sig or {}
    lines = [x for x in (sig.get("authority"), sig.get("title")) if x]
    for line in lines:
        _emit(marker, [(line.upper(), SIGNATURE_SIZE, True, False)], **CENTER)
    for _ in range(SIGNATURE_SPACE_LINES + (0 if lines else 1)):
        _emit(marker, [], **CENTER)
    _emit(marker, [(sig.get("name", ""), SIGNATURE_SIZE, True, False)], **CENTER)


def _table(marker, header: list[str], rows: list[list[str]], shares: list[float], size: float,
           centred_rows: int = 1) -> None:
    """A bordered data table with a repeated bold header row, inserted before the marker; the first
    `centred_rows` rows (the header, and a register's column numbers) and the first column centred."""
    widths = [round(kit.TEXT_WIDTH_TWIPS * s) for s in shares]
    table = kit.grid_table(marker.part.document._body, 1 + len(rows), widths)
    tbl = table._tbl
    marker._p.addprevious(tbl)
    for r, (tr, values) in enumerate(zip(tbl.findall(qn("w:tr")), [header] + rows)):
        for c, (tc, value) in enumerate(zip(tr.findall(qn("w:tc")), values)):
            old = tc.find(qn("w:p"))
            tc.replace(old, kit.make_paragraph(
                [(str(value), size, r == 0, False)], align="center" if (r < centred_rows or c == 0) else "left",
                first_line=None, before=2, after=2, line=1.0, mark_size=size))
    tr_pr = tbl.find(qn("w:tr")).get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    _emit(marker, [], align="left", first_line=None, after=6, line=1.0, mark_size=6)


def _opinions(marker, rows: list[dict], side: str) -> None:
    data = [[str(i), f"{r.get('name', '')}\n{r.get('role', '')}".strip(), r.get("opinion", "")]
            for i, r in enumerate(rows, 1)]
    _table(marker, ["TT", "Người cho ý kiến", "Ý kiến"], data, [0.08, 0.32, 0.60], 13)


def _figures(marker, rows: list[dict], side: str) -> None:
    data = [[str(i), r.get("label", ""), str(r.get("value", ""))] for i, r in enumerate(rows, 1)]
    _table(marker, ["TT", "Nội dung", "Kết quả"], data, [0.08, 0.62, 0.30], 13)


def _report_rows(marker, rows: list[dict], side: str) -> None:
    data = [[str(i), r.get("body", ""), STATUS_LABELS.get(str(r.get("status")), r.get("status", "")),
             r.get("summary", "")] for i, r in enumerate(rows, 1)]
    _table(marker, ["TT", "Cơ quan, đơn vị", "Tình trạng", "Tóm tắt kết quả"], data,
           [0.07, 0.33, 0.17, 0.43], 12)


# The registers of NĐ 30/2020 Phụ lục IV: one column per content the decree lists, in its order,
# numbered (1)…(n) under the headings as the decree's models print them.
OUTGOING_COLUMNS = (  # Phụ lục IV.I: sổ đăng ký văn bản đi, at least 10 contents
    ("number_symbol", "Số, ký hiệu văn bản", 0.10), ("date", "Ngày tháng văn bản", 0.08),
    ("type_subject", "Tên loại và trích yếu nội dung văn bản", 0.22), ("signer", "Người ký", 0.09),
    ("recipients", "Nơi nhận văn bản", 0.15), ("archive_holder", "Đơn vị, người nhận bản lưu", 0.08),
    ("copies", "Số lượng bản", 0.05), ("dispatched_on", "Ngày chuyển", 0.08), ("received_by", "Ký nhận", 0.08),
    ("note", "Ghi chú", 0.07))
INCOMING_COLUMNS = (  # Phụ lục IV.VI: sổ đăng ký văn bản đến, at least 10 contents
    ("received_on", "Ngày đến", 0.08), ("arrival_number", "Số đến", 0.06), ("sender", "Tác giả", 0.12),
    ("number_symbol", "Số, ký hiệu văn bản", 0.10), ("document_date", "Ngày tháng văn bản", 0.08),
    ("type_subject", "Tên loại và trích yếu nội dung văn bản", 0.22),
    ("handler", "Đơn vị hoặc người nhận", 0.12), ("assigned_on", "Ngày chuyển", 0.08),
    ("received_by", "Ký nhận", 0.07), ("note", "Ghi chú", 0.07))
FOLLOWUP_COLUMNS = (  # Phụ lục IV.VIII: sổ theo dõi giải quyết văn bản đến, at least 7 contents
    ("arrival_number", "Số đến", 0.07),
    ("document", "Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan, tổ chức ban hành văn bản", 0.27),
    ("handler", "Đơn vị hoặc người nhận", 0.15), ("deadline", "Thời hạn giải quyết", 0.10),
    ("progress", "Tiến độ giải quyết", 0.15), ("reply", "Số, ký hiệu văn bản trả lời", 0.14),
    ("note", "Ghi chú", 0.12))
REGISTER_SIZE = 10  # ten columns on a portrait A4 page


def _register(marker, columns: tuple, rows: list[dict]) -> None:
    """A register table: the decree's headings, the row of column numbers, then the entries."""
    header = [title for _, title, _ in columns]
    numbers = [f"({i})" for i in range(1, len(columns) + 1)]
    data = [numbers] + [[str(r.get(key, "") or "") for key, _, _ in columns] for r in rows]
    _table(marker, header, data, [share for _, _, share in columns], REGISTER_SIZE, centred_rows=2)


def _register_rows(marker, rows: list[dict], side: str) -> None:
    _register(marker, OUTGOING_COLUMNS, rows)


def _incoming_rows(marker, rows: list[dict], side: str) -> None:
    _register(marker, INCOMING_COLUMNS, rows)


def _followup_rows(marker, rows: list[dict], side: str) -> None:
    _register(marker, FOLLOWUP_COLUMNS, rows)


def _comment_rows(marker, rows: list[dict], side: str) -> None:
    """Bảng tổng hợp, tiếp thu, giải trình: who commented, what, and how it was handled."""
    data = [[str(i), r.get("body", ""), r.get("comment", ""),
             f"{r.get('handling', '')}: {r.get('response', '')}".strip(": ")] for i, r in enumerate(rows, 1)]
    _table(marker, ["TT", "Cơ quan góp ý", "Nội dung góp ý", "Tiếp thu, giải trình"], data,
           [0.06, 0.22, 0.36, 0.36], 12)


WRITERS: dict[str, Callable[[Paragraph, Any, str], None]] = {
    "legal_basis": _legal_basis,
    "body": _body,
    "addressees": _addressees,
    "recipients": _recipients,
    "signature": _signature,
    "opinions": _opinions,
    "figures": _figures,
    "report_rows": _report_rows,
    "register_rows": _register_rows,
    "incoming_rows": _incoming_rows,
    "followup_rows": _followup_rows,
    "comment_rows": _comment_rows,
}
