"""Make an administrator's template the way Word would: the shipped .docx with one text run changed."""
from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from engine.documents.render import shipped_template

MOTTO = "Độc lập - Tự do - Hạnh phúc"
HEADING = {"state": MOTTO, "party": "ĐẢNG CỘNG SẢN VIỆT NAM"}  # a fixed run of every template
MARK = "MẪU ĐÃ THAY BỞI QUẢN TRỊ"


def edited_template(kind: str, side: str, old: str | None = None, new: str | None = None) -> bytes:
    """The shipped template of (kind, side) with the run whose text is `old` rewritten to `new`
    (by default the fixed heading run gets MARK appended)."""
    old = old or HEADING[side]
    new = new if new is not None else f"{old} {MARK}"
    doc = Document(io.BytesIO(shipped_template(kind, side)))
    paragraphs = (Paragraph(p, doc._body) for p in doc.element.body.iter(qn("w:p")))
    run = next(r for p in paragraphs for r in p.runs if r.text == old)
    run.text = new
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
