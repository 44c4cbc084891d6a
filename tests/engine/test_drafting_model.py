"""The directive as the editor writes it: text pasted from Word split into sections and items, the
editor's form round-tripping a description (leads and partners as one row each, a row to
everyone), operations that reorder and renumber, a diff that names the part that changed, numbers
as printed and the date a draft speaks for."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from engine.directives.editor import (
    apply_op,
    field_of,
    form_of,
    parse_form,
    renumber,
    rows_of,
    to_description,
)
from engine.model.codec import directive_from_dict, directive_to_dict
from engine.model.diff import diff_directives, word_diff
from engine.model.directive import Side, directive_date, number_text
from engine.model.loader import load_directive_file, validate_directive_data
from engine.model.pasting import split_pasted
from tests.workflows.helpers import DIRECTIVES

WORD = """Để Kỳ thi diễn ra an toàn, Chủ tịch UBND tỉnh yêu cầu:
1.\tSở Giáo dục và Đào tạo
Chủ trì tổ chức Kỳ thi.
\u00a0
2. Các sở, ngành liên quan:
a) Công an tỉnh
Bảo đảm an ninh.
b) Sở Y tế bố trí cán bộ y tế tại các điểm thi, bảo đảm an toàn thực phẩm.
• Một gạch đầu dòng.
3- Kiểm tra việc thực hiện và báo cáo kết quả trước ngày 15/7/2024.
3.1. Tiểu mục kiểu Đảng
"""


def test_text_pasted_from_word_is_split_into_preamble_sections_and_items():
    pasted = split_pasted(WORD)
    assert pasted.preamble == ["Để Kỳ thi diễn ra an toàn, Chủ tịch UBND tỉnh yêu cầu:"]
    assert [(s.label, s.heading) for s in pasted.sections] == [
        ("1.", "Sở Giáo dục và Đào tạo"), ("2.", "Các sở, ngành liên quan:"), ("3-", None)]
    one, two, three = pasted.sections
    assert one.paragraphs == ["Chủ trì tổ chức Kỳ thi."]
    assert [(i.label, i.heading, i.paragraphs) for i in two.items] == [
        ("a)", "Công an tỉnh", ["Bảo đảm an ninh."]),
        ("b)", None, ["Sở Y tế bố trí cán bộ y tế tại các điểm thi, bảo đảm an toàn thực phẩm.",
                      "Một gạch đầu dòng."])]
    assert three.paragraphs == ["Kiểm tra việc thực hiện và báo cáo kết quả trước ngày 15/7/2024."]
    assert [(i.label, i.heading) for i in three.items] == [("3.1.", "Tiểu mục kiểu Đảng")]
    with pytest.raises(ValueError):
        split_pasted("x" * 200_001)


@pytest.mark.parametrize("seed", ["langson-2024-ct-ubnd.yaml", "cantho-2022-ct-tu.yaml"])
def test_the_editor_form_round_trips_a_description(seed):
    d = load_directive_file(DIRECTIVES / seed)
    form = form_of(d, "Lưu")
    names = {a.body_code: a.body_name for a in d.assignments if a.body_code}
    signatures = {form.signer: {"authority": d.signature.authority, "title": d.signature.title,
                                "name": d.signature.name}}
    data, _fields = to_description(parse_form(_posted(form)), directive_to_dict(d), names, signatures)
    again = directive_from_dict(validate_directive_data(data))
    assert [_assignment(a) for a in again.assignments] == [_assignment(a) for a in d.assignments]
    assert [(r.text, r.body_code if not r.is_archive else None) for r in again.recipients] == [
        (r.text, r.body_code if not r.is_archive else None) for r in d.recipients]  # the Lưu line is text
    assert again.sections == d.sections and again.subject == d.subject
    assert diff_directives(d, again) == []


def test_a_row_is_a_lead_and_its_partners_and_a_row_to_everyone_is_not_followed():
    form = parse_form({"a-0-lead": "LS.SGDDT", "a-0-partners": "LS.CA, LS.SYT", "a-0-section_ref": "1.",
                       "a-0-tasks": "Chủ trì\nPhối hợp", "a-0-frequency": "weekly", "a-0-start": "18/05/2026",
                       "a-0-until": "28/06/2026", "a-0-final_due": "10/07/2026", "a-1-everyone": "on",
                       "a-1-everyone_name": "Các cấp ủy, chính quyền các cấp", "a-1-section_ref": "3."})
    data, fields = to_description(form, {}, {"LS.SGDDT": "Sở Giáo dục và Đào tạo", "LS.CA": "Công an tỉnh",
                                             "LS.SYT": "Sở Y tế"}, {})
    assigned = data["assignments"]
    assert [(a["body_code"], a["lead"]) for a in assigned] == [("LS.SGDDT", True), ("LS.CA", False), ("LS.SYT", False),
                                                                (None, False)]
    assert assigned[0]["cycle"] == {"frequency": "weekly", "final_due": "2026-07-10", "start": "2026-05-18",
                                    "until": "2026-06-28"}
    assert assigned[1]["tasks"] == ["Chủ trì", "Phối hợp"] and assigned[3]["cycle"] is None
    assert field_of("$.assignments[2].cycle.until", fields) == "a-0-lead"
    assert field_of("$.assignments[3].body_name", fields) == "a-1-lead"
    back = rows_of(directive_from_dict({**_header(), **data}).assignments)
    assert [(r.lead, r.partners, r.everyone) for r in back] == [("LS.SGDDT", "LS.CA, LS.SYT", False), ("", "", True)]


def test_operations_reorder_remove_and_renumber_with_the_rows_following():
    form = parse_form({"side": "state", "s-0-label": "1.", "s-0-heading": "Một", "s-1-label": "2.",
                       "s-1-heading": "Hai", "s-1-i-0-label": "a)", "s-1-i-0-heading": "Hai a",
                       "a-0-section_ref": "2.a)", "a-0-lead": "LS.CA"})
    apply_op(form, "up:s-1")
    assert [s.heading for s in form.sections] == ["Hai", "Một"]
    renumber(form)
    assert [s.label for s in form.sections] == ["1.", "2."] and form.rows[0].section_ref == "1.a)"
    apply_op(form, "add_item:s-1")
    assert form.sections[1].items[-1].label == "a)"
    apply_op(form, "remove:s-1-i-0")
    apply_op(form, "remove:s-9")  # nothing there: nothing happens
    assert len(form.sections) == 2 and form.sections[1].items == []
    party = parse_form({"side": "party", "s-0-label": "2-"})
    apply_op(party, "add_item:s-0")
    apply_op(party, "add_section")
    assert party.sections[0].items[0].label == "2.1." and party.sections[1].label == "2-"


def test_the_diff_names_the_part_and_marks_the_words():
    d = load_directive_file(DIRECTIVES / "langson-2024-ct-ubnd.yaml")
    changed = copy.deepcopy(d)
    changed.sections[1].items[0].paragraphs[0] += " Báo cáo hằng tuần."
    changed.recipients.pop(0)
    parts = {c.label: c for c in diff_directives(d, changed)}
    assert set(parts) == {"Mục 2.a)", "Nơi nhận"}
    assert ("ins", " Báo cáo hằng tuần.") in parts["Mục 2.a)"].segments
    assert ("del", "Bộ Giáo dục và Đào tạo\n") in parts["Nơi nhận"].segments
    assert word_diff("a b c", "a x c") == [("same", "a "), ("del", "b"), ("ins", "x"), ("same", " c")]


def test_numbers_as_printed_and_the_date_a_draft_speaks_for():
    assert number_text(Side.STATE, 1, "CT-UBND") == "01/CT-UBND"
    assert number_text(Side.PARTY, 25, "CT/TU") == "25-CT/TU"
    d = load_directive_file(DIRECTIVES / "langson-2024-ct-ubnd.yaml")  # a draft of May 2024
    assert directive_date(d, date(2026, 5, 20)) == date(2024, 5, 20)
    d.year, d.month = 2026, 5
    assert directive_date(d, date(2026, 5, 20)) == date(2026, 5, 20)
    d.issued_on = date(2026, 6, 1)
    assert directive_date(d, date(2026, 5, 20)) == date(2026, 6, 1)


def _assignment(a) -> tuple:
    c = a.cycle
    cycle = None if c is None else (c.kind, c.every_days, c.start, c.until, c.final_due, c.remind_days_before,
                                    c.chase_after_days, c.escalate_after_days)
    return a.body_code, a.body_name, a.lead, a.section_ref, a.tasks, a.deadline, cycle


def _header() -> dict:
    return {"side": "state", "instrument": "CT", "issuer_code": "LS.UBND", "issuer_name": "UBND", "issuer_symbol": "UBND",
            "place": "Lạng Sơn", "subject": "Về việc", "signature": {"authority": None, "title": "CHỦ TỊCH", "name": "A"}}


def _posted(form) -> dict:
    from tests.workflows.test_drafting_rules import _posted as posted

    return posted(form)
