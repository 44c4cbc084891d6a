"""`chithi demo`: both directives live from import (or intake) to archive; every stage is shown
and every stored document is written to the output directory."""
from __future__ import annotations

from docx import Document

from engine.directives.demo import format_table
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
    names = " ".join(f.name for f in files)
    for kind, spec in KINDS.items():  # every kind, named as offices name files
        assert spec.file_stem in names, kind
    assert len(list((tmp_path / "out").iterdir())) == 2  # one folder per directive
    chasing = next(f for f in files if KINDS["chasing_letter"].file_stem in f.name)
    doc = Document(str(chasing))
    text = " ".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert "V/v đôn đốc" in text and "Sở Y tế" in text
    table = format_table(rows)
    assert "Lạng Sơn 2024" in table and "Công văn đôn đốc" in table and "Báo cáo lãnh đạo" in table
