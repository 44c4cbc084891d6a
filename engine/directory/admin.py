"""Administration of the directory of bodies: list and search, create and edit (names, kinds,
parent, validity dates, successors, groups), history of every change (versioned and audited), and
YAML import/export in the format of workflows/directory/bodies.yaml.

A body's code is its identity: documents, assignments and accounts refer to it, so it is chosen
when the body is created and never changed. A reform ends a body (its last day) and names the
bodies that take over its functions (successors); the data keeps both.

Every function takes the engine and the acting Actor and requires an administrator first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from sqlalchemy import func, select

from ..kernel.accounts import Actor, require_admin
from ..kernel.calendar import local_date
from ..kernel.errors import FieldProblem, FormError, NotFound
from .models import Body, BodyVersion
from .service import _search_key, find_bodies

WHAT = "quản lý danh mục cơ quan, đơn vị"
CODE = re.compile(r"^[A-Z0-9][A-Z0-9._\-]{0,99}$")
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_SHORT_NAMES = 20
FIELDS = ("name", "short_names", "symbol", "kind", "parent_code", "province", "valid_from", "valid_to",
          "successors", "note")

KIND_LABELS: dict[str, str] = {
    "national_government": "Chính phủ, Thủ tướng Chính phủ",
    "ministry": "Bộ, cơ quan ngang bộ",
    "party_central_office": "Văn phòng Trung ương Đảng",
    "party_central_board": "Ban của Trung ương Đảng",
    "province_people_committee": "Ủy ban nhân dân tỉnh, thành phố",
    "province_party_committee": "Tỉnh ủy, Thành ủy",
    "party_standing_committee": "Ban Thường vụ",
    "party_board": "Ban của Tỉnh ủy, Thành ủy",
    "party_caucus": "Ban cán sự đảng, Đảng đoàn",
    "party_office": "Văn phòng Tỉnh ủy, Thành ủy",
    "people_council": "Hội đồng nhân dân",
    "office": "Văn phòng",
    "department": "Sở, ban, ngành",
    "police": "Công an",
    "inspectorate": "Thanh tra",
    "enterprise": "Doanh nghiệp",
    "mass_organisation": "Mặt trận, tổ chức chính trị - xã hội",
    "press": "Báo, đài",
    "group": "Nhóm nơi nhận (nhiều cơ quan)",
}


@dataclass(frozen=True)
class SuccessorView:
    code: str
    name: str
    functions: str


@dataclass(frozen=True)
class BodyView:
    """A body as the directory pages show it: names instead of codes for its relations."""

    code: str
    name: str
    short_names: list[str]
    symbol: str | None
    kind: str
    kind_label: str
    parent_code: str | None
    parent_name: str | None
    province: str | None
    valid_from: date | None
    valid_to: date | None
    successors: list[SuccessorView]
    note: str | None
    state: str  # "current" | "ended" | "future" on the day asked

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


@dataclass(frozen=True)
class BodyChange:
    """One version of a body in its history."""

    version: int
    change: str
    changed_by: str
    changed_at: datetime
    reason: str | None
    snapshot: dict[str, Any]
    fields: list[str] = field(default_factory=list)  # what differs from the version before


@dataclass(frozen=True)
class BodyDetail:
    body: BodyView
    history: list[BodyChange]
    predecessors: list[SuccessorView]  # bodies whose functions this one took over
    members: list[BodyView]  # bodies whose parent it is


@dataclass(frozen=True)
class ImportReport:
    created: list[str]
    updated: list[str]
    unchanged: int


def _state(body: Body, on: date) -> str:
    if body.valid_to is not None and body.valid_to < on:
        return "ended"
    if body.valid_from is not None and body.valid_from > on:
        return "future"
    return "current"


def _view(body: Body, names: dict[str, str], on: date) -> BodyView:
    successors = [SuccessorView(str(s.get("code")), names.get(str(s.get("code")), str(s.get("code"))),
                                str(s.get("functions") or "")) for s in body.successors or []]
    return BodyView(body.code, body.name, list(body.short_names or []), body.symbol, body.kind,
                    KIND_LABELS.get(body.kind, body.kind), body.parent_code,
                    names.get(body.parent_code) if body.parent_code else None, body.province, body.valid_from,
                    body.valid_to, successors, body.note, _state(body, on))


def _names(s) -> dict[str, str]:
    return dict(s.execute(select(Body.code, Body.name)).all())


def snapshot(body: Body) -> dict[str, Any]:
    """The editable fields of a body as plain JSON values."""
    return {"name": body.name, "short_names": list(body.short_names or []), "symbol": body.symbol,
            "kind": body.kind, "parent_code": body.parent_code, "province": body.province,
            "valid_from": body.valid_from.isoformat() if body.valid_from else None,
            "valid_to": body.valid_to.isoformat() if body.valid_to else None,
            "successors": [dict(x) for x in body.successors or []], "note": body.note}


# ------------------------------------------------------------------ reading


def list_bodies(engine, actor: Actor, *, text: str = "", kind: str | None = None, province: str | None = None,
                state: str | None = None, changed_in: int | None = None, limit: int = 500) -> list[BodyView]:
    """Bodies matching the filters: accent-free search on names and codes, kind, province, state
    today (current, ended, future) and bodies that began or ended in a year (a reform)."""
    require_admin(actor, WHAT)
    today = local_date(engine.clock.now())
    with engine.db.session() as s:
        names = _names(s)
        if text.strip():
            found = find_bodies(s, text[:200])
        else:
            found = list(s.scalars(select(Body).order_by(Body.province.is_(None).desc(), Body.province, Body.name)))
        out = []
        for body in found:
            if kind and body.kind != kind:
                continue
            if province and body.province != province:
                continue
            if state and _state(body, today) != state:
                continue
            if changed_in and not any(d is not None and d.year == changed_in
                                      for d in (body.valid_from, body.valid_to)):
                continue
            out.append(_view(body, names, today))
            if len(out) >= limit:
                break
        return out


def provinces(engine, actor: Actor) -> list[str]:
    """The provinces the directory knows (for the filter)."""
    require_admin(actor, WHAT)
    with engine.db.session() as s:
        return sorted(p for p in s.scalars(select(Body.province).distinct()) if p)


def body_detail(engine, actor: Actor, code: str) -> BodyDetail:
    """One body, its history (newest first), the bodies it succeeded and its members."""
    require_admin(actor, WHAT)
    today = local_date(engine.clock.now())
    with engine.db.session() as s:
        body = s.get(Body, code)
        if body is None:
            raise NotFound(f"Không có cơ quan, đơn vị mã {code} trong danh mục")
        names = _names(s)
        rows = list(s.scalars(select(BodyVersion).where(BodyVersion.code == code).order_by(BodyVersion.version)))
        history, before = [], None
        for row in rows:
            changed = [k for k in FIELDS if before is not None and before.get(k) != row.snapshot.get(k)]
            history.append(BodyChange(row.version, row.change, row.changed_by, row.changed_at, row.reason,
                                      dict(row.snapshot), changed))
            before = row.snapshot
        predecessors = []
        for other in s.scalars(select(Body).where(Body.successors.is_not(None))):
            for succ in other.successors or []:
                if succ.get("code") == code:
                    predecessors.append(SuccessorView(other.code, other.name, str(succ.get("functions") or "")))
        members = [_view(b, names, today) for b in
                   s.scalars(select(Body).where(Body.parent_code == code).order_by(Body.name))]
        return BodyDetail(_view(body, names, today), list(reversed(history)), predecessors, members)


def body_choices(engine, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of every body, for parent and successor pickers."""
    require_admin(actor, WHAT)
    with engine.db.session() as s:
        return [(c, n) for c, n in s.execute(select(Body.code, Body.name).order_by(Body.name))]


