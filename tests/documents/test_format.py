"""Every kind × side, generated from the seed directives, passes every rule of document-format.md,
checked by reading the .docx back (tests/documents/format_checker.py)."""
from __future__ import annotations

from datetime import date

import pytest

from .format_checker import Expect, check, full_text
from .helpers import ALL_KINDS, edit_part, expect_for, render_seed


@pytest.mark.parametrize("kind,side", ALL_KINDS)
def test_generated_document_passes_every_format_rule(kind, side):
    assert check(render_seed(kind, side), expect_for(kind, side)) == []


@pytest.mark.parametrize("side", ["state", "party"])
@pytest.mark.parametrize("stamp", ["KHẨN", "HỎA TỐC"])
def test_urgent_directive_carries_a_boxed_red_stamp(side, stamp):
    data = render_seed("directive_final", side, urgency=stamp)
    assert check(data, expect_for("directive_final", side, urgency=stamp)) == []
    # and the checker would notice a missing stamp
    assert any("urgency" in p for p in check(render_seed("directive_final", side),
                                             expect_for("directive_final", side, urgency=stamp)))


@pytest.mark.parametrize("side,signature", [
    ("state", {"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Đoàn Thu Hà"}),
    ("state", {"authority": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Hồ Tiến Thiệu"}),
    ("party", {"authority": "T/M BAN THƯỜNG VỤ", "title": "BÍ THƯ", "name": "Đỗ Thanh Bình"}),
])
def test_signature_variants_follow_the_rules(side, signature):
    data = render_seed("directive_final", side, signature=signature)
    assert check(data, expect_for("directive_final", side)) == []
    text = full_text(data)
    assert f"{signature['authority']}\n{signature['title']}" in text


def test_checker_refuses_state_prefix_on_a_party_signature():
    data = render_seed("directive_final", "party",
                       signature={"authority": "TM. BAN THƯỜNG VỤ", "title": "BÍ THƯ", "name": "A"})
    assert any(p.startswith("signature") for p in check(data, expect_for("directive_final", "party")))


def test_state_draft_has_blank_number_and_day_and_no_marker():
    data = render_seed("directive_draft", "state")
    text = full_text(data)
    assert "Số:      /CT-UBND" in text
    assert "Lạng Sơn, ngày      tháng 5 năm 2024" in text
    assert "DỰ THẢO" not in text


def test_party_draft_carries_the_boxed_draft_marker():
    data = render_seed("directive_draft", "party")
    assert full_text(data).splitlines()[0].startswith("DỰ THẢO")
    assert "Số      -CT/TU" in full_text(data)


def test_final_numbers_and_dates_get_leading_zeros():
    text = full_text(render_seed("directive_final", "party"))
    assert "Số 25-CT/TU" in text and "Cần Thơ, ngày 05 tháng 6 năm 2022" in text
    text = full_text(render_seed("reminder_letter", "state", number=3, issued_on=date(2025, 1, 5)))
    assert "Số: 03/UBND-KGVX" in text and "Lạng Sơn, ngày 05 tháng 01 năm 2025" in text


# -- the checker itself catches broken documents ------------------------------------------------

RUN_FONTS = ('<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
             'w:cs="Times New Roman" w:eastAsia="Times New Roman"/>')


@pytest.mark.parametrize("part,old,new,rule", [
    ("word/document.xml", RUN_FONTS, RUN_FONTS.replace('eastAsia="Times New Roman"', 'eastAsia="SimSun"'),
     "font"),
    ("word/document.xml", 'w:left="1701"', 'w:left="1134"', "margins"),
    ("word/document.xml", "<w:titlePg/>", "", "page numbers"),
    ("word/document.xml", '<w:jc w:val="both"/>', '<w:jc w:val="left"/>', "body"),
    ("word/document.xml", "Lưu: VT, KGVX (NTH).", "Lưu hồ sơ", "Nơi nhận"),
    ("word/document.xml", '<w:insideV w:val="nil"/>', '<w:insideV w:val="single" w:sz="4"/>', "header"),
    ("word/document.xml", "Độc lập - Tự do - Hạnh phúc", "Độc lập – Tự do – Hạnh phúc", "motto"),
    ("word/document.xml", "Số: 05/CT-UBND", "Số 5/CT-UBND", "number"),
])
def test_checker_reports_a_broken_rule(part, old, new, rule):
    good = render_seed("directive_final", "state")
    assert check(good, expect_for("directive_final", "state")) == []
    broken = edit_part(good, part, old, new)
    problems = check(broken, expect_for("directive_final", "state"))
    assert any(p.startswith(rule) for p in problems), problems


def test_checker_reports_a_state_rule_on_a_party_document():
    data = render_seed("directive_final", "party")
    problems = check(data, Expect("directive_final", "state", type_name="CHỈ THỊ"))
    assert any(p.startswith("national title") for p in problems)
