"""Task forms: declared in BPMN (a `spiffworkflow:form` YAML block on a user task), checked at
deploy time, and used to validate and convert what a person submits — the one conversion for the
web form (strings as typed: "25/05/2024", "2,5", "on") and the JSON API (typed values) alike."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

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

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "required": self.required,
                "options": [list(o) for o in self.options], "default": self.default, "help": self.help}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FormField:
        return cls(d["name"], d["label"], d.get("type", "text"), bool(d.get("required")),
                   [tuple(o) for o in d.get("options") or []], d.get("default"), d.get("help"))


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
                                options, item.get("default"), item.get("help")))
    return tuple(fields)


def _convert(f: FormField, value: Any) -> Any:
    if f.type in ("text", "textarea"):
        value = str(value).strip()
        if len(value) > MAX_TEXT:
            raise ValueError(f"dài quá {MAX_TEXT} ký tự")
        return value
    if f.type == "choice":
        value = str(value)
        if value not in {v for v, _ in f.options}:
            allowed = ", ".join(label for _, label in f.options)
            raise ValueError(f"chọn một trong: {allowed}")
        return value
    if f.type == "number":
        return _number(value)
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
    for f in fields:
        value = data.get(f.name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            if f.type == "bool":
                clean[f.name] = False
            elif f.required:
                problems.append(FieldProblem(f.name, f"'{f.label}' là bắt buộc"))
            continue
        try:
            clean[f.name] = _convert(f, value)
        except ValueError as exc:
            problems.append(FieldProblem(f.name, f"'{f.label}': {exc}"))
    if problems:
        raise FormError(problems)
    return clean
