"""Plain text pasted from Word, split into the directive's numbered sections and sub-items.

A drafter copies the body of a directive out of Word: one paragraph per line, labels typed by hand
("1.", "2-", "II.", "a)", "2.1.") and sometimes a tab after them. Lines before the first label are
the preamble. A line holding a short title after its label ("1. Sở Giáo dục và Đào tạo", "a) Công
an tỉnh:") becomes the heading; a long one runs on from the label as its first paragraph, as the
documents print it. Blank lines and Word's bullets are dropped; nothing else is changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .directive import Item, Section

MAX_PASTE_CHARS = 200_000  # about 60 pages: a bound on the work, far above any directive
SECTION_RE = re.compile(r"^(?P<label>(?:\d{1,2}|[IVX]{1,5})[.-])(?!\d)\s*(?P<rest>.*)$")
ITEM_RE = re.compile(r"^(?P<label>[a-zđ]\)|\d{1,2}\.\d{1,2}\.?)\s*(?P<rest>.*)$")
HEADING_MAX = 150  # a title, not a sentence
BULLETS = "•◦▪·"


@dataclass
class Pasted:
    """What a paste gave: the paragraphs before the first section, then the sections."""

    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _clean(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\t", " ").strip()
    if line[:1] in BULLETS:
        line = line[1:].strip()
    return " ".join(line.split())


def _looks_like_heading(rest: str) -> bool:
    """A title after a label: short and not a finished sentence ("Công an tỉnh", "Các Sở, ngành:")."""
    return bool(rest) and len(rest) <= HEADING_MAX and not rest.endswith((".", ";", "./."))


def _labelled(label: str, rest: str) -> tuple[str | None, list[str]]:
    if _looks_like_heading(rest):
        return rest, []
    return None, [rest] if rest else []


def split_pasted(text: str) -> Pasted:
    """Split pasted plain text into preamble and sections with their items (see the module doc)."""
    if len(text) > MAX_PASTE_CHARS:
        raise ValueError(f"đoạn dán dài quá {MAX_PASTE_CHARS:,} ký tự; hãy dán từng phần")
    out = Pasted()
    section: Section | None = None
    item: Item | None = None
    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            continue
        item_match = ITEM_RE.match(line) if section is not None else None
        if item_match:
            label = item_match.group("label")
            if re.fullmatch(r"\d{1,2}\.\d{1,2}", label):
                label += "."
            heading, paragraphs = _labelled(label, item_match.group("rest"))
            item = Item(label=label, heading=heading, paragraphs=paragraphs)
            assert section is not None
            section.items.append(item)
            continue
        section_match = SECTION_RE.match(line)
        if section_match:
            heading, paragraphs = _labelled(section_match.group("label"), section_match.group("rest"))
            section = Section(label=section_match.group("label"), heading=heading, paragraphs=paragraphs)
            item = None
            out.sections.append(section)
            continue
        if item is not None:
            item.paragraphs.append(line)
        elif section is not None:
            section.paragraphs.append(line)
        else:
            out.preamble.append(line)
    return out