# ------------------------------------------------------------------ checking what is typed


def _date(value: Any, name: str, problems: list[FieldProblem], where: str = "") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    try:
        return date(int(match[3]), int(match[2]), int(match[1])) if match else date.fromisoformat(text)
    except ValueError:
        problems.append(FieldProblem(name, f"{where}ngày không hợp lệ: «{text}» (viết dd/mm/yyyy)"))
        return None


def clean_values(raw: dict[str, Any], problems: list[FieldProblem], where: str = "") -> dict[str, Any]:
    """The fields of a body from a form or an imported entry, converted; problems appended."""
    name = " ".join(str(raw.get("name") or "").split())
    if not name:
        problems.append(FieldProblem("name", f"{where}nhập tên cơ quan, đơn vị"))
    elif len(name) > 400:
        problems.append(FieldProblem("name", f"{where}tên dài quá 400 ký tự"))
    shorts = raw.get("short_names") or []
    if isinstance(shorts, str):
        shorts = shorts.splitlines()
    elif not isinstance(shorts, list):
        shorts = [shorts]
    shorts = [" ".join(str(x).split()) for x in shorts if str(x).strip()]
    if len(shorts) > MAX_SHORT_NAMES:
        problems.append(FieldProblem("short_names", f"{where}tối đa {MAX_SHORT_NAMES} tên gọi khác"))
    kind = str(raw.get("kind") or "").strip()
    if kind not in KIND_LABELS:
        problems.append(FieldProblem("kind", f"{where}chọn loại cơ quan trong danh sách"))
    successors = []
    items = raw.get("successors") or []
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            problems.append(FieldProblem("successors",
                                         f"{where}mỗi đơn vị kế thừa ghi dạng {{code: mã, functions: …}}"))
            continue
        code = str(item.get("code") or "").strip()
        if code:
            successors.append({"code": code, "functions": " ".join(str(item.get("functions") or "").split())})
    valid_from = _date(raw.get("valid_from"), "valid_from", problems, where)
    valid_to = _date(raw.get("valid_to"), "valid_to", problems, where)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(FieldProblem("valid_to", f"{where}ngày kết thúc phải sau ngày bắt đầu"))
    values = {
        "name": name, "short_names": shorts, "symbol": str(raw.get("symbol") or "").strip() or None, "kind": kind,
        "parent_code": str(raw.get("parent_code") or raw.get("parent") or "").strip() or None,
        "province": " ".join(str(raw.get("province") or "").split()) or None,
        "valid_from": valid_from, "valid_to": valid_to,
        "successors": successors, "note": str(raw.get("note") or "").strip() or None,
    }
    if successors and not values["valid_to"]:
        problems.append(FieldProblem("valid_to", f"{where}đơn vị kế thừa chỉ có khi cơ quan đã kết thúc: "
                                                 "nhập ngày cuối cùng cơ quan còn hoạt động"))
    return values


