"""An independent reader of generated .docx files that checks the rules of document-format.md.

It trusts nothing the generator says: it opens the file with python-docx and raw XML, resolves
every run's font slots, size, bold and italic (run → paragraph style chain → document defaults) and
measures page setup, tables, borders, alignment and indents. `check(...)` returns a list of
problems, each naming the rule and the text it concerns; an empty list means the document passes.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from docx import Document
from docx.oxml.ns import qn

FONT = "Times New Roman"
SLOTS = ("ascii", "hAnsi", "cs", "eastAsia")
URGENCY = {"KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"}
TYPE_ABBREVIATIONS = {"CHỈ THỊ": "CT", "BÁO CÁO": "BC", "KẾ HOẠCH": "KH", "TỜ TRÌNH": "TTr",
                      "QUYẾT ĐỊNH": "QĐ", "THÔNG BÁO": "TB", "CÔNG ĐIỆN": "CĐ"}
TWIPS_PER_MM = 1440 / 25.4
# Registers, slips and tables that carry neither a number nor a signature block (NĐ 30/2020 Phụ lục
# IV models: the registers, the Phiếu giải quyết văn bản đến; a summary table annexed to a draft).
UNNUMBERED = {"register_page", "incoming_register_page", "incoming_followup_page", "incoming_slip",
              "consultation_summary"}
REGISTERS = {"register_page", "incoming_register_page", "incoming_followup_page"}


@dataclass
class Expect:
    """What the document should be: kind, side and the variant facts that change the rules."""

    kind: str
    side: str
    draft: bool = False
    urgency: str | None = None
    type_name: str | None = None  # None for a công văn / letter

    @property
    def letter(self) -> bool:
        return self.kind in ("transmittal_letter", "reminder_letter", "chasing_letter")

    @property
    def has_signature(self) -> bool:
        return self.kind not in UNNUMBERED


@dataclass
class _Styles:
    by_id: dict
    default_rpr: object = None
    default_para: str | None = None
    problems: list = field(default_factory=list)


def _val(el, attr="w:val"):
    return None if el is None else el.get(qn(attr))


def _on(rpr, tag):
    """Tri-state toggle: True/False when set in this rPr, None when absent."""
    if rpr is None:
        return None
    el = rpr.find(qn(tag))
    if el is None:
        return None
    return _val(el) not in ("0", "false", "off")


def _load_styles(doc) -> _Styles:
    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    default_para = next((sid for sid, s in by_id.items()
                         if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")), None)
    rpr = root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    return _Styles(by_id, rpr, default_para)


def _style_chain(styles: _Styles, style_id: str | None) -> list:
    chain, seen = [], set()
    sid = style_id or styles.default_para
    while sid and sid in styles.by_id and sid not in seen:
        seen.add(sid)
        chain.append(styles.by_id[sid])
        sid = _val(styles.by_id[sid].find(qn("w:basedOn")))
    return chain


@dataclass
class RunFormat:
    text: str
    fonts: dict
    size: float | None
    bold: bool
    italic: bool
    color: str | None


def run_format(styles: _Styles, p, r) -> RunFormat:
    """Resolve a run's effective formatting."""
    ppr = p.find(qn("w:pPr"))
    chain = _style_chain(styles, _val(ppr.find(qn("w:pStyle"))) if ppr is not None else None)
    rstyle = r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
    layers = [r.find(qn("w:rPr"))]
    layers += [s.find(qn("w:rPr")) for s in _style_chain(styles, _val(rstyle))] if rstyle is not None else []
    layers += [s.find(qn("w:rPr")) for s in chain] + [styles.default_rpr]
    fonts, size, bold, italic, color = {}, None, None, None, None
    for rpr in layers:
        if rpr is None:
            continue
        rf = rpr.find(qn("w:rFonts"))
        for slot in SLOTS:
            if slot not in fonts and rf is not None:
                if rf.get(qn(f"w:{slot}")):
                    fonts[slot] = rf.get(qn(f"w:{slot}"))
                elif rf.get(qn(f"w:{slot.lower()}Theme")) or rf.get(qn(f"w:{slot}Theme")):
                    fonts[slot] = "(theme font)"
        if size is None and rpr.find(qn("w:sz")) is not None:
            size = int(_val(rpr.find(qn("w:sz")))) / 2
        bold = _on(rpr, "w:b") if bold is None else bold
        italic = _on(rpr, "w:i") if italic is None else italic
        if color is None and rpr.find(qn("w:color")) is not None:
            color = _val(rpr.find(qn("w:color")))
    text = "".join(t.text or "" for t in r.iter(qn("w:t")))
    return RunFormat(text, fonts, size, bool(bold), bool(italic), color)


