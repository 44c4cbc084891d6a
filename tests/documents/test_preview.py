"""The HTML preview shows a leader everything needed to approve, with no office suite."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from engine.documents import build_context, preview_html, render_document
from engine.documents.kinds import sample_context

from .helpers import ISSUED, seed_directive


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.parts.append(data)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_preview_of_the_state_directive_shows_header_body_and_recipients_in_order():
    number, issued_on = ISSUED["state"]
    data = render_document("directive_final", build_context(
        "directive_final", seed_directive("state"), number=number, issued_on=issued_on))
    parsed = _parse(preview_html(data))
    text = " ".join(" ".join(parsed.parts).split())
    order = ["ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 05/CT-UBND", "CHỈ THỊ",
             "Về việc tăng cường công tác chỉ đạo", "1. Sở Giáo dục và Đào tạo", "a) Công an tỉnh",
             "l) Đề nghị Ủy ban Mặt trận", "Nơi nhận:", "- Bộ Giáo dục và Đào tạo;", "- Lưu: VT, KGVX (NTH).",
             "CHỦ TỊCH", "Hồ Tiến Thiệu"]
    positions = [text.find(piece) for piece in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions))
    assert positions == sorted(positions)
    assert parsed.tags.count("table") == 2  # header and signature tables


def test_preview_shows_data_tables_and_emphasis():
    html = preview_html(render_document("consolidated_report", sample_context("consolidated_report", "state")))
    assert "<table class=\"ruled\">" in html
    assert "Chưa báo cáo" in html and "Chậm hạn" in html
    assert re.search(r"font-weight:bold[^>]*>BÁO CÁO<", html)
    assert "text-align:justify" in html


def test_preview_escapes_document_text():
    ctx = sample_context("directive_final", "state")
    ctx["subject"] = "<script>alert(1)</script> & <b>"
    html = preview_html(render_document("directive_final", ctx))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in html
