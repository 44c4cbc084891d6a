"""Formatting primitives over python-docx: Times New Roman in every font slot, page setup, rules
(the short solid lines of NĐ 30 / HD 36), boxes, borderless tables, the page-number header.

Both the template builder (templates/build.py) and the renderer use these, so a rule is written once.
"""
from __future__ import annotations

import re
from functools import lru_cache

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

FONT = "Times New Roman"
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")
THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme")

# Page: A4 portrait, margins inside the NĐ 30 ranges (top/bottom 20–25, left 30–35, right 15–20 mm).
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_TWIPS = round((PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 1440)
LEFT_COL_SHARE = 0.45
FIRST_LINE_INDENT = Mm(12.7)  # 1.27 cm
RULE_STYLES = {"Chithi Rule Full": 1.0, "Chithi Rule Short": 0.4}  # line length / text width
BOX_STYLE = "Chithi Box"
HEADER_OUTDENT_TWIPS = 340  # 6 mm
CELL_MARGIN_TWIPS = 57  # 1 mm


def set_run_font(rpr_parent, size: float | None = None, bold: bool | None = None,
                 italic: bool | None = None, color: str | None = None) -> None:
    """Put Times New Roman in all four font slots of a run (or style) and set size/bold/italic."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in THEME_SLOTS:
        if fonts.get(qn(slot)) is not None:
            del fonts.attrib[qn(slot)]
    for slot in FONT_SLOTS:
        fonts.set(qn(slot), FONT)
    _toggle(rpr, "w:b", bold)
    _toggle(rpr, "w:bCs", bold)
    _toggle(rpr, "w:i", italic)
    _toggle(rpr, "w:iCs", italic)
    if color is not None:
        _replace(rpr, "w:color", {"w:val": color})
    if size is not None:
        half_points = str(round(size * 2))
        _replace(rpr, "w:sz", {"w:val": half_points})
        _replace(rpr, "w:szCs", {"w:val": half_points})
    _reorder_rpr(rpr)


_RPR_ORDER = ["w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:strike", "w:color",
              "w:spacing", "w:sz", "w:szCs", "w:highlight", "w:u", "w:vertAlign", "w:lang"]


def _reorder_rpr(rpr) -> None:
    """Keep rPr children in schema order (Word rejects out-of-order elements)."""
    rank = {qn(tag): i for i, tag in enumerate(_RPR_ORDER)}
    children = list(rpr)
    children.sort(key=lambda el: rank.get(el.tag, len(rank)))
    for child in children:
        rpr.append(child)


def _toggle(rpr, tag: str, value: bool | None) -> None:
    if value is None:
        return
    el = rpr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        rpr.append(el)
    if value:
        el.attrib.pop(qn("w:val"), None)
    else:
        el.set(qn("w:val"), "0")


def _replace(parent, tag: str, attrs: dict[str, str]):
    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k), v)
    parent.append(el)
    return el


def add_run(paragraph, text: str, size: float, bold: bool = False, italic: bool = False,
            color: str | None = None):
    """Append a run with explicit font, size and style; "\\n" in text becomes a line break."""
    run = paragraph.add_run()
    set_run_font(run._r, size=size, bold=bold, italic=italic, color=color)
    write_text(run, text)
    return run


def write_text(run, text: str) -> None:
    """Replace a run's text; newlines become <w:br/>, characters illegal in XML are dropped."""
    for child in list(run._r):
        if child.tag in (qn("w:t"), qn("w:br"), qn("w:tab")):
            run._r.remove(child)
    lines = clean_text(text).split("\n")
    for i, line in enumerate(lines):
        if i:
            run._r.append(OxmlElement("w:br"))
        if line:
            t = OxmlElement("w:t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run._r.append(t)


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop control characters XML 1.0 cannot hold (a pasted \\x0c would corrupt the file)."""
    return _ILLEGAL_XML.sub("", str(text))


def paragraph_format(paragraph, align: str = "left", first_line=None, before: float = 0,
                     after: float = 0, line: float | None = 1.0, left=None, right=None,
                     keep_next: bool = False) -> None:
    """Alignment, indents (Length), spacing in points, line spacing as a multiple."""
    fmt = paragraph.paragraph_format
    fmt.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.first_line_indent = first_line
    fmt.left_indent = left
    fmt.right_indent = right
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if keep_next:
        fmt.keep_with_next = True


def set_paragraph_mark_font(paragraph, size: float) -> None:
    """Font of the paragraph mark, so even an empty paragraph has no fallback font."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    holder = _RprHolder(rpr)
    set_run_font(holder, size=size)


class _RprHolder:
    def __init__(self, rpr):
        self._rpr = rpr

    def get_or_add_rPr(self):  # noqa: N802 - python-docx's name
        """The wrapped rPr."""
        return self._rpr


def border(ppr_or_tcpr, sides: tuple[str, ...], tag: str = "w:pBdr", size_eighths: int = 6,
           val: str = "single", color: str = "000000") -> None:
    """Add a border (line) on the given sides of a paragraph or cell."""
    box = ppr_or_tcpr.find(qn(tag))
    if box is None:
        box = OxmlElement(tag)
        ppr_or_tcpr.append(box)
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), val)
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), color)
        box.append(el)
    order_ppr(ppr_or_tcpr)


