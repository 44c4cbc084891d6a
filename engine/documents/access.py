"""Who may read a stored document: the reader of its directive, by the rule `directive_summary` uses
(issuing office and administrators see every document; an assigned body sees the directive's header
and its own assignment only, so none of the drafts and letters). A document without a directive is
for administrators only."""
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
    from ..directives.life import own_assignments
    from ..directives.store import get_directive_row

    store = DocumentStore()
    with engine.db.session() as s:
        doc = store.get(s, document_id)
        hidden = NotFound(f"không có văn bản số {document_id}")
        if doc.directive_id is None:
            if not actor.is_admin:
                raise hidden
        else:
            try:
                own = own_assignments(s, get_directive_row(s, doc.directive_id), actor)
            except NotFound:
                raise hidden from None
            if own is not None:
                raise hidden
        spec = KINDS.get(doc.kind)
        meta = DocumentMeta(id=doc.id, kind=doc.kind, kind_title=spec.title if spec else doc.kind,
                            version=doc.version, directive_id=doc.directive_id, filename=doc.filename,
                            size=doc.size, sha256=doc.sha256, created_by=doc.created_by, created_at=doc.created_at)
        return meta, store.content(s, document_id)
