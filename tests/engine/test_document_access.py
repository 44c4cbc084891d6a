"""Reading a directive's documents and listing directives follow the one visibility rule of
`directive_summary`; the reference data loads idempotently."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from engine.accounts import Actor
from engine.directives.life import directive_summary, import_directive, list_visible
from engine.directory.service import load_reference_data
from engine.documents import DocumentStore
from engine.documents.access import document_for
from engine.errors import NotFound

LANGSON = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
ISSUER_CLERK = Actor("cv", "Chuyên viên", ("clerk",), "LS.UBND")
BODY_OFFICER = Actor("dv", "Cán bộ Sở GD&ĐT", ("body_officer",), "LS.SGDDT")
OUTSIDER = Actor("ct", "Chuyên viên Cần Thơ", ("clerk",), "CT.TU")
NO_BODY = Actor("nb", "Không đơn vị", ("clerk",), None)
ADMIN = Actor("admin", "Quản trị", ("admin",), None)


def _docx(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _save(engine, directive_id, text: str) -> int:
    with engine.db.session(write=True) as s:
        doc = DocumentStore().save(s, kind="directive_draft", content=_docx(text), directive_id=directive_id,
                                   actor="test", now=engine.clock.now())
        s.flush()
        return doc.id


@pytest.fixture
def directive_id(engine):
    did, _ = import_directive(engine, LANGSON, actor=ISSUER_CLERK)
    return did


def test_the_issuing_office_and_admins_read_a_directive_document(engine, directive_id):
    document_id = _save(engine, directive_id, "Dự thảo lần 1")
    for actor in (ISSUER_CLERK, ADMIN):
        meta, content = document_for(engine, document_id, actor)
        assert meta.directive_id == directive_id and meta.kind_title == "Dự thảo chỉ thị"
        assert meta.mime_type.endswith("wordprocessingml.document")
        assert Document(io.BytesIO(content)).paragraphs[0].text == "Dự thảo lần 1"


def test_assigned_bodies_outsiders_and_unknown_ids_get_not_found(engine, directive_id):
    document_id = _save(engine, directive_id, "Nội bộ")
    assert directive_summary(engine, directive_id, actor=BODY_OFFICER)["assignments"]  # sees the header
    for actor in (BODY_OFFICER, OUTSIDER, NO_BODY):
        with pytest.raises(NotFound):
            document_for(engine, document_id, actor)
    with pytest.raises(NotFound):
        document_for(engine, 999_999, ADMIN)


def test_a_document_without_a_directive_is_for_admins_only(engine):
    document_id = _save(engine, None, "Mẫu thử")
    assert document_for(engine, document_id, ADMIN)[0].directive_id is None
    with pytest.raises(NotFound):
        document_for(engine, document_id, ISSUER_CLERK)


def test_list_visible_shows_the_issuer_and_assigned_bodies_their_directives(engine, directive_id):
    assert [(d["id"], d["full"]) for d in list_visible(engine, ISSUER_CLERK)] == [(directive_id, True)]
    assert [(d["id"], d["full"]) for d in list_visible(engine, BODY_OFFICER)] == [(directive_id, False)]
    assert [d["id"] for d in list_visible(engine, ADMIN)] == [directive_id]
    assert list_visible(engine, OUTSIDER) == []
    assert list_visible(engine, NO_BODY) == []


def test_reference_data_loads_idempotently(engine):
    first = load_reference_data(engine)
    assert first["bodies"] > 50 and first["party_terms"] > 0
    assert load_reference_data(engine) == first
    from engine.directory.service import get_body

    with engine.db.session() as s:
        assert get_body(s, "LS.SGDDT").name