def _check_relations(code: str, values: dict[str, Any], known: dict[str, Body], problems: list[FieldProblem],
                     where: str = "") -> None:
    parent = values["parent_code"]
    if parent:
        if parent == code:
            problems.append(FieldProblem("parent_code", f"{where}cơ quan không thể trực thuộc chính nó"))
        elif parent not in known:
            problems.append(FieldProblem("parent_code", f"{where}cơ quan cấp trên mã {parent} không có trong danh mục"))
        else:
            seen, up = {code}, parent
            while up is not None and up in known:
                if up in seen:
                    problems.append(FieldProblem("parent_code", f"{where}quan hệ trực thuộc tạo thành vòng"))
                    break
                seen.add(up)
                up = known[up].parent_code
    codes = [s["code"] for s in values["successors"]]
    if len(set(codes)) != len(codes):
        problems.append(FieldProblem("successors", f"{where}một đơn vị kế thừa được nêu hai lần"))
    for succ in codes:
        if succ == code:
            problems.append(FieldProblem("successors", f"{where}cơ quan không thể kế thừa chính nó"))
        elif succ not in known:
            problems.append(FieldProblem("successors", f"{where}đơn vị kế thừa mã {succ} không có trong danh mục"))
        elif values["valid_to"] is not None and known[succ].valid_to is not None \
                and known[succ].valid_to <= values["valid_to"]:
            problems.append(FieldProblem("successors", f"{where}{known[succ].name} đã kết thúc trước khi kế thừa"))


# ------------------------------------------------------------------ writing


def _write_version(s, engine, code: str, body: Body, change: str, actor: str, reason: str | None) -> int:
    current = s.scalar(select(func.max(BodyVersion.version)).where(BodyVersion.code == code)) or 0
    s.add(BodyVersion(code=code, version=current + 1, snapshot=snapshot(body), change=change, changed_by=actor,
                      changed_at=engine.clock.now(), reason=reason or None))
    return current + 1


def _apply(s, engine, actor: Actor, code: str, values: dict[str, Any], body: Body | None, change: str,
           reason: str) -> str | None:
    """Create or update one body with its version and audit event; returns what happened (None: unchanged)."""
    if body is None:
        body = Body(code=code, **values, search_key=_search_key(code, values["name"], values["short_names"]))
        s.add(body)
        s.flush()
        version = _write_version(s, engine, code, body, change, actor.username, reason)
        engine.record(s, actor.username, "body_created", None, {"code": code, "version": version, "reason": reason})
        return "created"
    before = snapshot(body)
    if s.scalar(select(func.count(BodyVersion.id)).where(BodyVersion.code == code)) == 0:
        # The body as first loaded becomes version 1, so its history shows what the edit changed.
        s.add(BodyVersion(code=code, version=1, snapshot=before, change="initial", changed_by="system",
                          changed_at=engine.clock.now(), reason=None))
        s.flush()
    for key, value in values.items():
        setattr(body, key, value)
    after = snapshot(body)
    changed = {k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]}
    if not changed:
        return None
    body.search_key = _search_key(code, body.name, body.short_names)
    version = _write_version(s, engine, code, body, change, actor.username, reason)
    engine.record(s, actor.username, "body_updated", None,
                  {"code": code, "version": version, "changes": changed, "reason": reason})
    return "updated"


