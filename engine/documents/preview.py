"""HTML preview of a .docx without an office suite: paragraphs with their alignment, indent, size,
bold and italic; tables (header and signature tables borderless, data tables ruled); line breaks;
rules and boxes. Every piece of text is HTML-escaped, so a document cannot inject markup."""
from __future__ import annotations

import io
from html import escape

from docx import Document
from docx.oxml.ns import qn

_ALIGN = {"both": "justify", "center": "center", "right": "right", "left": "left", "start": "left",
          "end": "right", "distribute": "justify"}
_CSS = """
.chithi-doc{font-family:'Times New Roman',Times,serif;color:#000;background:#fff;max-width:165mm;
 margin:0 auto;padding:20mm 15mm 20mm 30mm;box-shadow:0 0 4px #999}
.chithi-doc p{margin:0}
.chithi-doc table{border-collapse:collapse;width:100%}
.chithi-doc td{vertical-align:top;padding:0 2px}
.chithi-doc table.ruled td{border:1px solid #000;padding:2px 4px}
.chithi-doc .rule{border-top:1px solid #000;height:0;margin:2px auto}
.chithi-doc .box{border:1.5px solid #000;display:table;margin:2px auto;padding:0 6px}
"""


def preview_html(docx_bytes: bytes) -> str:
    """A self-contained HTML fragment (with its <style>) showing the document."""
    doc = Document(io.BytesIO(docx_bytes))
    parts = [f"<style>{_CSS}</style>", '<div class="chithi-doc">']
    for child in doc.element.body:
        if child.tag == qn("w:p"):
            parts.append(_paragraph(child))
        elif child.tag == qn("w:tbl"):
            parts.append(_table(child))
    parts.append("</div>")
    return "\n".join(parts)


def _paragraph(p) -> str:
    ppr = p.find(qn("w:pPr"))
    styles = []
    css_class = ""
    if ppr is not None:
        jc = ppr.find(qn("w:jc"))
        if jc is not None:
            styles.append(f"text-align:{_ALIGN.get(jc.get(qn('w:val')), 'left')}")
        ind = ppr.find(qn("w:ind"))
        if ind is not None:
            for attr, prop in (("w:firstLine", "text-indent"), ("w:left", "margin-left"),
                               ("w:right", "margin-right")):
                if ind.get(qn(attr)):
                    styles.append(f"{prop}:{int(ind.get(qn(attr))) / 20:.1f}pt")
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None and spacing.get(qn("w:after")):
            styles.append(f"margin-bottom:{int(spacing.get(qn('w:after'))) / 20:.1f}pt")
        borders = ppr.find(qn("w:pBdr"))
        if borders is not None:
            css_class = "box" if borders.find(qn("w:left")) is not None else "rule"
    content = "".join(_run(r) for r in p.iter(qn("w:r")))
    if css_class == "rule" and not content:
        left = _twips(ppr, "w:left")
        right = _twips(ppr, "w:right")
        return f'<div class="rule" style="margin-left:{left / 20:.1f}pt;margin-right:{right / 20:.1f}pt"></div>'
    if css_class == "box":
        return f'<p style="text-align:center"><span class="box">{content}</span></p>'
    return f'<p style="{";".join(styles)}">{content or "&nbsp;"}</p>'


def _twips(ppr, attr: str) -> int:
    ind = ppr.find(qn("w:ind")) if ppr is not None else None
    return int(ind.get(qn(attr)) or 0) if ind is not None else 0


def _run(r) -> str:
    if r.find(qn("w:instrText")) is not None or r.find(qn("w:fldChar")) is not None:
        return ""
    rpr = r.find(qn("w:rPr"))
    text = []
    for child in r:
        if child.tag == qn("w:t"):
            text.append(escape(child.text or ""))
        elif child.tag == qn("w:br"):
            text.append("<br>")
        elif child.tag == qn("w:tab"):
            text.append("&emsp;")
    html = "".join(text)
    if not html or rpr is None:
        return html
    style = []
    sz = rpr.find(qn("w:sz"))
    if sz is not None:
        style.append(f"font-size:{int(sz.get(qn('w:val'))) / 2:g}pt")
    if _on(rpr, "w:b"):
        style.append("font-weight:bold")
    if _on(rpr, "w:i"):
        style.append("font-style:italic")
    color = rpr.find(qn("w:color"))
    if color is not None and color.get(qn("w:val")) not in (None, "auto", "000000"):
        style.append(f"color:#{escape(color.get(qn('w:val')))}")
    return f'<span style="{";".join(style)}">{html}</span>'


def _on(rpr, tag: str) -> bool:
    el = rpr.find(qn(tag))
    return el is not None and el.get(qn("w:val")) not in ("0", "false", "off")


def _table(tbl) -> str:
    borders = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    ruled = borders is not None and any(el.get(qn("w:val")) not in ("nil", "none") for el in borders)
    rows = []
    for tr in tbl.findall(qn("w:tr")):
        cells = []
        for tc in tr.findall(qn("w:tc")):
            width = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            w = f' style="width:{int(width.get(qn("w:w"))) / 20:.0f}pt"' if width is not None else ""
            inner = "".join(_paragraph(c) if c.tag == qn("w:p") else _table(c)
                            for c in tc if c.tag in (qn("w:p"), qn("w:tbl")))
            cells.append(f"<td{w}>{inner}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="{"ruled" if ruled else "plain"}">{"".join(rows)}</table>'
