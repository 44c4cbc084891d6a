"""Shared helpers of the document tests: the two seed directives and the expectation per kind."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from engine.documents import build_context, render_document
from engine.documents.kinds import KINDS, sample_extras
from engine.model.directive import Directive
from engine.model.loader import load_directive_file

from .format_checker import Expect

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SEED_FILES = {
    "state": REPO / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml",
    "party": REPO / "workflows" / "directives" / "cantho-2022-ct-tu.yaml",
}
SEED_TEXT = {"state": SHARED / "seeds" / "003_240c4865fef8ab02.txt",
             "party": SHARED / "seeds" / "000_96ff6323a4a7dc69.txt"}
# Number and date the records clerk gives each seed when it is issued (the seeds show none).
ISSUED = {"state": (5, date(2024, 5, 16)), "party": (25, date(2022, 6, 5))}
TYPE_NAMES = {"submission_slip": "PHIẾU TRÌNH", "directive_draft": "CHỈ THỊ", "directive_final": "CHỈ THỊ",
              "body_report": "BÁO CÁO", "consolidated_report": "BÁO CÁO", "closeout_report": "BÁO CÁO",
              "register_page": "SỔ ĐĂNG KÝ VĂN BẢN ĐI", "incoming_register_page": "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
              "incoming_followup_page": "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN",
              "incoming_slip": "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", "consultation_summary": "BẢN TỔNG HỢP"}
ALL_KINDS = [(kind, side) for kind in KINDS for side in ("state", "party")]


def seed_directive(side: str) -> Directive:
    """The seed directive of a side, loaded through the domain loader."""
    return load_directive_file(SEED_FILES[side])


def expect_for(kind: str, side: str, urgency: str | None = None) -> Expect:
    """What the format checker should demand of `kind` on `side`."""
    return Expect(kind, side, draft=kind == "directive_draft", urgency=urgency,
                  type_name=TYPE_NAMES.get(kind))


def edit_part(data: bytes, part: str, old: str, new: str) -> bytes:
    """A copy of a .docx with one text replacement inside one of its XML parts."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == part:
                text = content.decode("utf-8")
                assert old in text, f"{old!r} not in {part}"
                content = text.replace(old, new, 1).encode("utf-8")
            dst.writestr(info, content)
    return out.getvalue()


def render_seed(kind: str, side: str, **overrides) -> bytes:
    extras = sample_extras(kind, side)
    if kind in ("directive_draft", "directive_final"):
        number, issued_on = ISSUED[side]
        extras = {"number": number, "issued_on": issued_on}
    extras.update(overrides)
    return render_document(kind, build_context(kind, seed_directive(side), **extras))
