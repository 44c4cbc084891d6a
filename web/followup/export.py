"""The board as a printable .docx (landscape table), for its PDF."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from engine.kernel.calendar import local


def board_docx(view) -> bytes:
    b = view.board
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(11)
    doc.add_heading("BẢNG THEO DÕI THỰC HIỆN", level=1)
    doc.add_paragraph(view.title)
    r = b.rates
    rate = "—" if r.on_time_rate is None else f"{r.on_time_rate * 100:.1f}%"
    done = "—" if r.completion_rate is None else f"{r.completion_rate * 100:.1f}%"
    doc.add_paragraph(f"Tính đến {local(b.now).strftime('%d/%m/%Y %H:%M')}: đúng hạn {r.on_time}, trễ hạn {r.late}, "
                      f"quá hạn {r.overdue}, trong hạn {r.in_time + r.due_soon}; tỷ lệ đúng hạn {rate}, "
                      f"tỷ lệ hoàn thành {done}.")
    table = doc.add_table(rows=1, cols=2 + len(b.columns))
    table.style = "Table Grid"
    head = table.rows[0].cells
    head[0].text, head[1].text = "STT", "Cơ quan"
    for i, column in enumerate(b.columns):
        due = f" (hạn {column.due_date.strftime('%d/%m/%Y')})" if column.due_date else ""
        head[2 + i].text = column.label + due
    for n, row in enumerate(b.rows, 1):
        cells = table.add_row().cells
        cells[0].text = str(n)
        cells[1].text = row.body_name + (" (chủ trì)" if row.lead else "")
        for i, cell in enumerate(row.cells):
            if cell is None:
                continue
            text = cell.words
            if cell.late_days:
                text += f" ({cell.late_days} ngày)"
            cells[2 + i].text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