def save_body(engine, actor: Actor, code: str, raw: dict[str, Any], reason: str = "", *,
              create: bool = False) -> BodyView:
    """Create a body (`create`) or change one; every problem at once, nothing saved when any."""
    require_admin(actor, WHAT)
    code = code.strip().upper() if create else code
    problems: list[FieldProblem] = []
    if create and not CODE.match(code):
        problems.append(FieldProblem("code", "Mã gồm chữ in hoa không dấu, số, '.', '-', '_' (ví dụ LS.SNNMT)"))
    values = clean_values(raw, problems)
    with engine.transaction() as s:
        known = {b.code: b for b in s.scalars(select(Body))}
        body = known.get(code)
        if create and body is not None:
            problems.append(FieldProblem("code", f"Mã {code} đã có trong danh mục ({body.name})"))
        if not create and body is None:
            raise NotFound(f"Không có cơ quan, đơn vị mã {code} trong danh mục")
        _check_relations(code, values, known, problems)
        if problems:  # on the form each message stands alone: it starts with a capital
            raise FormError([FieldProblem(p.field, p.message[:1].upper() + p.message[1:]) for p in problems])
        _apply(s, engine, actor, code, values, None if create else body, "created" if create else "updated", reason)
        s.flush()
        names = _names(s)
        return _view(s.get(Body, code), names, local_date(engine.clock.now()))


# ------------------------------------------------------------------ YAML


def _entry(body: Body) -> dict[str, Any]:
    out: dict[str, Any] = {"code": body.code, "name": body.name}
    for key, value in (("short_names", list(body.short_names or [])), ("symbol", body.symbol),
                       ("kind", body.kind), ("parent", body.parent_code), ("province", body.province),
                       ("valid_from", body.valid_from), ("valid_to", body.valid_to),
                       ("successors", [dict(x) for x in body.successors or []]), ("note", body.note)):
        if value not in (None, [], ""):
            out[key] = value
    return out


def export_yaml(engine, actor: Actor) -> str:
    """The whole directory in the format of workflows/directory/bodies.yaml (import reads it back)."""
    require_admin(actor, WHAT)
    with engine.db.session() as s:
        entries = [_entry(b) for b in s.scalars(select(Body).order_by(Body.province.is_(None).desc(), Body.province,
                                                                      Body.code))]
    header = (f"# Danh mục cơ quan, đơn vị — xuất ngày {local_date(engine.clock.now()):%d/%m/%Y}.\n"
              "# Sửa rồi nhập lại ở trang Danh mục cơ quan; mã (code) không đổi.\n")
    return header + yaml.safe_dump({"bodies": entries}, allow_unicode=True, sort_keys=False, width=120)


def import_yaml(engine, actor: Actor, text: bytes | str, reason: str = "") -> ImportReport:
    """Create or update bodies from a YAML file (the export's format), all or nothing: every
    problem is listed with the entry's position and code, and nothing is saved when there is one."""
    require_admin(actor, WHAT)
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_IMPORT_BYTES:
        raise FormError([FieldProblem("file", f"Tệp lớn hơn {MAX_IMPORT_BYTES // 1024 // 1024} MB")])
    try:
        parsed = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (dòng {where.line + 1})" if where is not None else ""
        raise FormError([FieldProblem("file", f"Tệp không phải YAML UTF-8 hợp lệ{line}")]) from None
    entries = parsed.get("bodies") if isinstance(parsed, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FormError([FieldProblem("file", "Tệp phải có danh sách «bodies:» gồm các cơ quan, đơn vị")])
    problems: list[FieldProblem] = []
    cleaned: dict[str, dict[str, Any]] = {}
    for n, entry in enumerate(entries, start=1):
        code = str((entry or {}).get("code") or "").strip() if isinstance(entry, dict) else ""
        where = f"Mục thứ {n}{f' ({code})' if code else ''}: "
        if not isinstance(entry, dict):
            problems.append(FieldProblem("file", f"{where}phải là một cơ quan (code, name, kind…)"))
            continue
        if not CODE.match(code):
            problems.append(FieldProblem("code", f"{where}mã thiếu hoặc sai dạng"))
            continue
        if code in cleaned:
            problems.append(FieldProblem("code", f"{where}mã {code} xuất hiện hai lần"))
        cleaned[code] = clean_values(entry, problems, where)
    with engine.transaction() as s:
        existing = {b.code: b for b in s.scalars(select(Body))}
        known: dict[str, Any] = dict(existing)
        for code, values in cleaned.items():  # relations may point at bodies of the same file
            known[code] = Body(code=code, parent_code=values["parent_code"], valid_to=values["valid_to"],
                               name=values["name"])
        for code, values in cleaned.items():
            _check_relations(code, values, known, problems, f"{code}: ")
        if problems:
            raise FormError(problems[:200])
        created, updated, unchanged = [], [], 0
        for code, values in cleaned.items():
            done = _apply(s, engine, actor, code, values, existing.get(code), "imported", reason)
            if done == "created":
                created.append(code)
            elif done == "updated":
                updated.append(code)
            else:
                unchanged += 1
        engine.record(s, actor.username, "directory_imported", None,
                      {"created": len(created), "updated": len(updated), "unchanged": unchanged, "reason": reason})
        return ImportReport(created, updated, unchanged)

