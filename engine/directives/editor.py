"""The drafting editor's form: what the page shows and posts, and the description it becomes.

The editor works on an `EditorForm`: plain strings as typed (nothing is lost when a save is
refused), sections with their sub-items, the assignment table — one row per task with its lead body
(chủ trì) and partner bodies (phối hợp), or addressed to everyone (no follow-up) — and the Nơi
nhận lines. `parse_form` reads the posted fields (`s-0-label`, `s-0-i-1-paragraphs`, `a-2-lead`,
`r-3-text`…), `apply_op` adds, removes and reorders parts, splits text pasted from Word, and
`to_description` builds the description (engine/model/schema.json) that the engine validates and
stores: each row becomes one Assignment per body (the shape the follow-up reads), lead first.
Problems found on the description are mapped back to the editor's fields (`field_of`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..model.directive import Assignment, Directive, Instrument, Side
from ..model.pasting import split_pasted
from .issuers import signer_key

MAX_SECTIONS, MAX_ITEMS, MAX_ROWS, MAX_RECIPIENTS = 60, 60, 300, 300  # bounds on what one post may build
FREQUENCY_CHOICES = ("", "once", "weekly", "monthly", "quarterly", "days")
INSTRUMENTS = {"CT": "Chỉ thị", "KH": "Kế hoạch", "CĐ": "Công điện", "CV": "Công văn"}
EVERYONE_DEFAULT = "Các cấp ủy, chính quyền, cơ quan, đơn vị"


@dataclass
class ItemForm:
    label: str = ""
    heading: str = ""
    paragraphs: str = ""  # one paragraph per line


@dataclass
class SectionForm:
    label: str = ""
    heading: str = ""
    paragraphs: str = ""
    trailing: str = ""
    items: list[ItemForm] = field(default_factory=list)


@dataclass
class RowForm:
    """One row of the assignment table (giao nhiệm vụ)."""

    section_ref: str = ""
    everyone: bool = False  # addressed to everyone: printed, not followed up
    everyone_name: str = ""
    lead: str = ""  # directory code of the chủ trì body
    partners: str = ""  # codes of the phối hợp bodies, "A, B"
    tasks: str = ""  # one task per line
    deadline: str = ""
    frequency: str = ""  # "" (no report), once, weekly, monthly, quarterly
    start: str = ""
    until: str = ""
    final_due: str = ""
    report_to: str = ""  # directory code
    every_days: str = ""  # frequency "days": a report every n days (descriptions may have it)
    # When to remind, chase and escalate (days): kept as the description had them.
    remind: str = ""
    chase: str = ""
    escalate: str = ""


@dataclass
class RecipientForm:
    text: str = ""
    code: str = ""


@dataclass
class EditorForm:
    """Everything the editor shows and posts, as strings."""

    side: str = "state"
    instrument: str = "CT"
    drafting_unit: str = ""
    urgency: str = ""
    subject: str = ""
    legal_basis: str = ""
    preamble: str = ""
    closing: str = ""
    sections: list[SectionForm] = field(default_factory=list)
    rows: list[RowForm] = field(default_factory=list)
    recipients: list[RecipientForm] = field(default_factory=list)
    archive_line: str = ""
    signer: str = ""
    paste: str = ""
    preset_name: str = ""


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in str(text or "").splitlines() if line.strip()]


def _text(lines: list[str]) -> str:
    return "\n".join(lines)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


# ------------------------------------------------------------------ from a directive


def _row_key(a: Assignment) -> tuple:
    cycle = a.cycle
    return (a.section_ref, tuple(a.tasks), a.deadline, a.report_to_code,
            None if cycle is None else (cycle.kind, cycle.start, cycle.until, cycle.final_due))


def rows_of(assignments: list[Assignment]) -> list[RowForm]:
    """The editor rows of a directive's assignments: a lead and the partners that follow it with the
    same section, tasks, deadline and cycle form one row; a body without a code is "everyone"."""
    rows: list[RowForm] = []
    keys: list[tuple] = []
    for a in assignments:
        if a.body_code is None:
            rows.append(_row(a, everyone=True))
            keys.append(("everyone",))
            continue
        if not a.lead and rows and keys[-1] == _row_key(a) and not rows[-1].everyone:
            rows[-1].partners = ", ".join(filter(None, [rows[-1].partners, a.body_code]))
            continue
        row = _row(a, everyone=False)
        if not a.lead:
            row.lead, row.partners = "", a.body_code
        rows.append(row)
        keys.append(_row_key(a))
    return rows


def _row(a: Assignment, everyone: bool) -> RowForm:
    cycle = a.cycle
    return RowForm(
        section_ref=a.section_ref or "", everyone=everyone, everyone_name=a.body_name if everyone else "",
        lead=a.body_code or "" if not everyone else "", tasks=_text(a.tasks), deadline=_iso(a.deadline),
        frequency="" if cycle is None else cycle.kind,
        start=_iso(cycle.start if cycle else None), until=_iso(cycle.until if cycle else None),
        final_due=_iso(cycle.final_due if cycle else None), report_to=a.report_to_code or "",
        every_days=str(cycle.every_days or "") if cycle else "",
        remind=str(cycle.remind_days_before) if cycle else "", chase=str(cycle.chase_after_days) if cycle else "",
        escalate=str(cycle.escalate_after_days) if cycle else "")


def form_of(d: Directive, archive_line: str) -> EditorForm:
    """The editor's form for a stored directive."""
    return EditorForm(
        side=d.side.value, instrument=d.instrument.value, drafting_unit=d.drafting_unit, urgency=d.urgency or "",
        subject=d.subject, legal_basis=_text(d.legal_basis), preamble=_text(d.preamble), closing=_text(d.closing),
        sections=[SectionForm(s.label, s.heading or "", _text(s.paragraphs), _text(s.trailing),
                              [ItemForm(i.label, i.heading or "", _text(i.paragraphs)) for i in s.items])
                  for s in d.sections],
        rows=rows_of(d.assignments),
        recipients=[RecipientForm(r.text, r.body_code or "") for r in d.recipients if not r.is_archive],
        archive_line=next((r.text for r in d.recipients if r.is_archive), archive_line),
        signer=signer_key(d.signature))


