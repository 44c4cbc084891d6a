"""Description files are validated against the schema and every problem names its JSON path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from engine.kernel.errors import FormError
from engine.model.codec import directive_to_dict
from engine.model.loader import load_directive_file, load_directive_text

SEED = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"


@pytest.fixture
def data() -> dict:
    return directive_to_dict(load_directive_file(SEED))


def problems(data: dict) -> dict[str, str]:
    with pytest.raises(FormError) as info:
        load_directive_text(json.dumps(data, ensure_ascii=False), "json")
    return {p.field: p.message for p in info.value.fields}


def test_json_and_yaml_descriptions_give_the_same_directive(data, tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_directive_file(path) == load_directive_file(SEED)


def test_missing_required_fields_are_reported_with_their_path(data):
    del data["subject"]
    del data["signature"]["name"]
    found = problems(data)
    assert "subject" in found["$"] and "bắt buộc" in found["$"]
    assert "name" in found["$.signature"]


def test_an_impossible_date_says_how_to_write_a_date(data):
    data["assignments"][2]["cycle"]["final_due"] = "2024-02-30"
    found = problems(data)
    assert "YYYY-MM-DD" in found["$.assignments[2].cycle.final_due"]


def test_unknown_field_and_bad_enum_are_refused(data):
    data["sections"][0]["title"] = "x"
    data["instrument"] = "XX"
    found = problems(data)
    assert "title" in found["$.sections[0]"]
    assert "CT" in found["$.instrument"]


def test_assignment_must_point_at_an_existing_section(data):
    data["assignments"][0]["section_ref"] = "9."
    found = problems(data)
    assert "9." in found["$.assignments[0].section_ref"]


def test_archive_line_must_be_last(data):
    data["recipients"].append({"text": "Sở Y tế"})
    found = problems(data)
    assert "$.recipients[10].is_archive" in found


def test_broken_yaml_is_a_form_error_with_the_line():
    with pytest.raises(FormError) as info:
        load_directive_text("side: state\nsubject: [unclosed\n")
    assert "dòng" in info.value.fields[0].message


def test_yaml_dates_and_iso_strings_are_equivalent(data):
    text = yaml.safe_dump(data, allow_unicode=True).replace("'2024-05-16'", "2024-05-16")
    assert load_directive_text(text).implements.date.isoformat() == "2024-05-16"


def test_a_task_sentence_split_at_its_comma_by_yaml_is_refused(data):
    """`tasks: [Phối hợp thông tin, truyền thông về Kỳ thi]` is two YAML items, not one task."""
    data["assignments"][0]["tasks"] = yaml.safe_load("[Phối hợp thông tin, truyền thông về Kỳ thi]")
    found = problems(data)
    assert list(found) == ["$.assignments[0].tasks[1]"] and "dấu ngoặc kép" in found["$.assignments[0].tasks[1]"]


def test_every_task_of_the_shipped_seeds_is_one_sentence():
    for path in SEED.parent.glob("*.yaml"):
        for a in load_directive_file(path).assignments:
            assert all(t[:1].isupper() for t in a.tasks), (path.name, a.tasks)
