"""What changed between two versions of a directive, part by part, as a reviewer reads it.

The directive is cut into the parts a reviewer names ("Trích yếu", "Căn cứ", "Mục 2. Các sở, ban,
ngành", "Mục 2.a) Công an tỉnh", "Giao nhiệm vụ", "Nơi nhận", "Người ký"…). Parts are aligned on
their text, so a section inserted in the middle shows as one addition (and renumbered sections as
renumbered), not as every later section changed. A changed part carries a word-level diff:
segments ("same" | "ins" | "del", text) to be shown with the insertions and deletions marked.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .directive import FREQUENCY_LABELS, Assignment, Directive

MAX_DIFF_WORDS = 20_000  # per part: bounds the work of the word diff


@dataclass(frozen=True)
class Part:
    """One part of the directive: its kind and label (for alignment and display) and its text."""

    kind: str  # header | section | item | assignments | recipients | signature
    label: str  # "Mục 2.a)" — what a reader calls it
    title: str  # heading shown after the label, may be empty
    text: str


@dataclass
class PartChange:
    """A part added, removed, changed or only renumbered between two versions."""

    status: str  # added | removed | changed | renumbered
    label: str
    title: str
    old_label: str | None = None
    segments: list[tuple[str, str]] = field(default_factory=list)  # (same|ins|del, text)


def _paragraphs(lines: list[str]) -> str:
    return "\n".join(line.strip() for line in lines if line and line.strip())


def _assignment_line(a: Assignment) -> str:
    role = "chủ trì" if a.lead else "phối hợp"
    where = f"mục {a.section_ref}" if a.section_ref else "toàn văn"
    bits = [f"{a.body_name} ({role if a.body_code else 'không theo dõi'}), {where}"]
    if a.tasks:
        bits.append("; ".join(a.tasks))
    if a.deadline:
        bits.append(f"hạn {a.deadline:%d/%m/%Y}")
    if a.cycle is not None:
        bits.append(f"báo cáo {FREQUENCY_LABELS[a.cycle.kind].lower()}")
        if a.cycle.start and a.cycle.until:
            bits.append(f"từ {a.cycle.start:%d/%m/%Y} đến {a.cycle.until:%d/%m/%Y}")
        if a.cycle.final_due:
            bits.append(f"báo cáo cuối {a.cycle.final_due:%d/%m/%Y}")
    if a.report_to:
        bits.append(f"báo cáo về {a.report_to}")
    return " — ".join(bits)


def parts_of(d: Directive) -> list[Part]:
    """The parts of a directive in print order (see the module docstring)."""
    parts = [Part("header", "Trích yếu", "", " ".join(d.subject.split())),
             Part("header", "Căn cứ", "", _paragraphs(d.legal_basis)),
             Part("header", "Phần mở đầu", "", _paragraphs(d.preamble))]
    for section in d.sections:
        parts.append(Part("section", f"Mục {section.label}", section.heading or "",
                          _paragraphs([section.heading or "", *section.paragraphs, *section.trailing])))
        for item in section.items:
            parts.append(Part("item", f"Mục {section.label}{item.label}", item.heading or "",
                              _paragraphs([item.heading or "", *item.paragraphs])))
    parts.append(Part("header", "Phần kết thúc", "", _paragraphs(d.closing)))
    parts.append(Part("assignments", "Giao nhiệm vụ", "", _paragraphs([_assignment_line(a) for a in d.assignments])))
    parts.append(Part("recipients", "Nơi nhận", "", _paragraphs([r.text for r in d.recipients])))
    sig = d.signature
    parts.append(Part("signature", "Người ký", "",
                      _paragraphs([sig.authority or "", sig.title, sig.name])))
    return parts


TOKEN_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Segments (same|ins|del, text) turning `old` into `new`, word by word (whitespace kept)."""
    a, b = TOKEN_RE.findall(old)[:MAX_DIFF_WORDS], TOKEN_RE.findall(new)[:MAX_DIFF_WORDS]
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(("del", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("ins", "".join(b[j1:j2])))
    merged: list[tuple[str, str]] = []
    for op, text in out:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def _key(p: Part) -> tuple[str, str]:
    return p.kind, p.text


def diff_directives(old: Directive, new: Directive) -> list[PartChange]:
    """The parts that differ between `old` and `new`, in the new version's order."""
    a, b = parts_of(old), parts_of(new)
    changes: list[PartChange] = []
    matcher = difflib.SequenceMatcher(None, [_key(p) for p in a], [_key(p) for p in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for same_old, same_new in zip(a[i1:i2], b[j1:j2]):
                if same_old.label != same_new.label:
                    changes.append(PartChange("renumbered", same_new.label, same_new.title, same_old.label))
            continue
        for before, after in _pair(a[i1:i2], b[j1:j2]):
            if before is None and after is not None:
                if after.text:
                    changes.append(PartChange("added", after.label, after.title, None, [("ins", after.text)]))
            elif after is None and before is not None:
                if before.text:
                    changes.append(PartChange("removed", before.label, before.title, None, [("del", before.text)]))
            elif before is not None and after is not None:
                changes.append(PartChange("changed", after.label, after.title,
                                          before.label if before.label != after.label else None,
                                          word_diff(before.text, after.text)))
    return changes


def _pair(olds: list[Part], news: list[Part]) -> list[tuple[Part | None, Part | None]]:
    """Pair the parts of a replaced block: same kind and label first, then the most similar of
    the same kind; what is left over was added or removed. Keeps the new order."""
    left = list(olds)
    out: list[tuple[Part | None, Part | None]] = []
    for after in news:
        same = [p for p in left if p.kind == after.kind and p.label == after.label]
        if not same:
            scored = [(difflib.SequenceMatcher(None, p.text, after.text).ratio(), i)
                      for i, p in enumerate(left) if p.kind == after.kind]
            best = max(scored, default=(0.0, -1))
            same = [left[best[1]]] if best[0] >= 0.5 else []
        if same:
            left.remove(same[0])
            out.append((same[0], after))
        else:
            out.append((None, after))
    out += [(before, None) for before in left]
    return out