def _ptext(p) -> str:
    out = []
    for el in p.iter(qn("w:t"), qn("w:br")):
        out.append("\n" if el.tag == qn("w:br") else (el.text or ""))
    return "".join(out)


def _runs(styles, p) -> list[RunFormat]:
    return [run_format(styles, p, r) for r in p.iter(qn("w:r")) if r.find(qn("w:t")) is not None]


def _align(p) -> str:
    return _val(p.find(f"{qn('w:pPr')}/{qn('w:jc')}")) or "left"


def _has_border(p, sides=("top", "bottom")) -> bool:
    bdr = p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}")
    return bdr is not None and any(
        bdr.find(qn(f"w:{s}")) is not None and _val(bdr.find(qn(f"w:{s}"))) not in ("nil", "none")
        for s in sides)


def _indent(p, attr: str) -> int:
    ind = p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    return int(_val(ind, f"w:{attr}") or 0) if ind is not None else 0


def estimate_width(text: str, size: float, bold: bool) -> float:
    """Independent width estimate in twips (Times New Roman average advance widths)."""
    em = sum(0.25 if c == " " else 0.72 if c.isupper() else 0.5 if c.isdigit() else
             0.46 if c.isalpha() else 0.33 for c in text)
    return em * size * 20 * (1.05 if bold else 1.0)


