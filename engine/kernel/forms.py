"""Task forms: declared in BPMN (a `spiffworkflow:form` YAML block on a user task), checked at
deploy time, and used to validate and convert what a person submits — the one conversion for the
web form (strings as typed: "25/05/2024", "2,5", "on") and the JSON API (typed values) alike.

Besides its type a field may say `required_when: {other_field: value or [values]}` (e.g. a comment
required when the decision is "return"), `min`/`max` for numbers, and a `widget` hint that tells the
web which control to draw (e.g. a directory picker); the value stays of the field's type. Every
declared field gets a value in the submission ("" for empty text, None for an empty date or
number), so a model never reads a value left over from an earlier round. A feature may check a
submission further (`FormCheck`, run before the task completes): its refusal is a FormError, never
an instance in the error state.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import yaml
from sqlalchemy.orm import Session

from .accounts import Actor
from .errors import FieldProblem, FormError

FIELD_TYPES = {"text", "textarea", "choice", "date", "number", "bool"}
TRUE_WORDS = frozenset({"1", "true", "on", "yes", "có", "co"})
FALSE_WORDS = frozenset({"0", "false", "off", "no", "không", "khong", ""})
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class FormField:
    """One field of a task form."""

    name: str
    label: str
    type: str = "text"
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    default: Any = None
    help: str | None = None
    required_when: dict[str, list[str]] = field(default_factory=dict)  # other field → values requiring this
    min: float | None = None
    max: float | None = None
    widget: str | None = None  # how the web draws it ("bodies", "body", "signer"…); the type still rules

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "required": self.required,
                "options": [list(o) for o in self.options], "default": self.default, "help": self.help,
                "required_when": {k: list(v) for k, v in self.required_when.items()}, "min": self.min,
                "max": self.max, "widget": self.widget}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FormField:
        return cls(d["name"], d["label"], d.get("type", "text"), bool(d.get("required")),
                   [tuple(o) for o in d.get("options") or []], d.get("default"), d.get("help"),
                   {str(k): [str(v) for v in vs] for k, vs in (d.get("required_when") or {}).items()},
                   d.get("min"), d.get("max"), d.get("widget"))


def parse_form(text: str | None) -> list[FormField]:
    """Parse a form block; raises ValueError with what is wrong (the deploy check adds the element id)."""
    if not text or not text.strip():
        return []
    return list(_parse_form_cached(text))


@lru_cache(maxsize=1024)
def _parse_form_cached(text: str) -> tuple[FormField, ...]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"form is not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise ValueError("form must be a YAML list of fields")
    fields, seen = [], set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "name" not in item:
            raise ValueError(f"form field #{i + 1} needs a 'name'")
        name = str(item["name"])
        if not NAME_RE.match(name):
            raise ValueError(f"form field name '{name}' must be lower-case letters, digits and '_'")
        if name in seen:
            raise ValueError(f"form field '{name}' is declared twice")
        seen.add(name)
        ftype = item.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise ValueError(f"form field '{name}' has unknown type '{ftype}' (use one of {sorted(FIELD_TYPES)})")
        options = item.get("options") or {}
        if ftype == "choice":
            if not isinstance(options, dict) or not options:
                raise ValueError(f"choice field '{name}' needs 'options' as value: label pairs")
            options = [(str(k), str(v)) for k, v in options.items()]
        else:
            options = []
        fields.append(FormField(name, str(item.get("label", name)), ftype, bool(item.get("required", False)),
                                options, item.get("default"), item.get("help"),
                                _required_when(name, item.get("required_when")),
                                _bound(name, "min", item.get("min")), _bound(name, "max", item.get("max")),
                                _widget(name, item.get("widget"))))
    for f in fields:
        for other in f.required_when:
            if other not in seen or other == f.name:
                raise ValueError(f"form field '{f.name}': required_when names '{other}', not another field "
                                 "of this form")
    return tuple(fields)


def _required_when(name: str, value: Any) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise ValueError(f"form field '{name}': required_when must map another field to a value or a list")
    out = {}
    for other, wanted in value.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        out[str(other)] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return out


def _bound(name: str, key: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"form field '{name}': {key} must be a number")
    return value


def _widget(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise ValueError(f"form field '{name}': widget must be a lower-case name")
    return value


def _text(value: Any) -> str:
    """Text as it is stored: typed text or a number written out, in Unicode NFC (Vietnamese typed on
    some keyboards arrives decomposed, NFD, and would not match the same word typed elsewhere)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("phải là chữ (văn bản), không phải danh sách hay đối tượng")
    text = str(value)
    if len(text) > 4 * MAX_TEXT:  # refused before any more work on it
        raise ValueError(f"dài quá {MAX_TEXT} ký tự")
    return unicodedata.normalize("NFC", text)