# ------------------------------------------------------------------ from a post

FIELD_RE = re.compile(r"^(?P<kind>[sar])-(?P<n>\d{1,3})(?:-i-(?P<j>\d{1,3}))?-(?P<name>[a-z_]+)$")


def parse_form(posted: Mapping[str, Any]) -> EditorForm:
    """The EditorForm of a post (a mapping of field → value or list of values); unknown fields are
    ignored, sizes are bounded."""
    def one(key: str) -> str:
        value = posted.get(key, "")
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return str(value)

    form = EditorForm(side=one("side") or "state", instrument=one("instrument") or "CT",
                      drafting_unit=one("drafting_unit").strip(), urgency=one("urgency"),
                      subject=one("subject").replace("\r", ""), legal_basis=one("legal_basis"),
                      preamble=one("preamble"), closing=one("closing"), archive_line=one("archive_line").strip(),
                      signer=one("signer"), paste=one("paste"), preset_name=one("preset_name"))
    sections: dict[int, SectionForm] = {}
    items: dict[tuple[int, int], ItemForm] = {}
    rows: dict[int, RowForm] = {}
    recipients: dict[int, RecipientForm] = {}
    for key in posted:
        m = FIELD_RE.match(str(key))
        if not m:
            continue
        n, name = int(m["n"]), m["name"]
        if m["kind"] == "s" and n < MAX_SECTIONS:
            if m["j"] is None:
                target: Any = sections.setdefault(n, SectionForm())
            elif int(m["j"]) < MAX_ITEMS:
                target = items.setdefault((n, int(m["j"])), ItemForm())
                sections.setdefault(n, SectionForm())
            else:
                continue
        elif m["kind"] == "a" and n < MAX_ROWS and m["j"] is None:
            target = rows.setdefault(n, RowForm())
        elif m["kind"] == "r" and n < MAX_RECIPIENTS and m["j"] is None:
            target = recipients.setdefault(n, RecipientForm())
        else:
            continue
        if name in getattr(target, "__dataclass_fields__", {}) and name != "items":
            current = getattr(target, name)
            setattr(target, name, one(str(key)) not in ("", "off") if isinstance(current, bool) else one(str(key)))
    for (n, _j), item in sorted(items.items()):
        sections[n].items.append(item)
    form.sections = [sections[n] for n in sorted(sections)]
    form.rows = [rows[n] for n in sorted(rows)]
    form.recipients = [recipients[n] for n in sorted(recipients)]
    return form


# ------------------------------------------------------------------ operations


def _move(items: list, index: int, step: int) -> None:
    other = index + step
    if 0 <= index < len(items) and 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]


def section_label(side: str, n: int) -> str:
    """"3." (State) or "3-" (Party)."""
    return f"{n}{'-' if side == Side.PARTY.value else '.'}"


def item_label(side: str, section: str, n: int) -> str:
    """"a)", "b)"… (State) or "2.1.", "2.2."… (Party)."""
    if side == Side.PARTY.value:
        return f"{section.rstrip('.-')}.{n}."
    return f"{'abcdefghiklmnopqrstuvxy'[min(n - 1, 22)]})"


