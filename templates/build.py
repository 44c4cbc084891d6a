"""Build the shipped official-document templates (templates/<kind>.<side>.docx) from this source.

Run `python templates/build.py` from the repository root after changing a layout; the output is
byte-for-byte reproducible (fixed core properties and zip timestamps), and a test proves the
committed files equal a fresh build. An administrator may replace any of them with a .docx edited
in Word or LibreOffice; the placeholders are documented in engine/documents/kinds.py.
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from engine.documents import docxkit as kit  # noqa: E402
from engine.documents.kinds import KINDS, SIDES  # noqa: E402

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime(2024, 1, 1, tzinfo=UTC)

# Sizes per side (points), inside the ranges of document-format.md.
SIZES = {
    "state": {"parent": 13, "issuer": 13, "title": 12, "motto": 13, "number": 13, "date": 14,
              "type": 14, "subject": 14, "body": 14, "cv": 12, "urgency": 13, "draft": 14},
    "party": {"parent": 14, "issuer": 14, "title": 15, "motto": 14, "number": 14, "date": 14,
              "type": 16, "subject": 14, "body": 14, "cv": 12, "urgency": 14, "draft": 14},
}


def build_template(kind: str, side: str) -> bytes:
    """The .docx bytes of one shipped template."""
    spec = KINDS[kind]
    size = SIZES[side]
    doc = Document()
    kit.setup_styles(doc, size["body"])
    kit.setup_page(doc)
    _core_properties(doc, spec.title)
    body = doc._body
    # python-docx's blank document starts with no paragraph; everything is appended in order.
    if kind == "directive_draft" and side == "party":
        p = _text(body, "{{ draft_label }}", size["draft"], bold=True, align="right", style=kit.BOX_STYLE)
        p.paragraph_format.space_after = kit.Pt(6)
    _header_table(body, side, spec.layout, size)
    if spec.layout == "named":
        _text(body, "{{ type_name }}", size["type"], bold=True, align="center", before=12,
              keep_next=True)
        _text(body, "{{ subject }}", size["subject"], bold=True, align="center", keep_next=True)
        kit.rule_paragraph(body, "Chithi Rule Short")
        _spacer(body, 6)
    else:
        _spacer(body, 6)
    for block in spec.blocks:
        if block in ("recipients", "signature"):
            continue
        _text(body, "{{ %s }}" % block, size["body"])
    if "signature" in spec.blocks:
        _spacer(body, 6)
        table = kit.borderless_table(body, 1, kit.signature_widths())
        kit.outdent_table(table)
        left, right = table.rows[0].cells
        _text(left, "{{ recipients }}", 12, into_first=True)
        _text(right, "{{ signature }}", size["body"], into_first=True)
    return _reproducible_zip(doc)


def _header_table(body, side: str, layout: str, size: dict) -> None:
    """Two rows × two columns, borderless: bodies | national title; number | place and date."""
    table = kit.borderless_table(body, 2, kit.header_widths())
    kit.outdent_table(table, kit.HEADER_OUTDENT_TWIPS)
    (left1, right1), (left2, right2) = (row.cells for row in table.rows)
    _text(left1, "{{ parent_issuer }}", size["parent"], align="center", into_first=True)
    _text(left1, "{{ issuer }}", size["issuer"], bold=True, align="center")
    if side == "state":
        kit.rule_paragraph(left1, "Chithi Rule Short")
        _text(right1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size["title"], bold=True, align="center",
              into_first=True)
        _text(right1, "Độc lập - Tự do - Hạnh phúc", size["motto"], bold=True, align="center")
        kit.rule_paragraph(right1, "Chithi Rule Full")
    else:
        _text(left1, "*", size["issuer"], align="center")
        _text(right1, "ĐẢNG CỘNG SẢN VIỆT NAM", size["title"], bold=True, align="center",
              into_first=True)
        kit.rule_paragraph(right1, "Chithi Rule Full")
    _text(left2, "{{ number_line }}", size["number"], align="center", before=6, into_first=True)
    if layout == "letter":
        _text(left2, "{{ cv_subject }}", size["cv"], align="center", before=6)
    urgency = _text(left2, "{{ urgency }}", size["urgency"], bold=True, align="center", before=6,
                    color="FF0000", style=kit.BOX_STYLE)
    urgency.paragraph_format.space_before = kit.Pt(6)
    _text(right2, "{{ place_date }}", size["date"], italic=True, align="center", before=6,
          into_first=True)


def _text(container, text: str, size: float, bold: bool = False, italic: bool = False,
          align: str = "left", before: float = 0, into_first: bool = False, color: str | None = None,
          style: str | None = None, keep_next: bool = False):
    if into_first and container.paragraphs and not container.paragraphs[0].text:
        p = container.paragraphs[0]
        if style:
            p.style = container.part.document.styles[style]
    else:
        p = container.add_paragraph(style=style)
    kit.paragraph_format(p, align=align, before=before, keep_next=keep_next)
    kit.set_paragraph_mark_font(p, size)
    kit.add_run(p, text, size, bold=bold, italic=italic, color=color)
    return p


def _spacer(container, size: float) -> None:
    p = container.add_paragraph()
    kit.paragraph_format(p)
    kit.set_paragraph_mark_font(p, size)


def _core_properties(doc, title: str) -> None:
    props = doc.core_properties
    props.title = title
    props.author = "chithi"
    props.last_modified_by = "chithi"
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1


def _prune_styles(doc) -> None:
    """Keep only the styles the layout uses (and what they are based on): a small, fast template."""
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    used = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "Header", "Footer"}
    for part in [doc.part] + [rel.target_part for rel in doc.part.rels.values()
                              if rel.reltype.endswith(("/header", "/footer"))]:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used |= {el.get(qn("w:val")) for el in part.element.iter(qn(tag))}
    by_id = {el.get(qn("w:styleId")): el for el in styles.findall(qn("w:style"))}
    keep, todo = set(), [s for s in used if s in by_id]
    while todo:
        sid = todo.pop()
        if sid in keep:
            continue
        keep.add(sid)
        for ref in ("w:basedOn", "w:next", "w:link"):
            el = by_id[sid].find(qn(ref))
            if el is not None and el.get(qn("w:val")) in by_id:
                todo.append(el.get(qn("w:val")))
    for sid, el in by_id.items():
        if sid not in keep:
            styles.remove(el)


# Parts of python-docx's blank document that the templates do not need.
DROPPED_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")


def _reproducible_zip(doc) -> bytes:
    """Save, drop unneeded parts, rewrite with fixed timestamps: two builds give identical bytes."""
    _prune_styles(doc)
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename.startswith(DROPPED_PARTS):
                continue
            content = src.read(info.filename)
            if info.filename.endswith((".rels", "[Content_Types].xml")):
                content = _drop_references(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, content)
    return out.getvalue()


def _drop_references(xml: bytes) -> bytes:
    """Remove relationships and overrides that point at dropped parts."""
    text = xml.decode("utf-8")
    for name in ("stylesWithEffects.xml", "thumbnail.jpeg", "customXml/"):
        text = re.sub(r'<(Relationship|Override)\b[^>]*%s[^>]*/>' % re.escape(name), "", text)
    return text.encode("utf-8")


def template_path(kind: str, side: str, directory: Path = HERE) -> Path:
    """Where the shipped template of a kind and side lives."""
    return directory / f"{kind}.{side}.docx"


def build_all(directory: Path = HERE) -> list[Path]:
    """Write every kind × side template into `directory`; returns the paths written."""
    written = []
    for kind in KINDS:
        for side in SIDES:
            path = template_path(kind, side, directory)
            path.write_bytes(build_template(kind, side))
            written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build_all():
        print(written_path.relative_to(HERE.parent))