_PPR_ORDER = ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:widowControl",
              "w:numPr", "w:pBdr", "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"]


def order_ppr(ppr) -> None:
    """Keep pPr children in schema order (Word rejects out-of-order elements)."""
    if ppr.tag != qn("w:pPr"):
        return
    rank = {qn(tag): i for i, tag in enumerate(_PPR_ORDER)}
    children = list(ppr)
    children.sort(key=lambda el: rank.get(el.tag, len(rank) - 1))
    for child in children:
        ppr.append(child)


def setup_page(document) -> None:
    """A4 portrait, NĐ 30 margins, distinct first-page header, page number centred from page 2."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    paragraph_format(first, align="center")
    set_paragraph_mark_font(first, 14)
    header_p = section.header.paragraphs[0]
    paragraph_format(header_p, align="center")
    set_paragraph_mark_font(header_p, 14)
    _page_field(header_p, 14)
    for part in (section.footer, section.first_page_footer):
        set_paragraph_mark_font(part.paragraphs[0], 14)


def _page_field(paragraph, size: float) -> None:
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"),
                       ("end", None)):
        run = paragraph.add_run()
        set_run_font(run._r, size=size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            write_text(run, text or "")
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


def setup_styles(document, body_size: float) -> None:
    """Times New Roman in docDefaults and every style (no theme fonts), black, body size default."""
    styles_el = document.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(f"{qn('w:rPrDefault')}")
    holder = _RprHolder(rpr_default.find(qn("w:rPr")))
    set_run_font(holder, size=body_size, color="000000")
    ppr_default = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    if ppr_default is not None:
        _replace(ppr_default, "w:spacing", {"w:after": "0", "w:line": "240", "w:lineRule": "auto"})
    lang = holder.get_or_add_rPr().find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    for fonts in styles_el.iter(qn("w:rFonts")):
        for slot in THEME_SLOTS:
            fonts.attrib.pop(qn(slot), None)
        for slot in FONT_SLOTS:
            fonts.set(qn(slot), FONT)
    for color in styles_el.iter(qn("w:color")):
        color.set(qn("w:val"), "000000")
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
    normal = document.styles["Normal"]
    set_run_font(normal.element, size=body_size)
    for name in (*RULE_STYLES, BOX_STYLE):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        set_run_font(style.element, size=body_size)


def rule_paragraph(before_element_parent, style_name: str):
    """An empty paragraph carrying a solid top border: a rule under the text above it."""
    p = before_element_parent.add_paragraph(style=style_name)
    paragraph_format(p, align="center", line=None, before=3)
    p.paragraph_format.line_spacing = Pt(2)
    set_paragraph_mark_font(p, 2)
    border(p._p.get_or_add_pPr(), ("top",), size_eighths=6)
    return p


def borderless_table(container, rows: int, widths_twips: list[int]):
    """A table with no borders and fixed column widths (header and signature tables)."""
    table = container.add_table(rows, len(widths_twips), Twips(sum(widths_twips)))
    tbl_pr = table._tbl.tblPr
    for tag in ("w:tblStyle",):
        el = tbl_pr.find(qn(tag))
        if el is not None:
            tbl_pr.remove(el)
    _replace(tbl_pr, "w:tblW", {"w:w": str(sum(widths_twips)), "w:type": "dxa"})
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)
    _replace(tbl_pr, "w:tblLayout", {"w:type": "fixed"})
    _order_tblpr(tbl_pr)
    set_widths(table, widths_twips)
    return table


def grid_table(container, rows: int, widths_twips: list[int]):
    """A table with single black borders (data tables: assignments, figures, register rows)."""
    table = borderless_table(container, rows, widths_twips)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    for el in borders:
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return table


def _order_tblpr(tbl_pr) -> None:
    order = ["w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
             "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
             "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"]
    rank = {qn(t): i for i, t in enumerate(order)}
    for child in sorted(list(tbl_pr), key=lambda el: rank.get(el.tag, len(rank))):
        tbl_pr.append(child)


def set_widths(table, widths_twips: list[int]) -> None:
    """Fix grid and cell widths in twips."""
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_twips):
        col.set(qn("w:w"), str(w))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_twips):
            tc_pr = cell._tc.get_or_add_tcPr()
            _replace(tc_pr, "w:tcW", {"w:w": str(w), "w:type": "dxa"})
            tc_pr.insert(0, tc_pr.find(qn("w:tcW")))


def header_widths() -> list[int]:
    """Left ≈ 45 %, right ≈ 55 % of the header table, which reaches HEADER_OUTDENT into the left
    margin so "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" fits on one line at 12 pt."""
    total = TEXT_WIDTH_TWIPS + HEADER_OUTDENT_TWIPS
    left = round(total * LEFT_COL_SHARE)
    return [left, total - left]


def outdent_table(table, twips: int = 0) -> None:
    """Shift a table left into the margin by `twips` and use 1 mm cell margins."""
    tbl_pr = table._tbl.tblPr
    _replace(tbl_pr, "w:tblInd", {"w:w": str(-twips), "w:type": "dxa"})
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    old = tbl_pr.find(qn("w:tblCellMar"))
    if old is not None:
        tbl_pr.remove(old)
    tbl_pr.append(mar)
    _order_tblpr(tbl_pr)


# Fast path: paragraphs built from cached XML skeletons (python-docx's property setters cost
# ~0.3 ms per paragraph; a directive has hundreds). Only format values are cached, never text.
_JC = {"left": "left", "center": "center", "right": "right", "justify": "both"}


@lru_cache(maxsize=256)
def _rpr_xml(size: float, bold: bool, italic: bool, color: str | None) -> str:
    fonts = " ".join(f'{slot}="{FONT}"' for slot in FONT_SLOTS)
    flags = ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
    colour = f'<w:color w:val="{color}"/>' if color else ""
    half = round(size * 2)
    return f'<w:rPr><w:rFonts {fonts}/>{flags}{colour}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'


@lru_cache(maxsize=256)
def _ppr_xml(align: str, first_line: int | None, left: int | None, before: float, after: float,
             line: float, mark_size: float) -> str:
    spacing = (f'<w:spacing w:before="{round(before * 20)}" w:after="{round(after * 20)}" '
               f'w:line="{round(line * 240)}" w:lineRule="auto"/>')
    ind = ""
    if first_line is not None or left is not None:
        ind = "<w:ind" + (f' w:left="{left}"' if left is not None else "") + \
            (f' w:firstLine="{first_line}"' if first_line is not None else "") + "/>"
    return f'<w:pPr>{spacing}{ind}<w:jc w:val="{_JC[align]}"/>{_rpr_xml(mark_size, False, False, None)}</w:pPr>'


def make_paragraph(runs: list[tuple], align: str = "justify", first_line: int | None = 720,
                   left: int | None = None, before: float = 0, after: float = 6, line: float = 1.15,
                   mark_size: float = 14):
    """A w:p element; runs are (text, size, bold, italic[, color]); indents in twips."""
    head = _ppr_xml(align, first_line, left, before, after, line, mark_size)
    body = "".join(f"<w:r>{_rpr_xml(r[1], r[2], r[3], r[4] if len(r) > 4 else None)}</w:r>" for r in runs)
    p = parse_xml(f'<w:p {nsdecls("w")}>{head}{body}</w:p>')
    for r_el, run in zip(p.findall(qn("w:r")), runs):
        _append_text(r_el, run[0])
    return p


def _append_text(r_el, text: str) -> None:
    for i, line in enumerate(clean_text(text).split("\n")):
        if i:
            r_el.append(OxmlElement("w:br"))
        if line:
            t = OxmlElement("w:t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r_el.append(t)


def signature_widths() -> list[int]:
    """Bottom table (Nơi nhận | signature): 45 % / 55 % of the text width."""
    left = round(TEXT_WIDTH_TWIPS * LEFT_COL_SHARE)
    return [left, TEXT_WIDTH_TWIPS - left]
