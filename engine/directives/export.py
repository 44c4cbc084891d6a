"""The follow-up board as an Excel workbook (.xlsx, openpyxl), as offices send it upward.

Sheet "Tình hình thực hiện": one row per assigned body and reporting period with the columns of the
usual tracking table — STT, Cơ quan, Nhiệm vụ, Hạn, Tình trạng, Ngày nộp, Số ngày trễ, Ghi chú — and
the figures and rates below. Sheet "Theo kỳ báo cáo": one row per body, one column per period, each
cell the status words of engine/directives/tracking.py, coloured by status.

`board_workbook(session, directive_id, now)` is the plain function the web's download calls; it
reads only the board (two queries) whatever the number of bodies.
"""
from __future__ import annotations

import copy
import io
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from ..kernel.calendar import local_date
from ..model.codec import directive_from_dict
from ..model.directive import TYPE_NAMES
from . import tracking
from .store import get_directive_row

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPWARD_SHEET, GRID_SHEET = "Tình hình thực hiện", "Theo kỳ báo cáo"
UPWARD_COLUMNS = (("STT", 6), ("Cơ quan", 34), ("Nhiệm vụ", 60), ("Hạn", 12), ("Tình trạng", 28),
                  ("Ngày nộp", 12), ("Số ngày trễ", 11), ("Ghi chú", 36))