def apply_op(form: EditorForm, op: str) -> str | None:
    """Apply one editor operation to `form` in place ("add_section", "remove:s-2", "up:a-1",
    "add_item:s-1", "down:r-3", "paste", "renumber"…); returns a note to show, or None."""
    action, _, target = op.partition(":")
    m = re.fullmatch(r"([sar])-(\d{1,3})(?:-i-(\d{1,3}))?", target) if target else None
    kind, n, j = (m.group(1), int(m.group(2)), int(m.group(3)) if m.group(3) else None) if m else (None, -1, None)
    if action == "add_section" and len(form.sections) < MAX_SECTIONS:
        form.sections.append(SectionForm(label=section_label(form.side, len(form.sections) + 1)))
    elif action == "add_item" and kind == "s" and 0 <= n < len(form.sections):
        section = form.sections[n]
        if len(section.items) < MAX_ITEMS:
            section.items.append(ItemForm(label=item_label(form.side, section.label, len(section.items) + 1)))
    elif action == "add_row" and len(form.rows) < MAX_ROWS:
        form.rows.append(RowForm())
    elif action == "add_recipient" and len(form.recipients) < MAX_RECIPIENTS:
        form.recipients.append(RecipientForm())
    elif action in ("remove", "up", "down") and kind is not None:
        step = -1 if action == "up" else 1
        if kind == "s" and j is not None and 0 <= n < len(form.sections):
            _edit(form.sections[n].items, j, action, step)
        else:
            parts: dict[str, list[Any]] = {"s": form.sections, "a": form.rows, "r": form.recipients}
            _edit(parts[kind], n, action, step)
    elif action == "paste":
        return _paste(form)
    elif action == "renumber":
        renumber(form)
    return None


def _edit(items: list, index: int, action: str, step: int) -> None:
    if action == "remove":
        if 0 <= index < len(items):
            items.pop(index)
    else:
        _move(items, index, step)


def renumber(form: EditorForm) -> None:
    """Number sections 1., 2.… (Party 1-, 2-…) and their items a), b)… (Party 1.1., 1.2.…) in order,
    and follow the assignment rows to their sections' new labels."""
    moved = {}
    for n, section in enumerate(form.sections, 1):
        old = section.label
        section.label = section_label(form.side, n)
        moved[old] = section.label
        for k, item in enumerate(section.items, 1):
            old_item = item.label
            item.label = item_label(form.side, section.label, k)
            moved[old + old_item] = section.label + item.label
    for row in form.rows:
        row.section_ref = moved.get(row.section_ref, row.section_ref)


def _paste(form: EditorForm) -> str:
    try:
        pasted = split_pasted(form.paste)
    except ValueError as exc:
        return str(exc)
    if not pasted.sections and not pasted.preamble:
        return "Không có nội dung để tách: dán văn bản vào ô «Dán từ Word» rồi bấm «Tách thành mục»."
    if pasted.preamble:
        form.preamble = _text(_lines(form.preamble) + pasted.preamble)
    for s in pasted.sections[: MAX_SECTIONS - len(form.sections)]:
        form.sections.append(SectionForm(s.label, s.heading or "", _text(s.paragraphs), "",
                                         [ItemForm(i.label, i.heading or "", _text(i.paragraphs))
                                          for i in s.items[:MAX_ITEMS]]))
    items = sum(len(s.items) for s in pasted.sections)
    form.paste = ""
    return (f"Đã tách {len(pasted.sections)} mục, {items} tiểu mục"
            + (f" và {len(pasted.preamble)} đoạn mở đầu" if pasted.preamble else "") + " từ nội dung dán.")


def section_refs(form: EditorForm) -> list[tuple[str, str]]:
    """(value, label) of the sections and items an assignment row may point at."""
    out = []
    for s in form.sections:
        out.append((s.label, f"Mục {s.label} {s.heading}".strip()))
        out += [(s.label + i.label, f"Mục {s.label}{i.label} {i.heading}".strip()) for i in s.items]
    return out


def assigned_codes(form: EditorForm) -> list[str]:
    """Every directory body of the assignment table (leads and partners), in order, once each."""
    codes: list[str] = []
    for row in form.rows:
        if row.everyone:
            continue
        codes += [row.lead] + [c.strip() for c in row.partners.split(",")]
    return list(dict.fromkeys(c for c in codes if c))


# ------------------------------------------------------------------ to a description


