"""Storage of generated documents (versioned per directive and kind, content-addressed bytes) and of
the templates administrators upload (validated; the newest active one overrides the shipped one)."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Boolean, ColumnElement, ForeignKey, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..kernel import faults
from ..kernel.db import Base
from ..kernel.errors import ConflictError, NotFound
from ..kernel.models import StoredBlob
from ..model.directive import Directive
from .kinds import build_context, check_side, kind_spec
from .render import render_document, validate_template

VERSION_ATTEMPTS = 20  # concurrent savers of one (directive, kind) each take the next free version
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class GeneratedDocument(Base):
    """One version of one generated document, linked to its directive, step and register entry."""

    __tablename__ = "generated_document"
    __table_args__ = (UniqueConstraint("directive_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    version: Mapped[int] = mapped_column(Integer)
    directive_id: Mapped[int | None] = mapped_column(Integer, index=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    task_ref: Mapped[str | None] = mapped_column(String(200))
    register_entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_blob.sha256"))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class DocumentTemplate(Base):
    """An uploaded template for one kind and side; only the newest active one is used."""

    __tablename__ = "document_template"
    __table_args__ = (UniqueConstraint("kind", "side", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    side: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_blob.sha256"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime]


def _put_blob(session: Session, content: bytes, now: datetime) -> str:
    digest = hashlib.sha256(content).hexdigest()
    if session.get(StoredBlob, digest) is None:
        try:
            with session.begin_nested():
                session.add(StoredBlob(sha256=digest, size=len(content), content=content, created_at=now))
        except IntegrityError:  # the same bytes were stored concurrently: nothing to do
            pass
    return digest


def _blob(session: Session, digest: str) -> bytes:
    blob = session.get(StoredBlob, digest)
    if blob is None:  # the row references it by foreign key: only a damaged database gets here
        raise NotFound(f"thiếu nội dung tệp {digest[:12]}… trong kho")
    return blob.content


class DocumentStore:
    """Generated documents and uploaded templates; every method works inside the caller's session."""

    def store_file(self, session: Session, content: bytes, now: datetime) -> str:
        """Keep a file's bytes once, by their SHA-256 (the same bytes twice are stored once)."""
        return _put_blob(session, content, now)

    def file_content(self, session: Session, digest: str) -> bytes:
        """The bytes kept under a SHA-256 by store_file."""
        return _blob(session, digest)

    def save(self, session: Session, *, kind: str, content: bytes, directive_id: int | None = None,
             instance_id: int | None = None, task_ref: str | None = None,
             register_entry_id: int | None = None, actor: str, now: datetime,
             filename: str | None = None) -> GeneratedDocument:
        """Store a new version of (directive, kind); earlier versions are kept.

        Bodies report on the same directive at the same moment: when another transaction takes the
        version number first, the next one is taken (on PostgreSQL the unique index makes the later
        insert wait for the first to commit), so no one is turned away."""
        kind_spec(kind)
        digest = _put_blob(session, content, now)
        same = GeneratedDocument.directive_id.is_(None) if directive_id is None \
            else GeneratedDocument.directive_id == directive_id
        for _attempt in range(VERSION_ATTEMPTS):
            latest = session.scalar(select(func.max(GeneratedDocument.version))
                                    .where(same, GeneratedDocument.kind == kind))
            version = (latest or 0) + 1
            doc = GeneratedDocument(
                kind=kind, version=version, directive_id=directive_id, instance_id=instance_id,
                task_ref=task_ref, register_entry_id=register_entry_id, sha256=digest, size=len(content),
                filename=filename or f"{kind}-v{version}.docx", created_by=actor, created_at=now)
            try:
                with session.begin_nested():
                    session.add(doc)
                faults.reach("document_written")
                return doc
            except IntegrityError:
                continue
        raise ConflictError(f"không lấy được số phiên bản mới cho {kind} sau {VERSION_ATTEMPTS} lần; hãy thử lại")

    def generate(self, session: Session, kind: str, directive: Directive, *, actor: str, now: datetime,
                 directive_id: int | None = None, instance_id: int | None = None,
                 task_ref: str | None = None, register_entry_id: int | None = None,
                 filename: str | None = None, **extra) -> GeneratedDocument:
        """Build the context, render with the template in force (uploaded or shipped), save a version.

        The one way every document is generated: the workflows' steps come through here too, so an
        administrator's uploaded template applies to the next document of its kind."""
        context = build_context(kind, directive, **extra)
        template = self.active_template(session, kind, context["side"])
        content = render_document(kind, context, template_bytes=template)
        return self.save(session, kind=kind, content=content, directive_id=directive_id,
                         instance_id=instance_id, task_ref=task_ref,
                         register_entry_id=register_entry_id, actor=actor, now=now, filename=filename)

    def versions(self, session: Session, directive_id: int | None, kind: str) -> list[GeneratedDocument]:
        """Every stored version of (directive, kind), oldest first."""
        same = GeneratedDocument.directive_id.is_(None) if directive_id is None \
            else GeneratedDocument.directive_id == directive_id
        return list(session.scalars(select(GeneratedDocument)
                                    .where(same, GeneratedDocument.kind == kind)
                                    .order_by(GeneratedDocument.version)))

    def for_directive(self, session: Session, directive_id: int,
                      where: ColumnElement[bool] | None = None) -> list[GeneratedDocument]:
        """The documents of a directive (those matching `where`, if given), newest first."""
        query = select(GeneratedDocument).where(GeneratedDocument.directive_id == directive_id)
        if where is not None:
            query = query.where(where)
        return list(session.scalars(query.order_by(GeneratedDocument.id.desc())))

    def get(self, session: Session, document_id: int) -> GeneratedDocument:
        """One generated document, or NotFound."""
        doc = session.get(GeneratedDocument, document_id)
        if doc is None:
            raise NotFound(f"không có văn bản số {document_id}")
        return doc

    def content(self, session: Session, document_id: int) -> bytes:
        """The .docx bytes of a generated document."""
        return _blob(session, self.get(session, document_id).sha256)

    def link_register_entry(self, session: Session, document_id: int,
                            register_entry_id: int) -> GeneratedDocument:
        """Record the outgoing-register entry of an issued document."""
        doc = self.get(session, document_id)
        doc.register_entry_id = register_entry_id
        return doc

    def upload_template(self, session: Session, kind: str, side: str, data: bytes, actor: str,
                        now: datetime) -> DocumentTemplate:
        """Validate and store a template; it becomes the active one for (kind, side)."""
        check_side(side)
        validate_template(kind, data, side)
        digest = _put_blob(session, data, now)
        latest = session.scalar(select(func.max(DocumentTemplate.version))
                                .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side))
        session.execute(update(DocumentTemplate)
                        .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side)
                        .values(active=False))
        row = DocumentTemplate(kind=kind, side=side, version=(latest or 0) + 1, sha256=digest,
                               active=True, uploaded_by=actor, uploaded_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError as exc:
            raise ConflictError("một mẫu khác vừa được tải lên cùng lúc; hãy thử lại") from exc
        return row

    def active_template(self, session: Session, kind: str, side: str) -> bytes | None:
        """The uploaded template in force for (kind, side), or None to use the shipped one."""
        row = session.scalar(select(DocumentTemplate)
                             .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side,
                                    DocumentTemplate.active.is_(True))
                             .order_by(DocumentTemplate.version.desc()).limit(1))
        return None if row is None else _blob(session, row.sha256)

    def revert_template(self, session: Session, kind: str, side: str) -> None:
        """Go back to the shipped template for (kind, side); uploads stay in history."""
        session.execute(update(DocumentTemplate)
                        .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side)
                        .values(active=False))