FILLS = {tracking.ON_TIME: "C6EFCE", tracking.LATE: "FFEB9C", tracking.IN_TIME: "FFFFFF",
         tracking.DUE_SOON: "FFD966", tracking.OVERDUE: "FFC7CE", tracking.CANCELLED: "D9D9D9"}
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True, size=12)
PLAIN = Font(name="Times New Roman", size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    mime_type: str = XLSX_MIME


def _day(moment: datetime | None) -> str:
    return f"{local_date(moment):%d/%m/%Y}" if moment is not None else ""


def _note(row: tracking.BoardRow, cell: tracking.Cell) -> str:
    parts = []
    if row.lead and cell.period_index == 0:
        parts.append("Cơ quan chủ trì")
    if cell.chase_count:
        parts.append(f"Đã đôn đốc {cell.chase_count} lần")
    if cell.escalated_at is not None:
        parts.append(f"Đã báo cáo lãnh đạo ngày {_day(cell.escalated_at)}")
    if cell.cancel_reason:
        parts.append(cell.cancel_reason)
    return "; ".join(parts)


def _report_name(label: str) -> str:
    return label if label.startswith("báo cáo") else f"báo cáo {label}"


def _title(d_label: str, subject: str, now: datetime) -> list[str]:
    return [f"TÌNH HÌNH THỰC HIỆN {d_label.upper()}", subject,
            f"(Số liệu đến ngày {local_date(now):%d/%m/%Y})"]


def _cell(ws: Any, value: Any, font: Font = PLAIN, alignment: Alignment | None = WRAP, border: bool = True,
          fill: str | None = None) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    # A board has tens of thousands of cells in a handful of styles: each style is registered in the
    # workbook once and its indexes copied to the next cells (openpyxl would hash the font, border…
    # of every cell again: 2.3× slower). The entry keeps the font and alignment it was made from, so
    # their ids cannot be reused by other objects while the workbook lives.
    styles = _STYLES.setdefault(ws.parent, {})
    key = (id(font), id(alignment), border, fill)
    known = styles.get(key)
    if known is not None:
        c._style = copy.copy(known[2])
        return c
    c.font = font
    if alignment is not None:
        c.alignment = alignment
    if border:
        c.border = BOX
    if fill is not None:
        c.fill = PatternFill("solid", fgColor=fill)
    styles[key] = (font, alignment, copy.copy(c._style))
    return c


_STYLES: weakref.WeakKeyDictionary[Any, dict[tuple, Any]] = weakref.WeakKeyDictionary()  # per workbook


def write_board(board: tracking.Board, *, label: str, subject: str) -> bytes:
    """The workbook of a board (both sheets) as bytes (openpyxl's write-only mode: rows streamed)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(UPWARD_SHEET)
    width = len(UPWARD_COLUMNS)
    for col, (_name, w) in enumerate(UPWARD_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.freeze_panes = "A6"
    last = get_column_letter(width)
    for i, text in enumerate(_title(label, subject, board.now), 1):
        ws.append([_cell(ws, text, BOLD if i == 1 else PLAIN, CENTER, border=False)])
        ws.merged_cells.add(f"A{i}:{last}{i}")
    ws.append([])
    ws.append([_cell(ws, name, BOLD, CENTER) for name, _w in UPWARD_COLUMNS])
    number = 0
    for row in board.rows:
        tasks = "; ".join(row.tasks)
        cells = [c for c in row.cells if c is not None]
        lines: list[tuple[list, str | None]] = []
        for k, cell in enumerate(cells):
            report = _report_name(cell.label)
            what = f"{tasks}\n— {report}" if tasks and k == 0 else report[:1].upper() + report[1:]
            lines.append(([row.body_name, what, f"{cell.due_date:%d/%m/%Y}", cell.words, _day(cell.submitted_at),
                           cell.late_days or None, _note(row, cell)], cell.status))
        if not cells:  # an assignment without reporting periods: its task and deadline only
            deadline = f"{row.deadline:%d/%m/%Y}" if row.deadline else ""
            lines.append(([row.body_name, tasks, deadline, "", "", None,
                           ("Cơ quan chủ trì; " if row.lead else "") + "không có kỳ báo cáo định kỳ"], None))
        for values, status in lines:
            number += 1
            ws.append([_cell(ws, value, alignment=CENTER if col in (1, 4, 6, 7) else WRAP,
                             fill=FILLS[status] if col == 5 and status is not None else None)
                       for col, value in enumerate([number, *values], 1)])
    ws.append([])
    ws.append([_cell(ws, tracking.rates_sentence(board.rates), border=False)])
    end = 5 + number + 2
    ws.merged_cells.add(f"A{end}:{last}{end}")
    _grid(wb.create_sheet(GRID_SHEET), board)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _grid(ws: Any, board: tracking.Board) -> None:
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 6, 36
    for i in range(len(board.columns)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 22
    ws.freeze_panes = "C2"
    header = [_cell(ws, "STT", BOLD, CENTER), _cell(ws, "Cơ quan", BOLD, CENTER)]
    for column in board.columns:
        due = f" (hạn {column.due_date:%d/%m/%Y})" if column.due_date else ""
        header.append(_cell(ws, f"{column.label}{due}", BOLD, CENTER))
    ws.append(header)
    for n, row in enumerate(board.rows, 1):
        ws.append([_cell(ws, n, alignment=CENTER), _cell(ws, row.body_name)]
                  + [_cell(ws, cell.words if cell is not None else "", alignment=CENTER,
                           fill=FILLS[cell.status] if cell is not None else None) for cell in row.cells])


def board_workbook(session: Session, directive_id: int, now: datetime, *, status: str | None = None,
                   body_code: str | None = None) -> Export:
    """The directive's follow-up board at `now` as an .xlsx download (filters as tracking.board)."""
    row = get_directive_row(session, directive_id)
    d = directive_from_dict(row.data)
    number = d.number_text or f"dự thảo {row.symbol}"
    label = f"{TYPE_NAMES.get(d.instrument, 'văn bản')} số {number}" if d.number_text else number
    board = tracking.board(session, directive_id, now, status=status, body_code=body_code)
    content = write_board(board, label=label, subject=" ".join(row.subject.split()))
    safe = (d.number_text or f"du-thao-{directive_id}").replace("/", "-").replace(" ", "-")
    return Export(f"Theo-doi-{safe}-{local_date(now):%Y%m%d}.xlsx", content)


def read_grid(content: bytes) -> list[list[str]]:
    """The status words of the grid sheet, one list per body (tests and checks)."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content), read_only=True)[GRID_SHEET]
    return [[str(v or "") for v in r[2:]] for r in ws.iter_rows(min_row=2, values_only=True)]