def _date(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    return f"{int(m[3]):04d}-{int(m[2]):02d}-{int(m[1]):02d}" if m else text


def _number(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text  # anything else: the schema names the problem


def _cycle(row: RowForm) -> dict | None:
    if not row.frequency:
        return None
    cycle: dict[str, Any] = {"frequency": row.frequency, "final_due": _date(row.final_due) or _date(row.deadline)}
    if row.frequency != "once":
        cycle.update(start=_date(row.start), until=_date(row.until))
    if row.frequency == "days":
        cycle["every_days"] = _number(row.every_days)
    for key, value in (("remind_days_before", row.remind), ("chase_after_days", row.chase),
                       ("escalate_after_days", row.escalate)):
        if _number(value) is not None:
            cycle[key] = _number(value)
    return cycle


def to_description(form: EditorForm, base: dict, names: Mapping[str, str], signatures: Mapping[str, dict]
                   ) -> tuple[dict, dict[str, str]]:
    """The description (schema.json) the form describes, on top of `base` (the stored directive's
    dict: number, national reference, dates are kept), and the map from description paths to the
    editor's field ids. `names` gives each directory code its printed name, `signatures` each
    signer key its block."""
    data = dict(base)
    fields: dict[str, str] = {"$.subject": "subject", "$.legal_basis": "legal_basis", "$.preamble": "preamble",
                              "$.signature": "signer", "$.sections": "sections", "$.recipients": "recipients"}
    side = form.side if form.side in ("state", "party") else "state"
    data.update(side=side, instrument=form.instrument if form.instrument in INSTRUMENTS else "CT",
                drafting_unit=form.drafting_unit or base.get("drafting_unit") or "VP", urgency=form.urgency or None,
                subject="\n".join(line.strip() for line in form.subject.splitlines() if line.strip()),
                legal_basis=_lines(form.legal_basis), preamble=_lines(form.preamble), closing=_lines(form.closing))
    data["sections"] = []
    for n, s in enumerate(form.sections):
        fields[f"$.sections[{n}]"] = f"s-{n}-label"
        data["sections"].append({"label": s.label.strip(), "heading": s.heading.strip() or None,
                                 "paragraphs": _lines(s.paragraphs), "trailing": _lines(s.trailing),
                                 "items": [{"label": i.label.strip(), "heading": i.heading.strip() or None,
                                            "paragraphs": _lines(i.paragraphs)} for i in s.items]})
        for j, _item in enumerate(s.items):
            fields[f"$.sections[{n}].items[{j}]"] = f"s-{n}-i-{j}-label"
    data["assignments"] = []
    for k, row in enumerate(form.rows):
        common = {"section_ref": row.section_ref or None, "tasks": _lines(row.tasks), "deadline": _date(row.deadline),
                  "cycle": _cycle(row), "report_to_code": row.report_to or None,
                  "report_to": names.get(row.report_to) if row.report_to else None}
        if row.everyone:
            entries = [{**common, "body_code": None, "body_name": row.everyone_name.strip() or EVERYONE_DEFAULT,
                        "lead": False, "cycle": None}]
        else:
            codes = [row.lead] + [c.strip() for c in row.partners.split(",")]
            entries = [{**common, "body_code": code, "body_name": names.get(code, code), "lead": i == 0 and bool(code)}
                       for i, code in enumerate(codes) if code]
        for entry in entries:
            fields[f"$.assignments[{len(data['assignments'])}]"] = f"a-{k}-lead"
            data["assignments"].append(entry)
    data["recipients"] = []
    assigned = set(assigned_codes(form))
    for n, r in enumerate(form.recipients):
        if not r.text.strip() and not r.code:
            continue
        fields[f"$.recipients[{len(data['recipients'])}]"] = f"r-{n}-text"
        data["recipients"].append({"text": r.text.strip() or names.get(r.code, r.code), "body_code": r.code or None,
                                   "for_information": r.code not in assigned})
    if form.archive_line:
        data["recipients"].append({"text": form.archive_line, "is_archive": True})
    signature = signatures.get(form.signer)
    if signature is not None:
        data["signature"] = dict(signature)
    return data, fields


def field_of(path: str, fields: Mapping[str, str]) -> str:
    """The editor field of a description path ("$.assignments[3].cycle.until" → "a-1-lead")."""
    best = ""
    for prefix in fields:
        inside = path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
        if inside and len(prefix) > len(best):
            best = prefix
    return fields.get(best, "form")


def new_form(profile_side: Side, unit: str, archive_line: str, signer: str) -> EditorForm:
    """An empty editor for the "Tạo chỉ thị" page: one section, one assignment row, one recipient."""
    return EditorForm(side=profile_side.value, instrument=Instrument.CHI_THI.value, drafting_unit=unit,
                      sections=[SectionForm(label=section_label(profile_side.value, 1))], rows=[RowForm()],
                      recipients=[RecipientForm()], archive_line=archive_line, signer=signer)
