"""Directive <-> plain dict (JSON-ready): dates as ISO strings, enums as their values.

The dict is the description format of `workflows/directives/*.yaml` and the `data` column of the
stored directive, so both read the same way. Unknown keys are refused by the schema, not here.
"""
from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from .directive import (
    Assignment,
    Directive,
    DocumentRef,
    Instrument,
    Item,
    Recipient,
    ReportingCycle,
    Section,
    Side,
    Signature,
)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a dataclass field value."""
    if isinstance(value, (Side, Instrument)):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def directive_to_dict(d: Directive) -> dict:
    """The directive as a JSON-ready dict (the description format)."""
    return _plain(d)


def assignment_to_dict(a: Assignment) -> dict:
    """One assignment as a JSON-ready dict (its cycle dates as ISO strings)."""
    return _plain(a)


def cycle_to_dict(cycle: ReportingCycle | None) -> dict | None:
    """A reporting cycle as a JSON-ready dict (None stays None)."""
    return None if cycle is None else _plain(cycle)


def cycle_from_dict(data: dict | None) -> ReportingCycle | None:
    """A reporting cycle from its dict form (None stays None)."""
    return _cycle(data)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _item(data: dict) -> Item:
    return Item(**_known(Item, data))


def _section(data: dict) -> Section:
    kw = _known(Section, data)
    kw["items"] = [_item(i) for i in kw.get("items") or []]
    return Section(**kw)


def _cycle(data: dict | None) -> ReportingCycle | None:
    if data is None:
        return None
    kw = _known(ReportingCycle, data)
    for key in ("start", "until", "final_due"):
        kw[key] = _date(kw.get(key))
    return ReportingCycle(**kw)


def _assignment(data: dict) -> Assignment:
    kw = _known(Assignment, data)
    kw["deadline"] = _date(kw.get("deadline"))
    kw["cycle"] = _cycle(kw.get("cycle"))
    return Assignment(**kw)


def _ref(data: dict | None) -> DocumentRef | None:
    if data is None:
        return None
    kw = _known(DocumentRef, data)
    kw["date"] = _date(kw["date"])
    return DocumentRef(**kw)


def directive_from_dict(data: dict) -> Directive:
    """Build a Directive from its dict form (as produced by directive_to_dict or a description file)."""
    kw = _known(Directive, data)
    kw["side"] = Side(kw["side"])
    kw["instrument"] = Instrument(kw["instrument"])
    kw["signature"] = Signature(**_known(Signature, kw["signature"]))
    kw["issued_on"] = _date(kw.get("issued_on"))
    kw["sections"] = [_section(s) for s in kw.get("sections") or []]
    kw["assignments"] = [_assignment(a) for a in kw.get("assignments") or []]
    kw["recipients"] = [Recipient(**_known(Recipient, r)) for r in kw.get("recipients") or []]
    kw["implements"] = _ref(kw.get("implements"))
    return Directive(**kw)
