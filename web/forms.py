"""Turn the strings of an HTML task form into typed values by FormField type. Only the conversion
lives here; whether a value is required or acceptable is the engine's rule (it raises FormError)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

TRUE_WORDS = frozenset({"on", "1", "true", "yes", "co", "có"})
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ConversionError(ValueError):
    """A value that cannot be read as its field's type; the message is shown next to the field."""


@dataclass
class ParsedForm:
    """Typed values for the engine, the raw strings to re-show, and conversion errors per field."""

    data: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _text(value: str, _field) -> str | None:
    value = value.strip()
    return value or None


def _number(value: str, _field) -> int | float | None:
    value = value.strip().replace(" ", "")
    if not value:
        return None
    if "," in value and "." not in value:
        value = value.replace(",", ".")  # Vietnamese decimal comma
    try:
        number = float(value)
    except ValueError:
        raise ConversionError("Vui lòng nhập một số.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ConversionError("Vui lòng nhập một số.")
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def _date(value: str, _field) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise ConversionError("Ngày không hợp lệ (dd/mm/yyyy).") from None


def _choice(value: str, form_field) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value not in {option_value for option_value, _label in form_field.options}:
        raise ConversionError("Lựa chọn không hợp lệ.")
    return value


def _bool(value: str, _field) -> bool:
    return value.strip().lower() in TRUE_WORDS


CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "date": _date,
    "choice": _choice,
    "bool": _bool,
}


def parse_task_form(fields, form) -> ParsedForm:
    """Read each FormField from the submitted form (a MultiDict) and convert it by its type."""
    parsed = ParsedForm()
    for form_field in fields:
        raw = form.get(form_field.name, "")
        parsed.raw[form_field.name] = raw
        convert = CONVERTERS.get(form_field.type, _text)
        try:
            parsed.data[form_field.name] = convert(raw, form_field)
        except ConversionError as exc:
            parsed.errors[form_field.name] = str(exc)
    return parsed


def initial_values(fields) -> dict[str, str]:
    """The strings a fresh form shows: each field's default, or empty."""
    values = {}
    for form_field in fields:
        default = form_field.default
        if default is None:
            values[form_field.name] = ""
        elif form_field.type == "bool":
            values[form_field.name] = "on" if default else ""
        else:
            values[form_field.name] = str(default)
    return values
