"""PDF renditions of stored documents, converted once in the background and kept by content hash.

LibreOffice takes seconds to start and convert, so no web request waits for it: asking for a
document's PDF records a rendition row for the .docx bytes (keyed by their SHA-256, so the same bytes
are converted once whichever document, version or kind holds them); the scheduler's sweep claims
pending rows (row locks on PostgreSQL, the write transaction on SQLite), converts them in one
LibreOffice run outside any transaction, and stores the PDF like any other file. A worker killed
mid-conversion leaves a lease that runs out, and the row is taken again; a document LibreOffice
cannot convert fails after `MAX_ATTEMPTS` with its message (a file that is no Word document at once),
and may be asked for again.
"""
from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..kernel.db import Base
from .pdf import convert_many_to_pdf
from .store import _blob, _put_blob

log = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)  # a conversion still "running" after this was abandoned (killed worker)
BATCH = 8  # documents converted in one LibreOffice run


class PdfRendition(Base):
    """The PDF of one .docx content, or where its conversion stands."""

    __tablename__ = "pdf_rendition"

    docx_sha256: Mapped[str] = mapped_column(ForeignKey("stored_blob.sha256"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_blob.sha256"))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Rendition:
    """Where the PDF of a document stands; `content` holds the PDF once it is done."""

    status: str
    error: str | None = None
    content: bytes | None = None


def request(session: Session, docx_sha256: str, now: datetime) -> Rendition:
    """The PDF of the .docx stored under `docx_sha256`: done (with its bytes), or queued now."""
    row = session.get(PdfRendition, docx_sha256)
    if row is None:
        try:
            with session.begin_nested():
                row = PdfRendition(docx_sha256=docx_sha256, status=PENDING, attempts=0, requested_at=now)
                session.add(row)
        except IntegrityError:  # asked for at the same moment by someone else: theirs stands
            row = session.get(PdfRendition, docx_sha256)
            assert row is not None
    if row.status == DONE and row.pdf_sha256:
        return Rendition(DONE, content=_blob(session, row.pdf_sha256))
    return Rendition(row.status, error=row.error)


def stored(session: Session, docx_sha256: str) -> Rendition | None:
    """The finished PDF of that content, if there is one (reads only)."""
    pdf = session.scalar(select(PdfRendition.pdf_sha256).where(PdfRendition.docx_sha256 == docx_sha256,
                                                                PdfRendition.status == DONE))
    return Rendition(DONE, content=_blob(session, pdf)) if pdf else None


def retry(session: Session, docx_sha256: str, now: datetime) -> None:
    """Ask again for a conversion that failed."""
    row = session.get(PdfRendition, docx_sha256)
    if row is not None and row.status == FAILED:
        row.status, row.attempts, row.error, row.requested_at = PENDING, 0, None, now


def _claim(session: Session, now: datetime, limit: int) -> list[str]:
    due = or_(PdfRendition.status == PENDING,
              (PdfRendition.status == RUNNING) & (PdfRendition.lease_until < now))
    query = select(PdfRendition).where(due).order_by(PdfRendition.requested_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.status, row.lease_until, row.attempts = RUNNING, now + LEASE, row.attempts + 1
    return [row.docx_sha256 for row in rows]


def _not_a_docx(content: bytes) -> str | None:
    """Why `content` is no Word document LibreOffice should be given (it would make an empty PDF)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "word/document.xml" not in archive.namelist():
                return "tệp không có phần nội dung của văn bản Word (word/document.xml)"
    except zipfile.BadZipFile:
        return "tệp không phải văn bản Word (.docx) hợp lệ"
    return None


def convert_pending(transaction: Callable[[], Any], now: Callable[[], datetime], limit: int = BATCH,
                    convert: Callable[[list[bytes]], list[bytes]] = convert_many_to_pdf) -> int:
    """Convert the queued renditions (at most `limit`); returns how many were converted.

    `transaction()` opens a write session (the engine's `db.session(write=True)`). Claiming and
    storing are short transactions; LibreOffice runs between them, holding no lock."""
    with transaction() as s:
        claimed = _claim(s, now(), limit)
        sources = [_blob(s, digest) for digest in claimed]
    if not claimed:
        return 0
    errors: list[str | None] = [_not_a_docx(source) for source in sources]
    hopeless = [error is not None for error in errors]  # no retry makes these convertible
    pdfs: list[bytes | None] = [None] * len(claimed)
    good = [i for i, error in enumerate(errors) if error is None]
    try:
        for i, made in zip(good, convert([sources[i] for i in good]) if good else [], strict=True):
            pdfs[i] = made
    except Exception:  # noqa: BLE001 — one bad document must not sink the batch: convert one by one
        for i in good:
            try:
                pdfs[i] = convert([sources[i]])[0]
            except Exception as one:  # noqa: BLE001
                errors[i] = str(one)[:2000]
    done = 0
    with transaction() as s:
        for digest, pdf, error, final in zip(claimed, pdfs, errors, hopeless, strict=True):
            row = s.get(PdfRendition, digest)
            if row is None or row.status != RUNNING:
                continue
            if pdf is not None:
                row.pdf_sha256 = _put_blob(s, pdf, now())
                row.status, row.error, row.lease_until, row.finished_at = DONE, None, None, now()
                done += 1
            else:
                log.warning("PDF conversion of %s failed: %s", digest[:12], error)
                row.error, row.lease_until = error, None
                row.status = FAILED if final or row.attempts >= MAX_ATTEMPTS else PENDING
                if row.status == FAILED:
                    row.finished_at = now()
    return done


def _stable(content: bytes) -> bytes:
    """The same .docx with every part dated alike: a document made twice from the same data has
    the same bytes (zip entries otherwise carry the moment they were written)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            part.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(part, src.read(info))
    return out.getvalue()


def pdf_of(transaction: Callable[[], Any], content: bytes, now: datetime) -> Rendition:
    """The PDF of a .docx made on the fly (a printed board): its bytes are kept once by hash and
    converted like a stored document's, so asking again while nothing changed is served at once."""
    content = _stable(content)
    with transaction() as s:
        digest = _put_blob(s, content, now)
        done = stored(s, digest)
        return done if done is not None else request(s, digest, now)
