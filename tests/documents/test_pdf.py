"""LibreOffice converts every generated document; a real PDF reader opens the directive's PDF."""
from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from engine.documents import (
    OfficeSuiteMissing,
    build_context,
    convert_many_to_pdf,
    convert_to_pdf,
    render_document,
    validate_template,
)
from engine.documents.kinds import sample_context
from engine.documents.render import shipped_template

from .format_checker import check
from .helpers import ALL_KINDS, ISSUED, expect_for, render_seed, seed_directive

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                                 reason="LibreOffice not installed (CI installs it and runs this)")]


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture(scope="module")
def all_pdfs():
    """Every kind × side from the seeds, converted in one soffice run."""
    docs = [render_seed(kind, side) for kind, side in ALL_KINDS]
    return dict(zip(ALL_KINDS, convert_many_to_pdf(docs, timeout=240)))


@pytest.mark.parametrize("kind,side", ALL_KINDS)
def test_libreoffice_converts_every_generated_document(all_pdfs, kind, side):
    reader = PdfReader(io.BytesIO(all_pdfs[(kind, side)]))
    assert len(reader.pages) >= 1
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4 portrait in points
    assert reader.pages[0].mediabox.height == pytest.approx(842, abs=2)


TIMES_METRIC_FAMILIES = {"TimesNewRoman", "TimesNewRomanPSMT", "LiberationSerif", "Tinos"}


def embedded_font_families(pdf: bytes) -> set[str]:
    """Families of the fonts a PDF embeds: "/BAAAAA+LiberationSerif-Bold" counts as LiberationSerif."""
    families = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            name = str(font.get_object().get("/BaseFont", "")).lstrip("/")
            families.add(name.split("+", 1)[-1].split("-", 1)[0].split(",", 1)[0])
    return families


@pytest.mark.parametrize("kind,side", ALL_KINDS)
def test_every_pdf_is_set_in_one_times_metric_family(all_pdfs, kind, side):
    """A letter missing from the font makes LibreOffice borrow it from another one, glyph by glyph; a
    second family in the PDF is that silent fallback (e.g. "Ủ" from DejaVu inside Liberation Serif)."""
    families = embedded_font_families(all_pdfs[(kind, side)])
    assert len(families) == 1 and families <= TIMES_METRIC_FAMILIES, families


@pytest.mark.parametrize("side,subject,signer", [
    ("state", "Về việc tăng cường công tác chỉ đạo, phối hợp tổ chức", "Hồ Tiến Thiệu"),
    ("party", "về tăng cường sự lãnh đạo của Đảng trong công tác tổ chức", "Phạm Văn Hiếu"),
])
def test_directive_pdf_has_pages_and_the_text_a_reader_expects(side, subject, signer):
    number, issued_on = ISSUED[side]
    docx = render_document("directive_final", build_context(
        "directive_final", seed_directive(side), number=number, issued_on=issued_on))
    pdf = convert_to_pdf(docx)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2  # the seeds run over several pages
    text = _text(pdf)
    for piece in ("CHỈ THỊ", subject, signer, "Nơi nhận"):
        assert piece in text, piece
    second_page = " ".join((reader.pages[1].extract_text() or "").split())
    assert second_page.startswith("2") and not _text_first_line(reader).startswith("1 ")


def _text_first_line(reader) -> str:
    return " ".join((reader.pages[0].extract_text() or "").split())


def test_template_resaved_by_libreoffice_is_accepted_and_keeps_the_format(tmp_path):
    """An administrator edits a template in LibreOffice and uploads it: it validates and renders right."""
    source = tmp_path / "mau.docx"
    source.write_bytes(shipped_template("directive_final", "state"))
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(source)], check=True, capture_output=True, timeout=120)
    resaved = (tmp_path / "out" / "mau.docx").read_bytes()
    assert resaved != source.read_bytes()
    validate_template("directive_final", resaved)
    out = render_document("directive_final", sample_context("directive_final", "state"), template_bytes=resaved)
    assert check(out, expect_for("directive_final", "state")) == []


def test_missing_libreoffice_is_a_typed_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OfficeSuiteMissing):
        convert_to_pdf(b"PK")
