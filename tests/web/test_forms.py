"""Strings from an HTML task form become typed values by field type — through the engine's one form
rule, the same the JSON API goes through."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from engine.kernel.errors import FormError
from engine.kernel.forms import FormField, validate_submission
from web.forms import initial_values, submitted_values

FIELDS = [
    FormField("opinion", "Ý kiến", "textarea", True),
    FormField("count", "Số lượng", "number"),
    FormField("deadline", "Hạn", "date"),
    FormField("decision", "Quyết định", "choice", True, [("approve", "Đồng ý"), ("return", "Trả lại")]),
    FormField("urgent", "Khẩn", "bool"),
]


def typed(form: dict) -> dict:
    return validate_submission(FIELDS, submitted_values(FIELDS, MultiDict(form)))


def problems(form: dict) -> dict[str, str]:
    with pytest.raises(FormError) as info:
        typed(form)
    return {p.field: p.message for p in info.value.fields}


def test_values_are_converted_by_field_type():
    assert typed({"opinion": "  Đồng ý trình  ", "count": "12", "deadline": "25/05/2024",
                  "decision": "approve", "urgent": "on"}) == {
        "opinion": "Đồng ý trình", "count": 12, "deadline": "2024-05-25", "decision": "approve", "urgent": True}


def test_decimal_comma_spaces_and_iso_date_are_accepted():
    data = typed({"opinion": "x", "decision": "return", "count": "1 200,5", "deadline": "2024-06-01"})
    assert data["count"] == 1200.5 and data["deadline"] == "2024-06-01"


def test_every_field_gets_a_value_empty_ones_too_and_an_unchecked_box_is_false():
    """A model never reads a value left over from an earlier round of the same form."""
    assert typed({"opinion": "x", "decision": "approve", "count": "   "}) == {
        "opinion": "x", "decision": "approve", "count": None, "deadline": None, "urgent": False}


def test_every_unreadable_or_missing_value_is_reported_at_once_by_field():
    found = problems({"count": "mười", "deadline": "31/02/2024", "decision": "delete-all"})
    assert set(found) == {"opinion", "count", "deadline", "decision"}
    assert "số" in found["count"] and "dd/mm/yyyy" in found["deadline"] and "Đồng ý" in found["decision"]


def test_the_api_and_the_page_convert_alike():
    """JSON values and typed strings give the same data: one conversion, in the engine."""
    from_page = typed({"opinion": "x", "decision": "approve", "count": "3", "deadline": "01/06/2024", "urgent": "on"})
    from_api = validate_submission(FIELDS, {"opinion": "x", "decision": "approve", "count": 3,
                                            "deadline": "2024-06-01", "urgent": True})
    assert from_page == from_api


def test_fields_not_in_the_form_are_not_submitted():
    assert "approved_by" not in submitted_values(FIELDS, MultiDict({"opinion": "x", "approved_by": "admin"}))


def test_initial_values_come_from_defaults():
    fields = [FormField("a", "A", "text", default="mặc định"), FormField("b", "B", "bool", default=True),
              FormField("c", "C", "number", default=3), FormField("d", "D")]
    assert initial_values(fields) == {"a": "mặc định", "b": "on", "c": "3", "d": ""}
