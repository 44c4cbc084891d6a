"""Strings from an HTML task form become typed values by field type."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from engine.kernel.forms import FormField
from web.forms import initial_values, parse_task_form

FIELDS = [
    FormField("opinion", "Ý kiến", "textarea", True),
    FormField("count", "Số lượng", "number"),
    FormField("deadline", "Hạn", "date"),
    FormField("decision", "Quyết định", "choice", True, [("approve", "Đồng ý"), ("return", "Trả lại")]),
    FormField("urgent", "Khẩn", "bool"),
]


def test_values_are_converted_by_field_type():
    form = MultiDict({"opinion": "  Đồng ý trình  ", "count": "12", "deadline": "25/05/2024",
                      "decision": "approve", "urgent": "on"})
    parsed = parse_task_form(FIELDS, form)
    assert parsed.errors == {}
    assert parsed.data == {"opinion": "Đồng ý trình", "count": 12, "deadline": "2024-05-25",
                           "decision": "approve", "urgent": True}


def test_decimal_comma_and_iso_date_are_accepted():
    parsed = parse_task_form(FIELDS, MultiDict({"count": "2,5", "deadline": "2024-06-01"}))
    assert parsed.data["count"] == 2.5
    assert parsed.data["deadline"] == "2024-06-01"


def test_empty_values_are_none_and_unchecked_box_is_false():
    parsed = parse_task_form(FIELDS, MultiDict({"opinion": "   ", "count": ""}))
    assert parsed.data == {"opinion": None, "count": None, "deadline": None, "decision": None, "urgent": False}
    assert parsed.errors == {}


def test_unreadable_values_are_reported_per_field_and_kept_as_typed():
    form = MultiDict({"count": "mười", "deadline": "31/02/2024", "decision": "delete-all"})
    parsed = parse_task_form(FIELDS, form)
    assert set(parsed.errors) == {"count", "deadline", "decision"}
    assert "số" in parsed.errors["count"]
    assert parsed.raw["count"] == "mười"
    assert parsed.raw["deadline"] == "31/02/2024"


def test_fields_not_in_the_form_are_ignored():
    parsed = parse_task_form(FIELDS, MultiDict({"opinion": "x", "approved_by": "admin"}))
    assert "approved_by" not in parsed.data


def test_initial_values_come_from_defaults():
    fields = [FormField("a", "A", "text", default="mặc định"), FormField("b", "B", "bool", default=True),
              FormField("c", "C", "number", default=3), FormField("d", "D")]
    assert initial_values(fields) == {"a": "mặc định", "b": "on", "c": "3", "d": ""}
