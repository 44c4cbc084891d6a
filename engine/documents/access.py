"""Who may read a stored document: the one rule of engine/directives/access.py (`may_read_document`):
the issuing office and administrators read every document of a directive; an assigned body the issued
directive, its transmittal letter and the letters and reports of its own follow-up; a consulted
department the draft it comments on. A document without a directive is for administrators only.
Anything else is NotFound, as if the document did not exist."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..errors import NotFound
from .kinds import KINDS
from .store import DOCX_MIME, DocumentStore


@dataclass(frozen=True)
class DocumentMeta:
    """What a reader sees of a stored document besides its bytes."""

    id: int
    kind: str
    kind_title: str
    version: int
    directive_id: int | None
    filename: str
    size: int
    sha256: str
    created_by: str
    created_at: datetime
    mime_type: str = DOCX_MIME


def document_for(engine, document_id: int, actor) -> tuple[DocumentMeta, bytes]:
    """The document and its .docx bytes if `actor` may read it, else NotFound."""
    from ..directives.access import may_read_document

    store = DocumentStore()
    with engine.db.session() as s:
        doc = store.get(s, document_id)
        if not may_read_document(s, doc, actor):
            raise NotFound(f"không có văn bản số {document_id}")
        spec = KINDS.get(doc.kind)
        meta = DocumentMeta(id=doc.id, kind=doc.kind, kind_title=spec.title if spec else doc.kind,
                            version=doc.version, directive_id=doc.directive_id, filename=doc.filename,
                            size=doc.size, sha256=doc.sha256, created_by=doc.created_by, created_at=doc.created_at)
        return meta, store.content(s, document_id)
