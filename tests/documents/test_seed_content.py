"""The final directives generated from the two seeds carry the seed documents' text, in order:
header, type name and subject, every section and sub-item, the signature block and Nơi nhận."""
from __future__ import annotations

import re

import pytest

from engine.documents import build_context, render_document

from .format_checker import full_text
from .helpers import ISSUED, SEED_TEXT, seed_directive

# Header lines of the State seed that are still blank there (a draft); checked separately below.
DRAFT_HEADER = ("Số: /CT-UBND", "Lạng Sơn, ngày tháng 5 năm 2024")


def _norm(text: str) -> str:
    return " ".join(text.split())


def seed_lines(side: str) -> list[str]:
    """The seed's printed lines, markdown emphasis and the drawn rule removed."""
    raw = SEED_TEXT[side].read_text(encoding="utf-8").replace("****", "\n")
    lines = []
    for line in raw.splitlines():
        line = _norm(line.replace("**", ""))
        if line and not re.fullmatch(r"-{3,}", line) and line not in DRAFT_HEADER:
            lines.append(line)
    return lines


def render_final(side: str) -> str:
    number, issued_on = ISSUED[side]
    ctx = build_context("directive_final", seed_directive(side), number=number, issued_on=issued_on)
    return _norm(full_text(render_document("directive_final", ctx)))


@pytest.mark.parametrize("side", ["state", "party"])
def test_final_directive_contains_every_seed_line_in_order(side):
    text = render_final(side)
    position = 0
    for line in seed_lines(side):
        found = text.find(line, position)
        assert found >= 0, f"seed line missing or out of order: {line[:80]!r}"
        position = found + len(line)


def test_state_seed_assignments_a_to_l_appear_in_order():
    text = render_final("state")
    labels = ["a) Công an tỉnh", "b) Sở Y tế", "c) Sở Lao động", "d) Thanh tra tỉnh",
              "đ) Sở Thông tin và Truyền thông", "e) Sở Giao thông vận tải", "g) Sở Tài chính",
              "h) Công ty Điện lực Lạng Sơn", "i) Thủ trưởng", "k) Đề nghị Đoàn", "l) Đề nghị Ủy ban"]
    positions = [text.find(label) for label in labels]
    assert all(p >= 0 for p in positions), dict(zip(labels, positions))
    assert positions == sorted(positions)


@pytest.mark.parametrize("side,header,signature,last_recipient", [
    ("state", ["ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
               "Độc lập - Tự do - Hạnh phúc", "Số: 05/CT-UBND", "Lạng Sơn, ngày 16 tháng 5 năm 2024"],
     ["CHỦ TỊCH", "Hồ Tiến Thiệu"], "- Lưu: VT, KGVX (NTH)."),
    ("party", ["THÀNH ỦY CẦN THƠ", "*", "ĐẢNG CỘNG SẢN VIỆT NAM", "Số 25-CT/TU",
               "Cần Thơ, ngày 05 tháng 6 năm 2022"],
     ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Văn Hiếu"], "- Lưu Văn phòng Thành ủy."),
])
def test_final_directive_header_signature_and_archive_line(side, header, signature, last_recipient):
    text = render_final(side)
    position = 0
    for piece in header + ["CHỈ THỊ", "Nơi nhận:"]:
        found = text.find(piece, position)
        assert found >= 0, piece
        position = found
    recipients_end = text.find(last_recipient)
    assert recipients_end > text.find("Nơi nhận:")
    sig_pos = [text.find(s, recipients_end) for s in signature]
    assert all(p > 0 for p in sig_pos) and sig_pos == sorted(sig_pos)