def _convert(f: FormField, value: Any) -> Any:
    if f.type in ("text", "textarea"):
        value = _text(value).strip()
        if len(value) > MAX_TEXT:
            raise ValueError(f"dài quá {MAX_TEXT} ký tự")
        return value
    if f.type == "choice":
        value = _text(value)
        if value not in {v for v, _ in f.options}:
            allowed = ", ".join(label for _, label in f.options)
            raise ValueError(f"chọn một trong: {allowed}")
        return value
    if f.type == "number":
        number = _number(value)
        if f.min is not None and number < f.min:
            raise ValueError(f"phải từ {_plain(f.min)} trở lên")
        if f.max is not None and number > f.max:
            raise ValueError(f"không được lớn hơn {_plain(f.max)}")
        return number
    if f.type == "date":
        return _date(value)
    if f.type == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("phải là có/không")
    raise ValueError(f"kiểu trường không biết: {f.type}")


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _number(value: Any) -> int | float:
    """A number as typed in Vietnam ("1 200", "2,5") or as JSON; an integer when it is whole."""
    if isinstance(value, bool):
        raise ValueError("phải là một số")
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in value and "." not in value:
            value = value.replace(",", ".")  # Vietnamese decimal comma
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("phải là một số") from None
    if number != number or abs(number) > 1e15:
        raise ValueError("số không hợp lệ")
    return int(number) if number.is_integer() else number


def _date(value: Any) -> str:
    """An ISO date from dd/mm/yyyy (as people type it), YYYY-MM-DD or a date."""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        match = DAY_MONTH_YEAR.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("ngày không hợp lệ; viết theo dạng dd/mm/yyyy") from None


def validate_submission(fields: list[FormField], data: dict[str, Any]) -> dict[str, Any]:
    """Convert submitted values by field type; FormError names every wrong or missing field.

    Keys that are not fields of the form are refused, so a person cannot overwrite process data.
    """
    if not isinstance(data, dict):
        raise FormError([FieldProblem("_", "dữ liệu phải là một đối tượng JSON")])
    problems: list[FieldProblem] = []
    known = {f.name for f in fields}
    for key in data:
        if key not in known:
            problems.append(FieldProblem(str(key)[:100], "trường này không có trong biểu mẫu"))
    clean: dict[str, Any] = {}
    empty_fields = []
    for f in fields:
        value = data.get(f.name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            if f.type == "bool":
                clean[f.name] = False
            elif f.required:
                problems.append(FieldProblem(f.name, f"'{f.label}' là bắt buộc"))
            else:
                # Every field gets a value: a model never reads one left over from an earlier round.
                clean[f.name] = "" if f.type in ("text", "textarea") else None
                empty_fields.append(f)
            continue
        try:
            clean[f.name] = _convert(f, value)
        except ValueError as exc:
            problems.append(FieldProblem(f.name, f"'{f.label}': {exc}"))
    by_name = {f.name: f for f in fields}
    for f in empty_fields:
        for other, wanted in f.required_when.items():
            chosen = clean.get(other)
            chosen_text = str(chosen).lower() if isinstance(chosen, bool) else str(chosen)
            if chosen is not None and chosen_text in wanted:
                problems.append(FieldProblem(f.name, f"'{f.label}' là bắt buộc khi "
                                                     f"{_describe_choice(by_name[other], chosen)}"))
                break
    if problems:
        raise FormError(problems)
    return clean


def _describe_choice(f: FormField, value: Any) -> str:
    """"chọn 'Trả lại để sửa'" / "đánh dấu 'Gửi lấy ý kiến'": what the person chose, in their words."""
    if f.type == "bool":
        return f"đánh dấu '{f.label}'"
    label = dict(f.options).get(str(value), str(value))
    return f"'{f.label}' là '{label}'"


@dataclass(frozen=True)
class FormCheck:
    """A submission about to complete a task, handed to the features' checks (inside the task's
    transaction, before anything runs): they raise FormError naming the fields to fix, or return
    the values to complete with (e.g. normalised); None keeps the values as they are."""

    session: Session
    actor: Actor
    now: datetime
    process_id: str
    element_id: str
    values: dict[str, Any]  # the submission as converted by validate_submission
    data: dict[str, Any]  # the task's data (what earlier steps recorded), read-only
    ref_type: str | None
    ref_id: int | None
    instance_id: int


FormCheckFn = Callable[[FormCheck], "dict[str, Any] | None"]
