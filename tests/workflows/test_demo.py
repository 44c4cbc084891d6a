"""`chithi demo`: both directives live from import (or intake) to archive; every stage is shown
and every stored document is written to the output directory."""
from __future__ import annotations

from docx import Document

from engine.directives import tracking
from engine.directives.demo import format_table
from engine.directives.export import read_grid
from engine.documents import KINDS
from tests.workflows.helpers import demo_rows

STAGES = ["1. Tiếp nhận", "2. Chọn hình thức", "3. Soạn thảo", "4. Thẩm định", "4. Ký", "5. Ban hành",
          "6. Phân phối", "7. Theo dõi", "8. Kết thúc"]


def test_demo_runs_both_lives_and_writes_every_document(tmp_path, db_url):
    rows = demo_rows(db_url, tmp_path / "out")
    for directive in ("Cần Thơ 2022 (Đảng)", "Lạng Sơn 2024 (Nhà nước)"):
        seen = [r.stage for r in rows if r.directive == directive]
        assert set(STAGES) <= set(seen), directive
    times = [r.at for r in rows]
    assert times == sorted(times)
    files = sorted((tmp_path / "out").rglob("*.docx"))
    assert len(files) == sum(len(r.documents) for r in rows)
    made = {name.split("-", 2)[1] for r in rows for name in r.documents}
    printed_on_demand = {"incoming_register_page", "incoming_followup_page"}  # the registers pages print them
    assert made == set(KINDS) - printed_on_demand
    names = [f.name.split("-", 1)[1] for f in files]  # named as offices name files: type, number, subject
    for start in ("Chỉ thị 01-CT-UBND - Tăng cường công tác chỉ đạo", "Chỉ thị 01-CT-TU - Tăng cường sự lãnh đạo",
                  "Dự thảo Chỉ thị lần 2 - ", "Phiếu trình - ", "Sổ đăng ký văn bản đi năm 2024.docx",
                  "Phiếu giải quyết văn bản đến - 15-CT-TTg - ", "Bản tổng hợp, tiếp thu, giải trình",
                  "Công văn 04-UBND-KGVX - Đôn đốc gửi báo cáo (Sở Y tế, kỳ 1) - ", "Báo cáo tổng kết - "):
        assert any(name.startswith(start) for name in names), start
    assert len(list((tmp_path / "out").iterdir())) == 2  # one folder per directive
    chasing = next(f for f in files if "Đôn đốc gửi báo cáo" in f.name)
    doc = Document(str(chasing))
    text = " ".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "V/v đôn đốc" in text and "Sở Y tế" in text
    table = format_table(rows)
    assert "Lạng Sơn 2024" in table and "Công văn đôn đốc" in table and "Báo cáo lãnh đạo" in table


def test_demo_writes_each_board_as_xlsx_whose_figures_are_the_close_out_reports(tmp_path, db_url):
    """theo-doi.xlsx: one row per assigned body, one column per period, the status words in the
    cells; the close-out report the leader approved prints the same figures."""
    demo_rows(db_url, tmp_path / "out")
    words = {w: code for code, w in tracking.STATUS_WORDS.items()}
    for folder in sorted((tmp_path / "out").iterdir()):
        grid = read_grid((folder / "theo-doi.xlsx").read_bytes())
        cells = [c for row in grid for c in row if c]
        assert grid and cells and set(cells) <= set(words)
        rates = tracking.Rates()
        for c in cells:
            rates.add(words[c])
        closeout = sorted(folder.glob("*Báo cáo tổng kết*.docx"))[-1]
        text = "\n".join(p.text for p in Document(str(closeout)).paragraphs)
        assert tracking.rates_sentence(rates) in text, folder.name
        assert rates.total > 0
