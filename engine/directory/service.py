"""Directory of bodies: load the shipped data, look bodies up by date, check and remap recipients.

Old directives keep the names of their time; a new draft may only pick bodies that exist on its
date; a recipient list reused from an old directive is offered the successors of ended bodies.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..kernel.errors import FieldProblem, FormError, NotFound
from ..kernel.resources import workflows_dir
from .models import Body

_FIELDS = ("name", "short_names", "symbol", "kind", "parent_code", "province", "valid_from",
           "valid_to", "successors", "note")


@dataclass(frozen=True)
class SuccessorRef:
    """A body that took over (some of) the functions of an ended body."""

    code: str
    name: str
    functions: str = ""


@dataclass
class RecipientProblem:
    """Why a body cannot receive a document dated `on`, and whom to pick instead."""

    code: str
    name: str | None
    reason: str  # "unknown" | "ended" | "not_yet_valid"
    message: str
    successors: list[SuccessorRef] = field(default_factory=list)


@dataclass
class RecipientMapping:
    """One entry of a reused recipient list: kept as is, replaced by successors, or dropped."""

    code: str
    name: str | None
    status: str  # "kept" | "replaced" | "no_successor" | "not_yet_valid" | "unknown"
    successors: list[SuccessorRef] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower-case, accent-free form used for searching ("Sở GD&ĐT" -> "so gd&dt")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


def _search_key(code: str, name: str, short_names: Iterable[str]) -> str:
    return " | ".join([fold(name), *(fold(s) for s in short_names), code.lower()])


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _row_values(entry: dict, index: int) -> dict:
    missing = [k for k in ("code", "name", "kind") if not entry.get(k)]
    if missing:
        raise FormError([FieldProblem(f"$.bodies[{index}]", f"thiếu {', '.join(missing)} (required)")])
    values = {
        "name": entry["name"],
        "short_names": list(entry.get("short_names") or []),
        "symbol": entry.get("symbol"),
        "kind": entry["kind"],
        "parent_code": entry.get("parent"),
        "province": entry.get("province"),
        "valid_from": _date(entry.get("valid_from")),
        "valid_to": _date(entry.get("valid_to")),
        "successors": [dict(s) for s in entry.get("successors") or []],
        "note": entry.get("note"),
        "head_title": entry.get("head_title"),
        "head_name": entry.get("head_name"),
    }
    values["search_key"] = _search_key(entry["code"], values["name"], values["short_names"])
    return values


def _check_references(entries: list[dict]) -> None:
    codes = {e["code"] for e in entries}
    problems = []
    for n, e in enumerate(entries):
        for s in e.get("successors") or []:
            if s.get("code") not in codes:
                problems.append(FieldProblem(f"$.bodies[{n}].successors",
                                             f"mã {s.get('code')!r} không có trong danh mục"))
        if e.get("parent") and e["parent"] not in codes:
            problems.append(FieldProblem(f"$.bodies[{n}].parent", f"mã {e['parent']!r} không có trong danh mục"))
    if problems:
        raise FormError(problems)


def load_bodies(session: Session, path: str | Path | None = None) -> int:
    """Upsert every body of the YAML file (default: the shipped one); returns how many were read."""
    data = yaml.safe_load(Path(path or workflows_dir() / "directory" / "bodies.yaml").read_text(encoding="utf-8")) or {}
    entries = data.get("bodies") or []
    _check_references(entries)
    existing = {b.code: b for b in session.scalars(select(Body))}
    for n, entry in enumerate(entries):
        values = _row_values(entry, n)
        body = existing.get(entry["code"])
        if body is None:
            session.add(Body(code=entry["code"], **values))
        else:
            for key, value in values.items():
                if getattr(body, key) != value:
                    setattr(body, key, value)
    session.flush()
    return len(entries)


def get_body(session: Session, code: str) -> Body:
    """The body with this code; NotFound says the code is not in the directory."""
    body = session.get(Body, code)
    if body is None:
        raise NotFound(f"không có cơ quan mã {code!r} trong danh mục (unknown body code)")
    return body


def body_name(session: Session, code: str) -> str | None:
    """The name of the body with this code, or None when the directory has no such body."""
    return session.scalar(select(Body.name).where(Body.code == code))


def _valid_on_clause(on: date):
    return (
        or_(Body.valid_from.is_(None), Body.valid_from <= on),
        or_(Body.valid_to.is_(None), Body.valid_to >= on),
    )


def bodies_valid_on(session: Session, on: date, province: str | None = None,
                    kind: str | None = None) -> list[Body]:
    """Bodies that exist on `on`, optionally of one province (national ones excluded) and kind."""
    query = select(Body).where(*_valid_on_clause(on))
    if province is not None:
        query = query.where(Body.province == province)
    if kind is not None:
        query = query.where(Body.kind == kind)
    return list(session.scalars(query.order_by(Body.province, Body.name, Body.code)))


def find_bodies(session: Session, text: str, on: date | None = None) -> list[Body]:
    """Bodies whose name or a short name contains `text`, ignoring accents and case."""
    needle = fold(text)
    if not needle:
        return []
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(Body).where(Body.search_key.like(f"%{escaped}%", escape="\\"))
    if on is not None:
        query = query.where(*_valid_on_clause(on))
    found = list(session.scalars(query))

    def rank(b: Body) -> tuple:
        names = [fold(b.name), *(fold(s) for s in b.short_names)]
        return (needle not in names, not any(n.startswith(needle) for n in names), b.name, b.code)

    return sorted(found, key=rank)


def _current_successors(session: Session, body: Body, on: date) -> list[SuccessorRef]:
    """Follow successor links until bodies that exist on `on` (a chain may span several reforms)."""
    out: list[SuccessorRef] = []
    seen = {body.code}
    todo = [(s["code"], s.get("functions", "")) for s in body.successors]
    while todo:
        code, functions = todo.pop(0)
        if code in seen:
            continue
        seen.add(code)
        nxt = session.get(Body, code)
        if nxt is None:
            continue
        if nxt.valid_on(on):
            out.append(SuccessorRef(nxt.code, nxt.name, functions))
        else:
            todo.extend((s["code"], functions) for s in nxt.successors)
    return out


def _problem(session: Session, code: str, on: date) -> RecipientProblem | None:
    body = session.get(Body, code)
    if body is None:
        return RecipientProblem(code, None, "unknown", f"mã {code!r} không có trong danh mục cơ quan")
    if body.valid_on(on):
        return None
    if body.valid_from is not None and on < body.valid_from:
        return RecipientProblem(code, body.name, "not_yet_valid",
                                f"{body.name} chỉ có từ ngày {body.valid_from:%d/%m/%Y}")
    successors = _current_successors(session, body, on)
    # A successor that took every function ("all…" in the data) is named alone; others with theirs.
    instead = "; ".join(f"{s.name} ({s.functions})" if s.functions and not s.functions.startswith("all") else s.name
                        for s in successors)
    message = f"{body.name} không còn từ sau ngày {body.valid_to:%d/%m/%Y}"
    message += f"; thay bằng: {instead}" if instead else "; không có đơn vị kế thừa, hãy bỏ khỏi danh sách"
    return RecipientProblem(code, body.name, "ended", message, successors)


def check_recipients(session: Session, codes: list[str], on: date) -> list[RecipientProblem]:
    """Problems of a recipient list for a document dated `on` (empty list: all bodies exist then)."""
    return [p for code in codes if (p := _problem(session, code, on)) is not None]


def map_to_successors(session: Session, codes: list[str], on: date) -> list[RecipientMapping]:
    """For a reused recipient list, each body kept or replaced by the bodies existing on `on`."""
    out = []
    for code in codes:
        problem = _problem(session, code, on)
        if problem is None:
            out.append(RecipientMapping(code, get_body(session, code).name, "kept"))
        elif problem.reason == "ended":
            status = "replaced" if problem.successors else "no_successor"
            out.append(RecipientMapping(code, problem.name, status, problem.successors))
        else:
            out.append(RecipientMapping(code, problem.name, problem.reason))
    return out


def printed_name(body: Body) -> str:
    """How a document names a body in its own province: "Sở Y tế", "Công an tỉnh", "UBND các xã,
    phường" (a short name of the same form), a national body by its full name."""
    if body.province is None or body.kind in ("enterprise", "press"):
        return body.name  # a company or a newspaper is known by its whole name
    first = body.name.split()[0].lower()
    for short in body.short_names or []:
        words = short.split()
        if len(words) >= 2 and words[0].lower() == first and not any(ch in short for ch in "&-"):
            return short
    name = body.name
    for suffix in (f" ({body.province})", f" (tỉnh {body.province})", f" (thành phố {body.province})",
                   f" {body.province}"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
