"""Sizing of the drawn lines and boxes: the solid line under the motto is as long as the motto, the
line under the issuing body or subject 40 % of it, and a box (urgency stamp, DỰ THẢO) hugs its text.
Widths are estimated from Times New Roman's average advance widths (good to about 10 %)."""
from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from .docxkit import BOX_STYLE, CELL_MARGIN_TWIPS, RULE_STYLES, TEXT_WIDTH_TWIPS, border, order_ppr


def text_width_twips(text: str, size: float, bold: bool = False) -> int:
    """Rough printed width of one line in Times New Roman (good to ~10 %, enough for rules)."""
    em = 0.0
    for ch in text:
        if ch == " ":
            em += 0.25
        elif ch.isupper():
            em += 0.70
        elif ch.isdigit():
            em += 0.5
        elif ch.isalpha():
            em += 0.47
        else:
            em += 0.33
    if bold:
        em *= 1.06
    return round(em * size * 20)


def fit_rules(document) -> None:
    """Size each rule paragraph to the text above it: full length (motto) or 40 % (issuer, subject)."""
    body = document.element.body
    for p in body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None:
            continue
        share = _rule_share(document, style.get(qn("w:val")))
        if share is None:
            continue
        above = _previous_text_paragraph(p)
        if above is None:
            continue
        width = max(_line_widths(above)) * share
        container = _container_width(p)
        side = max(0, round((container - width) / 2))
        ind = p.pPr.find(qn("w:ind"))
        if ind is None:
            ind = OxmlElement("w:ind")
            p.pPr.append(ind)
        ind.set(qn("w:left"), str(side))
        ind.set(qn("w:right"), str(side))
        order_ppr(p.pPr)


def _rule_share(document, style_id: str) -> float | None:
    for name, share in RULE_STYLES.items():
        if style_id == name.replace(" ", ""):
            return share
    return None


def _previous_text_paragraph(p):
    node = p.getprevious()
    while node is not None:
        if node.tag == qn("w:p") and "".join(t.text or "" for t in node.iter(qn("w:t"))).strip():
            return node
        node = node.getprevious()
    return None


def _line_widths(p) -> list[int]:
    widths, line, size, bold = [], "", 13.0, False
    for r in p.iter(qn("w:r")):
        sz = r.find(f"{qn('w:rPr')}/{qn('w:sz')}")
        if sz is not None:
            size = int(sz.get(qn("w:val"))) / 2
        b = r.find(f"{qn('w:rPr')}/{qn('w:b')}")
        bold = b is not None and b.get(qn("w:val")) not in ("0", "false")
        for child in r:
            if child.tag == qn("w:t"):
                line += child.text or ""
            elif child.tag == qn("w:br"):
                widths.append(text_width_twips(line, size, bold))
                line = ""
    widths.append(text_width_twips(line, size, bold))
    return widths


def _container_width(p) -> int:
    parent = p.getparent()
    if parent.tag == qn("w:tc"):
        w = parent.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        if w is not None and w.get(qn("w:type")) == "dxa":
            return int(w.get(qn("w:w"))) - 2 * CELL_MARGIN_TWIPS
    return TEXT_WIDTH_TWIPS


def boxed(paragraph, width_twips: int, container_twips: int, align: str = "center") -> None:
    """Draw a box around a short paragraph (urgency stamp, DỰ THẢO marker) of the given width."""
    ppr = paragraph._p.get_or_add_pPr()
    border(ppr, ("top", "left", "bottom", "right"), size_eighths=8)
    spare = max(0, container_twips - width_twips)
    left = spare // 2 if align == "center" else (spare if align == "right" else 0)
    right = spare - left
    paragraph.paragraph_format.left_indent = Mm(left / 1440 * 25.4)
    paragraph.paragraph_format.right_indent = Mm(right / 1440 * 25.4)


def fit_boxes(doc) -> None:
    """Size boxed paragraphs (urgency stamp, DỰ THẢO) to their text plus a little padding."""
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None or style.get(qn("w:val")) != BOX_STYLE.replace(" ", ""):
            continue
        para = Paragraph(p, doc._body)
        if not para.text.strip():
            continue
        width = max(_line_widths(p)) + 360
        align = para.paragraph_format.alignment
        where = {1: "center", 2: "right"}.get(int(align) if align is not None else 0, "left")
        boxed(para, width, _container_width(p), align=where)
        para.paragraph_format.alignment = 1  # text centred inside its box