class Checker:
    """Runs every rule that applies to one document; collect problems in `self.problems`."""

    def __init__(self, data: bytes, expect: Expect):
        self.doc = Document(io.BytesIO(data))
        self.expect = expect
        self.styles = _load_styles(self.doc)
        self.problems: list[str] = []
        self.body = self.doc.element.body
        self.tables = self.body.findall(qn("w:tbl"))

    def fail(self, rule: str, detail: str) -> None:
        self.problems.append(f"{rule}: {detail}")

    # -- page -------------------------------------------------------------------------------
    def check_page(self) -> None:
        sect = self.body.find(qn("w:sectPr"))
        size = sect.find(qn("w:pgSz"))
        w, h = int(_val(size, "w:w")), int(_val(size, "w:h"))
        if abs(w / TWIPS_PER_MM - 210) > 1 or abs(h / TWIPS_PER_MM - 297) > 1:
            self.fail("paper", f"not A4: {w / TWIPS_PER_MM:.1f} × {h / TWIPS_PER_MM:.1f} mm")
        if _val(size, "w:orient") == "landscape" or w > h:
            self.fail("paper", "not portrait")
        mar = sect.find(qn("w:pgMar"))
        for side, lo, hi in (("top", 20, 25), ("bottom", 20, 25), ("left", 30, 35), ("right", 15, 20)):
            mm = int(_val(mar, f"w:{side}")) / TWIPS_PER_MM
            if not lo - 0.1 <= mm <= hi + 0.1:
                self.fail("margins", f"{side} {mm:.1f} mm outside {lo}–{hi} mm")

    def check_page_numbers(self) -> None:
        sect = self.body.find(qn("w:sectPr"))
        if sect.find(qn("w:titlePg")) is None or _val(sect.find(qn("w:titlePg"))) in ("0", "false"):
            self.fail("page numbers", "no distinct first page (w:titlePg): page 1 would be numbered")
        refs = {_val(h, "w:type"): self.doc.part.related_parts[h.get(qn("r:id"))]
                for h in sect.findall(qn("w:headerReference"))}
        if "first" not in refs:
            self.fail("page numbers", "no first-page header")
        elif self._has_page_field(refs["first"].element):
            self.fail("page numbers", "page number printed on page 1")
        default = refs.get("default")
        if default is None or not self._has_page_field(default.element):
            self.fail("page numbers", "no PAGE field in the header of page 2 onwards")
            return
        for p in default.element.iter(qn("w:p")):
            if self._has_page_field(p):
                if _align(p) != "center":
                    self.fail("page numbers", "page number not centred")
                for r in p.iter(qn("w:r")):
                    fmt = run_format(self.styles, p, r)
                    if fmt.size is None or not 13 <= fmt.size <= 14:
                        self.fail("page numbers", f"page number size {fmt.size} not 13–14")
                        break

    @staticmethod
    def _has_page_field(el) -> bool:
        instr = " ".join((i.text or "") for i in el.iter(qn("w:instrText")))
        simple = " ".join(f.get(qn("w:instr")) or "" for f in el.iter(qn("w:fldSimple")))
        return "PAGE" in instr.upper() or "PAGE" in simple.upper()

    # -- fonts ------------------------------------------------------------------------------
    def check_fonts(self) -> None:
        parts = [self.doc.part.element] + [rel.target_part.element for rel in self.doc.part.rels.values()
                                           if rel.reltype.endswith(("/header", "/footer"))]
        for part in parts:
            for p in part.iter(qn("w:p")):
                for r in p.iter(qn("w:r")):
                    if r.find(qn("w:t")) is None and r.find(qn("w:instrText")) is None:
                        continue
                    fmt = run_format(self.styles, p, r)
                    bad = {s: fmt.fonts.get(s) for s in SLOTS if fmt.fonts.get(s) != FONT}
                    if bad:
                        self.fail("font", f"run {fmt.text[:30]!r} font slots {bad} are not {FONT}")
                    if fmt.color not in (None, "auto", "000000") and fmt.text.strip() not in URGENCY:
                        self.fail("font", f"run {fmt.text[:30]!r} is coloured {fmt.color}, not black")
                    if fmt.size is None:
                        self.fail("font", f"run {fmt.text[:30]!r} has no size")

    # -- header table ---------------------------------------------------------------------
    def _borderless(self, tbl, name: str) -> None:
        borders = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
        style = _val(tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}"))
        visible = borders is None and style not in (None, "TableNormal")
        if borders is not None:
            visible = any(_val(b) not in ("nil", "none") for b in borders)
        for tc_b in tbl.iter(qn("w:tcBorders")):
            visible = visible or any(_val(b) not in ("nil", "none") for b in tc_b)
        if visible:
            self.fail(name, "table has visible borders")

    def _columns(self, tbl, name: str) -> list[list]:
        grid = [int(_val(c, "w:w")) for c in tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")]
        if len(grid) != 2:
            self.fail(name, f"{len(grid)} columns, expected 2")
            return [[], []]
        share = grid[0] / sum(grid)
        if not 0.40 <= share <= 0.50:
            self.fail(name, f"left column {share:.0%} of the width, expected ≈45 %")
        cols = [[], []]
        for tr in tbl.findall(qn("w:tr")):
            for i, tc in enumerate(tr.findall(qn("w:tc"))[:2]):
                cols[i] += [p for p in tc.iter(qn("w:p"))]
        return cols

    def check_header(self) -> None:
        e, side = self.expect, self.expect.side
        if not self.tables:
            self.fail("header", "no header table")
            return
        tbl = self.tables[0]
        self._borderless(tbl, "header")
        left, right = self._columns(tbl, "header")
        text = lambda ps: [(_ptext(p), p) for p in ps if _ptext(p).strip()]  # noqa: E731
        left_t, right_t = text(left), text(right)
        if side == "state":
            self._expect_line(right_t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "national title", (12, 13), True)
            motto = self._expect_line(right_t, "Độc lập - Tự do - Hạnh phúc", "motto", (13, 14), True)
            if motto is not None:
                self._rule_after(motto, right, "motto", 0.8, 1.25)
            issuer = self._issuer(left_t, (12, 13))
            if issuer is not None:
                self._rule_after(issuer, left, "issuing body", 1 / 3 - 0.04, 0.5 + 0.05)
        else:
            title = self._expect_line(right_t, "ĐẢNG CỘNG SẢN VIỆT NAM", "Party title", (15, 15), True)
            if title is not None:
                self._rule_after(title, right, "Party title", 0.8, 1.25)
            issuer = self._issuer(left_t, (14, 14))
            if issuer is not None:
                nxt = [t for t, p in left_t]
                idx = [p for t, p in left_t].index(issuer)
                if idx + 1 >= len(nxt) or nxt[idx + 1].strip() != "*" or _align(left_t[idx + 1][1]) != "center":
                    self.fail("issuing body", "no centred '*' under the Party issuing body")
        self._number_line(left_t)
        self._date_line(right_t)
        self._urgency(left_t)
        if e.letter:
            vv = [(t, p) for t, p in left_t if t.startswith("V/v ")]
            if not vv:
                self.fail("công văn subject", "no 'V/v …' line under the number")
            for t, p in vv:
                self._sizes(p, t, (12, 13), bold=False, italic=None, rule="công văn subject")

    def _expect_line(self, lines, wanted, rule, sizes, bold):
        for t, p in lines:
            if t.strip() == wanted:
                self._sizes(p, t, sizes, bold=bold, rule=rule)
                if _align(p) != "center":
                    self.fail(rule, "not centred")
                return p
        self.fail(rule, f"missing {wanted!r}")
        return None

    def _issuer(self, lines, sizes):
        bolds = [(t, p) for t, p in lines if _runs(self.styles, p) and all(r.bold for r in _runs(self.styles, p))
                 and t.strip() != "*"]
        if not bolds:
            self.fail("issuing body", "no bold issuing body in the left column")
            return None
        t, p = bolds[0]
        if t != t.upper():
            self.fail("issuing body", f"{t!r} not upper case")
        self._sizes(p, t, sizes, bold=True, rule="issuing body")
        before = [(bt, bp) for bt, bp in lines[: [q for _, q in lines].index(p)]]
        for bt, bp in before:
            if bt != bt.upper() or any(r.bold for r in _runs(self.styles, bp)):
                self.fail("parent body", f"{bt!r} must be upper case and not bold")
            self._sizes(bp, bt, sizes if self.expect.side == "state" else (12, 14), bold=False,
                        rule="parent body")
        return p

    def _rule_after(self, text_p, paragraphs, rule, lo, hi):
        """A solid line right under a text paragraph, with length lo–hi × the text width."""
        idx = paragraphs.index(text_p)
        line_p = text_p if _has_border(text_p, ("bottom",)) else (
            paragraphs[idx + 1] if idx + 1 < len(paragraphs) and _has_border(paragraphs[idx + 1], ("top",))
            else None)
        if line_p is None:
            self.fail(rule, "no solid line under it")
            return
        runs = _runs(self.styles, text_p)
        lines = _ptext(text_p).split("\n")
        size = runs[0].size or 13
        text_w = max(estimate_width(ln, size, runs[0].bold) for ln in lines)
        cell = line_p.getparent()
        width = int(_val(cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}"), "w:w")) if cell.tag == qn("w:tc") else 9355
        mar = self.doc.element.body.find(f".//{qn('w:tblCellMar')}/{qn('w:left')}")
        margin = 2 * int(_val(mar, "w:w")) if (cell.tag == qn("w:tc") and mar is not None) else (
            216 if cell.tag == qn("w:tc") else 0)
        length = width - margin - _indent(line_p, "left") - _indent(line_p, "right")
        if not lo <= length / text_w <= hi:
            self.fail(rule, f"line is {length / text_w:.2f} × the text width, expected {lo:.2f}–{hi:.2f}")

    def _number_line(self, lines) -> None:
        e = self.expect
        found = [(t, p) for t, p in lines if t.startswith("Số")]
        if e.kind in UNNUMBERED:
            if found:
                self.fail("number", f"{e.kind} carries no number line: {found[0][0]!r}")
            return
        if not found:
            self.fail("number", "no number line in the left column")
            return
        t, p = found[0]
        if e.side == "state":
            pattern = r"Số: (?P<n>\d{2,}|\s+)/(?P<sym>[A-ZĐ][A-Za-zĐ]*(-[A-ZĐ][A-Za-zĐ0-9]*)+)"
            sizes = (13, 13)
        else:
            pattern = r"Số (?P<n>\d{2,}|\s+)-(?P<sym>[A-ZĐ][A-Za-zĐ]*/[A-ZĐ]+)"
            sizes = (14, 14)
        m = re.fullmatch(pattern, t)
        if not m:
            self.fail("number", f"{t!r} does not match the {e.side} number form")
        else:
            if e.draft and m.group("n").strip():
                self.fail("number", f"a draft must leave the number blank: {t!r}")
            if not e.draft and e.kind not in ("submission_slip",) and not m.group("n").strip():
                self.fail("number", f"an issued document needs its number: {t!r}")
            if " " in m.group("sym"):
                self.fail("number", "spaces inside the ký hiệu")
            abbr = re.split(r"[-/]", m.group("sym"))[0]
            wanted = TYPE_ABBREVIATIONS.get(e.type_name or "")
            if wanted and abbr != wanted:
                self.fail("number", f"ký hiệu {m.group('sym')!r} should start with {wanted!r} for {e.type_name}")
            if e.letter and e.side == "state" and abbr in TYPE_ABBREVIATIONS.values():
                self.fail("number", f"a công văn has no type abbreviation: {m.group('sym')!r}")
        self._sizes(p, t, sizes, bold=False, italic=False, rule="number")

    def _date_line(self, lines) -> None:
        e = self.expect
        found = [(t, p) for t, p in lines if ", ngày " in t]
        if e.kind in REGISTERS and not found:
            return
        if not found:
            self.fail("place and date", "no date line in the right column")
            return
        t, p = found[0]
        m = re.fullmatch(r"(?P<place>[^,]+), ngày (?P<d>\S+|\s+) tháng (?P<m>\S+|\s+) năm (?P<y>\d{4}|\s*)", t)
        if not m:
            self.fail("place and date", f"{t!r} is not 'Place, ngày DD tháng M năm YYYY'")
        elif e.draft:
            if m.group("d").strip():
                self.fail("place and date", f"a draft leaves the day blank: {t!r}")
        else:
            day, month = m.group("d"), m.group("m")
            if not re.fullmatch(r"\d{2}", day):
                self.fail("place and date", f"day {day!r} needs two digits")
            if not re.fullmatch(r"0[12]|[3-9]|1[0-2]", month):
                self.fail("place and date", f"month {month!r}: 01, 02, then 3–12 without leading zero")
        self._sizes(p, t, (13, 14) if e.side == "state" else (14, 14), italic=True, rule="place and date")

    def _urgency(self, lines) -> None:
        stamps = [(t, p) for t, p in lines if t.strip() in URGENCY]
        if self.expect.urgency is None:
            if stamps:
                self.fail("urgency", f"unexpected stamp {stamps[0][0]!r}")
            return
        if not stamps or stamps[0][0].strip() != self.expect.urgency:
            self.fail("urgency", f"no {self.expect.urgency!r} stamp in the left column")
            return
        t, p = stamps[0]
        self._sizes(p, t, (13, 14), bold=True, rule="urgency")
        if not _has_border(p, ("top", "bottom", "left", "right")):
            self.fail("urgency", "stamp is not boxed")
        if any((r.color or "").upper() != "FF0000" for r in _runs(self.styles, p)):
            self.fail("urgency", "stamp is not red")

    def _sizes(self, p, text, sizes, bold=None, italic=None, rule="") -> None:
        for r in _runs(self.styles, p):
            if not r.text.strip():
                continue
            if r.size is None or not sizes[0] <= r.size <= sizes[1]:
                self.fail(rule, f"{text[:40]!r} size {r.size}, expected {sizes[0]}–{sizes[1]}")
                return
            if bold is not None and r.bold != bold:
                self.fail(rule, f"{text[:40]!r} must {'' if bold else 'not '}be bold")
                return
            if italic is not None and r.italic != italic:
                self.fail(rule, f"{text[:40]!r} must {'' if italic else 'not '}be italic")
                return

    # -- title, subject, body -------------------------------------------------------------
    def _top_paragraphs(self):
        """Body-level paragraphs between the header table and the signature table."""
        children = list(self.body)
        start = children.index(self.tables[0]) + 1 if self.tables else 0
        end = children.index(self._bottom_table()) if self._bottom_table() is not None else len(children)
        return [c for c in children[start:end] if c.tag == qn("w:p")]

    def _bottom_table(self):
        for tbl in reversed(self.tables[1:]):
            if any(_ptext(p).strip() == "Nơi nhận:" for p in tbl.iter(qn("w:p"))):
                return tbl
        return None

    def check_title_and_body(self) -> None:
        e = self.expect
        paras = [p for p in self._top_paragraphs() if _ptext(p).strip() or _has_border(p)]
        if e.type_name:
            if not paras or _ptext(paras[0]).strip() != e.type_name:
                self.fail("type name", f"expected {e.type_name!r} first after the header")
                return
            sizes = (13, 14) if e.side == "state" else (15, 16)
            self._sizes(paras[0], e.type_name, sizes, bold=True, rule="type name")
            if _align(paras[0]) != "center":
                self.fail("type name", "not centred")
            subject = paras[1] if len(paras) > 1 else None
            if subject is None or not _ptext(subject).strip():
                self.fail("subject", "no subject under the type name")
                return
            self._sizes(subject, _ptext(subject), (13, 14) if e.side == "state" else (14, 15), bold=True,
                        rule="subject")
            if _align(subject) != "center":
                self.fail("subject", "not centred")
            self._rule_after(subject, paras, "subject", 0.2, 0.6)
            paras = paras[2:]
        elif e.letter and any(_ptext(p).strip() in ("CHỈ THỊ", "BÁO CÁO") for p in paras):
            self.fail("type name", "a công văn prints no type name")
        body = [p for p in paras if _ptext(p).strip()]
        addressees = self._addressees(body)
        body = [p for p in body if p not in addressees]
        self._body(body)

    def _addressees(self, paras) -> list:
        found = []
        for i, p in enumerate(paras):
            if _ptext(p).startswith("Kính gửi"):
                found.append(p)
                found += [q for q in paras[i + 1:] if _ptext(q).startswith("- ")][:50]
        wanted = self.expect.letter or self.expect.kind in ("body_report", "submission_slip")
        if wanted and not found:
            self.fail("addressees", "no 'Kính gửi:' line")
        for p in found:
            self._sizes(p, _ptext(p), (13, 14), rule="addressees")
        return found

    def _ppr(self, p, tag):
        """The first w:tag found on the paragraph, then its style chain, then the defaults."""
        ppr = p.find(qn("w:pPr"))
        layers = [ppr] + [s.find(qn("w:pPr")) for s in _style_chain(
            self.styles, _val(ppr.find(qn("w:pStyle"))) if ppr is not None else None)]
        layers.append(self.doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}"))
        for layer in layers:
            if layer is not None and layer.find(qn(tag)) is not None:
                return layer.find(qn(tag))
        return None

    def _body(self, paras) -> None:
        sizes_seen = set()
        lo, hi = (13, 14) if self.expect.side == "state" else (14, 15)
        italic_block = True
        for i, p in enumerate(paras):
            text = _ptext(p)
            runs = [r for r in _runs(self.styles, p) if r.text.strip()]
            if _align(p) != "both":
                self.fail("body", f"{text[:40]!r} not justified")
            ind = self._ppr(p, "w:ind")
            first = int(_val(ind, "w:firstLine") or 0) if ind is not None else 0
            if not (abs(first - 567) <= 15 or abs(first - 720) <= 15):
                self.fail("body", f"{text[:40]!r} first-line indent {first / 567:.2f} cm, not 1 or 1.27 cm")
            spacing = self._ppr(p, "w:spacing")
            gap = max(int(_val(spacing, "w:after") or 0), int(_val(spacing, "w:before") or 0)) \
                if spacing is not None else 0
            if gap < 120:
                self.fail("body", f"{text[:40]!r} spacing {gap / 20} pt < 6 pt between paragraphs")
            rule = _val(spacing, "w:lineRule") or "auto"
            line = int(_val(spacing, "w:line") or 240)
            if rule == "auto" and not 240 <= line <= 360:
                self.fail("body", f"{text[:40]!r} line spacing {line / 240:.2f}, not single to 1.5")
            for r in runs:
                sizes_seen.add(r.size)
                if r.size is None or not lo <= r.size <= hi:
                    self.fail("body", f"{text[:40]!r} size {r.size}, expected {lo}–{hi}")
                    break
            label = re.match(r"(\d+(\.\d+)*[.-]|[a-zđ]\))\s", text)
            if label and runs and runs[0].italic:
                self.fail("body", f"numbering {label.group(1)!r} must be upright")
            if label and runs and self.expect.type_name == "CHỈ THỊ" and not runs[0].bold:
                self.fail("body", f"section label {label.group(1)!r} must be bold")
            is_italic = bool(runs) and all(r.italic for r in runs)
            if italic_block and is_italic and self.expect.type_name == "CHỈ THỊ":
                nxt_italic = i + 1 < len(paras) and all(
                    r.italic for r in _runs(self.styles, paras[i + 1]) if r.text.strip())
                end = "." if not nxt_italic else ";"
                if not text.rstrip().endswith(end):
                    self.fail("legal basis", f"{text[-30:]!r} should end with {end!r}")
            italic_block = italic_block and is_italic
        if len(sizes_seen) > 1:
            self.fail("body", f"sizes not consistent in one document: {sorted(s or 0 for s in sizes_seen)}")

    # -- Nơi nhận and signature -----------------------------------------------------------
    def check_bottom(self) -> None:
        e = self.expect
        tbl = self._bottom_table()
        if tbl is None:
            self.fail("Nơi nhận", "no bottom table with 'Nơi nhận:'")
            return
        self._borderless(tbl, "signature table")
        left, right = self._columns(tbl, "signature table")
        first_tr = tbl.find(qn("w:tr"))
        tcs = first_tr.findall(qn("w:tc"))
        lines = [p for p in left if _ptext(p).strip()]
        if not lines or _ptext(lines[0]).strip() != "Nơi nhận:":
            self.fail("Nơi nhận", "the left column must start with 'Nơi nhận:'")
            return
        if lines[0] not in list(tcs[0].iter(qn("w:p"))):
            self.fail("Nơi nhận", "not in the first row")
        self._sizes(lines[0], "Nơi nhận:", (12, 12), bold=True, italic=True, rule="Nơi nhận")
        items = lines[1:]
        if not items:
            self.fail("Nơi nhận", "no recipients")
            return
        sep = ";" if e.side == "state" else ","
        for p in items[:-1]:
            t = _ptext(p)
            if not t.startswith("- ") or not t.endswith(sep):
                self.fail("Nơi nhận", f"{t!r} must start with '- ' and end with {sep!r}")
            self._sizes(p, t, (11, 11), bold=False, italic=False, rule="Nơi nhận item")
        last = _ptext(items[-1])
        wanted = r"- Lưu: VT, .+\." if e.side == "state" else r"- Lưu .+\."
        if not re.fullmatch(wanted, last, re.S):
            self.fail("Nơi nhận", f"last line {last!r} must be {'- Lưu: VT, <unit>.' if e.side == 'state' else '- Lưu <office>.'}")
        self._sizes(items[-1], last, (11, 11), bold=False, italic=False, rule="Nơi nhận item")
        sig = [p for p in right if _ptext(p).strip()]
        if not sig:
            self.fail("signature", "no signature block")
            return
        if sig[0] not in list(tcs[1].iter(qn("w:p"))):
            self.fail("signature", "signing authority not level with 'Nơi nhận:'")
        *titles, name = sig
        if not titles:
            self.fail("signature", "no title line")
        for p in titles:
            t = _ptext(p)
            if t != t.upper():
                self.fail("signature", f"{t!r} must be upper case")
            self._sizes(p, t, (13, 14), bold=True, rule="signature")
            if _align(p) != "center":
                self.fail("signature", f"{t!r} not centred")
        first = _ptext(titles[0]) if titles else ""
        if e.side == "party" and re.match(r"(TM|KT)\. ", first):
            self.fail("signature", f"Party signing uses T/M or K/T with a slash: {first!r}")
        if e.side == "party" and first.startswith("K/T") and len(titles) > 1 and \
                _ptext(titles[1]).strip() in ("PHÓ BÍ THƯ", "BÍ THƯ") and "BAN THƯỜNG VỤ" in first:
            self.fail("signature", "a (Deputy) Secretary signing for the Standing Committee writes T/M")
        if e.side == "state" and re.match(r"(T/M|K/T) ", first):
            self.fail("signature", f"State signing uses TM./KT.: {first!r}")
        gap = right.index(name) - right.index(titles[-1]) - 1 if titles else 0
        if gap < 2:
            self.fail("signature", "no space for signature and seal above the name")
        self._sizes(name, _ptext(name), (13, 14), bold=True, rule="signer name")
        if re.match(r"(TS|ThS|PGS|GS|KS)\.", _ptext(name)):
            self.fail("signer name", "no academic titles before the name")

    def check_draft_marker(self) -> None:
        e = self.expect
        children = list(self.body)
        before_header = children[: children.index(self.tables[0])] if self.tables else []
        boxed = [p for p in before_header if p.tag == qn("w:p") and "DỰ THẢO" in _ptext(p)]
        anywhere = any("DỰ THẢO" in _ptext(p) for p in self.body.iter(qn("w:p")))
        if e.draft and e.side == "party":
            if not boxed or not _has_border(boxed[0], ("top", "bottom", "left", "right")):
                self.fail("draft marker", "a Party draft needs a boxed 'DỰ THẢO' at the top")
        elif anywhere:
            self.fail("draft marker", "'DỰ THẢO' only belongs on Party drafts")

    def run(self) -> list[str]:
        """Every rule that applies to this kind and side."""
        self.check_page()
        self.check_page_numbers()
        self.check_fonts()
        self.check_header()
        self.check_title_and_body()
        self.check_draft_marker()
        if self.expect.has_signature:
            self.check_bottom()
        return self.problems


def check(data: bytes, expect: Expect) -> list[str]:
    """Problems of one .docx against document-format.md (empty when it passes)."""
    return Checker(data, expect).run()


def full_text(data: bytes) -> str:
    """All text of the body in reading order (tables row by row), one paragraph per line."""
    doc = Document(io.BytesIO(data))
    return "\n".join(_ptext(p) for p in doc.element.body.iter(qn("w:p")))
