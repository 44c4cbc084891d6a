"""Files a body attaches to its report (PDF, DOCX, XLSX): the type decided by the content, never by
the name; a size cap; zip archives (DOCX/XLSX) opened only within bounds and refused with macros;
stored once by sha256 in the shared blob store and handed to the report when it is recorded."""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..kernel.accounts import Actor
from ..kernel.db import Base
from ..kernel.errors import FieldProblem, FormError, NotFound, PermissionDenied
from ..kernel.humantasks import may_act
from ..kernel.models import HumanTask, StoredBlob
from ..kernel.status import OPEN_TASK

MAX_BYTES = 8 * 1024 * 1024  # one file (the app refuses requests over MAX_CONTENT_LENGTH, 10 MB)
MAX_FILES = 10  # per report
MAX_UNZIPPED = 60 * 1024 * 1024  # what a DOCX/XLSX may expand to
MAX_ENTRIES = 5000
REPORT_TASKS = ("Task_report", "Task_report_after")
PDF, DOCX, XLSX = ("application/pdf",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx"}


class ReportAttachment(Base):
    """A file attached to a report task (by its instance); `report_id` once the report is recorded."""

    __tablename__ = "report_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    task_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_blob.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime]
    report_id: Mapped[int | None] = mapped_column(Integer, index=True)


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    mime: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


def _refuse(message: str) -> FormError:
    return FormError([FieldProblem("file", message)])


def sniff(content: bytes) -> str:
    """The type of `content` by what it is: PDF, DOCX or XLSX (FormError for anything else)."""
    if len(content) > MAX_BYTES:
        raise _refuse(f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB")
    if not content:
        raise _refuse("Tệp rỗng")
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-2048:]:
            raise _refuse("Tệp PDF không trọn vẹn")
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                infos = z.infolist()
                if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED:
                    raise _refuse("Tệp nén quá lớn khi giải nén")
                names = {i.filename for i in infos}
        except zipfile.BadZipFile:
            raise _refuse("Tệp hỏng, không mở được") from None
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse("Tệp có macro; hãy lưu lại thành .docx hoặc .xlsx không có macro")
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
    raise _refuse("Chỉ nhận tệp PDF, Word (.docx) hoặc Excel (.xlsx)")


def _clean_name(filename: str, mime: str) -> str:
    name = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:200] or "tep-dinh-kem") + EXTENSIONS[mime]


def _task_for(s: Session, task_id: int, actor: Actor) -> HumanTask:
    row = s.get(HumanTask, task_id)
    if row is None or row.element_id not in REPORT_TASKS:
        raise NotFound(f"Không có việc gửi báo cáo số {task_id}")
    if row.status not in OPEN_TASK or not may_act(actor, row):
        raise PermissionDenied("Chỉ người đang gửi báo cáo này mới đính kèm được tệp")
    return row


def attach(engine: Any, task_id: int, actor: Actor, filename: str, content: bytes) -> AttachmentInfo:
    """Attach a file to the open report task `task_id` (stored once by its sha256)."""
    mime = sniff(content)
    digest = hashlib.sha256(content).hexdigest()
    now = engine.clock.now()
    with engine.transaction() as s:
        task = _task_for(s, task_id, actor)
        present = s.scalars(select(ReportAttachment).where(ReportAttachment.instance_id == task.instance_id,
                                                           ReportAttachment.report_id.is_(None))).all()
        if any(a.sha256 == digest for a in present):
            raise _refuse("Tệp này đã được đính kèm")
        if len(present) >= MAX_FILES:
            raise _refuse(f"Mỗi báo cáo đính kèm tối đa {MAX_FILES} tệp")
        if s.get(StoredBlob, digest) is None:
            try:
                with s.begin_nested():
                    s.add(StoredBlob(sha256=digest, size=len(content), content=content, created_at=now))
            except IntegrityError:  # the same bytes stored at the same moment: one copy is enough
                pass
        row = ReportAttachment(instance_id=task.instance_id, task_id=task_id, sha256=digest,
                               filename=_clean_name(filename, mime), mime=mime, size=len(content),
                               uploaded_by=actor.username, uploaded_at=now)
        s.add(row)
        s.flush()
        engine.record(s, actor.username, "report_attachment_added", task.instance_id,
                      {"task_id": task_id, "sha256": digest, "filename": row.filename, "size": row.size})
        return AttachmentInfo(row.id, row.filename, mime, row.size, row.uploaded_by, now)


def remove(engine: Any, task_id: int, attachment_id: int, actor: Actor) -> None:
    with engine.transaction() as s:
        task = _task_for(s, task_id, actor)
        row = s.get(ReportAttachment, attachment_id)
        if row is None or row.instance_id != task.instance_id or row.report_id is not None:
            raise NotFound("Không có tệp đính kèm này")
        s.delete(row)
        engine.record(s, actor.username, "report_attachment_removed", task.instance_id,
                      {"task_id": task_id, "sha256": row.sha256})


def pending(engine: Any, task_id: int) -> list[AttachmentInfo]:
    """Files attached to the report task and not yet sent with a report."""
    with engine.db.session() as s:
        task = s.get(HumanTask, task_id)
        if task is None:
            return []
        rows = s.scalars(select(ReportAttachment).where(ReportAttachment.instance_id == task.instance_id,
                                                        ReportAttachment.report_id.is_(None))
                         .order_by(ReportAttachment.id)).all()
        return [AttachmentInfo(r.id, r.filename, r.mime, r.size, r.uploaded_by, r.uploaded_at) for r in rows]


def take_for_report(session: Session, instance_id: int) -> list[ReportAttachment]:
    """The files waiting on the period's instance, for the report being recorded (call link_report after)."""
    return list(session.scalars(select(ReportAttachment).where(ReportAttachment.instance_id == instance_id,
                                                               ReportAttachment.report_id.is_(None))
                                .order_by(ReportAttachment.id)))


def of_reports(session: Session, report_ids: list[int]) -> dict[int, list[ReportAttachment]]:
    out: dict[int, list[ReportAttachment]] = {}
    if report_ids:
        for r in session.scalars(select(ReportAttachment).where(ReportAttachment.report_id.in_(report_ids))):
            out.setdefault(r.report_id or 0, []).append(r)
    return out


def content_of(engine: Any, attachment_id: int, actor: Actor) -> tuple[str, str, bytes]:
    """(file name, type, bytes) of an attachment, for the body that sent it or the issuing office."""
    from .policy import reader_scope
    from .store import BodyReport, DirectiveRow

    with engine.db.session() as s:
        row = s.get(ReportAttachment, attachment_id)
        if row is None:
            raise NotFound("Không có tệp đính kèm này")
        allowed = row.uploaded_by == actor.username or actor.is_admin
        if not allowed and row.report_id is not None:
            report = s.get(BodyReport, row.report_id)
            directive = s.get(DirectiveRow, report.directive_id) if report is not None else None
            if directive is not None:
                scope = reader_scope(s, directive, actor)
                allowed = scope.full or (report is not None and report.body_code == actor.body_code)
        if not allowed:
            raise NotFound("Không có tệp đính kèm này")
        blob = s.get(StoredBlob, row.sha256)
        if blob is None:
            raise NotFound("Thiếu nội dung tệp")
        return row.filename, row.mime, blob.content
