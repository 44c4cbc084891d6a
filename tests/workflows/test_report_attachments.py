"""A body's report with attachments: PDF, DOCX and XLSX accepted by their content (a renamed file
gets its true extension), anything else, macro files, oversize and broken files refused with the
reason; each file stored once by its sha256; the recorded report carries them."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.directives import attachments
from engine.directives.demo import person
from engine.directives.store import BodyReport
from engine.kernel.errors import FormError, PermissionDenied
from engine.kernel.models import StoredBlob
from tests.workflows.test_followup_paths import DUE_1, issued

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def test_types_are_decided_by_content():
    assert attachments.sniff(PDF) == attachments.PDF
    assert attachments.sniff(office("docx")) == attachments.DOCX
    assert attachments.sniff(office("xlsx")) == attachments.XLSX
    refused = {
        "MZ\x90\x00 program": "Chỉ nhận tệp PDF",
        "": "Tệp rỗng",
        "%PDF-1.4 cut short": "không trọn vẹn",
    }
    for content, reason in refused.items():
        with pytest.raises(FormError) as exc:
            attachments.sniff(content.encode("latin-1"))
        assert reason in exc.value.fields[0].message
    with pytest.raises(FormError, match="macro"):
        attachments.sniff(office("docx", {"word/vbaProject.bin": b"x"}))
    with pytest.raises(FormError, match="hỏng"):
        attachments.sniff(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormError, match="lớn hơn"):
        attachments.sniff(b"%PDF-" + b"0" * attachments.MAX_BYTES)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"0" * (attachments.MAX_UNZIPPED + 1))
    with pytest.raises(FormError, match="giải nén"):
        attachments.sniff(bomb.getvalue())


def test_the_report_carries_its_files_stored_once(engine, desk):
    did, _ = issued(engine, desk, ("LS.CA", "LS.SYT"))
    for body in ("LS.CA", "LS.SYT"):
        desk.do("body_officer", body, "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    officer = person("body_officer", "LS.CA")
    (task,) = desk.tasks("body_officer", "LS.CA", "Task_report")
    first = attachments.attach(engine, task.id, officer, "bao-cao.pdf", PDF)
    table = attachments.attach(engine, task.id, officer, "so-lieu.pdf", office("xlsx"))  # named wrongly
    assert first.filename == "bao-cao.pdf" and table.filename == "so-lieu.xlsx" and table.mime == attachments.XLSX
    with pytest.raises(FormError, match="đã được đính kèm"):
        attachments.attach(engine, task.id, officer, "lan-nua.pdf", PDF)
    with pytest.raises(PermissionDenied):  # another body's officer
        attachments.attach(engine, task.id, person("body_officer", "LS.SYT"), "x.pdf", PDF)
    (other,) = desk.tasks("body_officer", "LS.SYT", "Task_report")
    attachments.attach(engine, other.id, person("body_officer", "LS.SYT"), "cung-noi-dung.pdf", PDF)
    with engine.db.session() as s:
        assert s.scalar(select(func.count()).select_from(StoredBlob).where(
            StoredBlob.sha256.in_([first_sha(s, first.id)]))) == 1  # the same bytes: one stored copy
    desk.do("body_officer", "LS.CA", "Task_report", {"content": "Đã triển khai, số liệu kèm theo."})
    with engine.db.session() as s:
        report = s.scalars(select(BodyReport).where(BodyReport.directive_id == did,
                                                    BodyReport.body_code == "LS.CA")).one()
        assert len(report.attachments) == 2
        files = attachments.of_reports(s, [report.id])[report.id]
        assert sorted(f.filename for f in files) == ["bao-cao.pdf", "so-lieu.xlsx"]
    name, mime, data = attachments.content_of(engine, first.id, person("clerk", "LS.UBND"))
    assert (name, mime, data) == ("bao-cao.pdf", attachments.PDF, PDF)
    assert attachments.pending(engine, task.id) == []


def first_sha(s, attachment_id: int) -> str:
    return s.get(attachments.ReportAttachment, attachment_id).sha256
