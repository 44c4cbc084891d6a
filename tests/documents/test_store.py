"""Generated documents are stored content-addressed, versioned per (directive, kind) and linked to
their step and register entry; uploaded templates are validated, versioned and take effect."""
from __future__ import annotations

import hashlib

import pytest

from engine.documents import DocumentStore, TemplateRejected, render_document
from engine.documents.kinds import sample_context, sample_extras
from engine.documents.render import shipped_template
from engine.documents.samples import sample_directive
from engine.kernel.errors import NotFound
from engine.kernel.models import StoredBlob

from .format_checker import full_text
from .helpers import edit_part


def _render(kind="directive_draft", side="state") -> bytes:
    return render_document(kind, sample_context(kind, side))


def test_regenerating_a_draft_keeps_earlier_versions(database, clock):
    store = DocumentStore()
    first, second = _render(), _render("directive_final")
    with database.session(write=True) as s:
        a = store.save(s, kind="directive_draft", content=first, directive_id=7, instance_id=3,
                       task_ref="draft_directive", actor="chuyenvien", now=clock.now())
    clock.advance(hours=1)
    with database.session(write=True) as s:
        b = store.save(s, kind="directive_draft", content=second, directive_id=7, instance_id=3,
                       task_ref="revise_draft", actor="chuyenvien", now=clock.now())
    with database.session() as s:
        versions = store.versions(s, 7, "directive_draft")
        assert [v.version for v in versions] == [1, 2]
        assert [v.task_ref for v in versions] == ["draft_directive", "revise_draft"]
        assert store.content(s, a.id) == first and store.content(s, b.id) == second
        assert versions[0].sha256 == hashlib.sha256(first).hexdigest()
        assert versions[1].created_at == clock.now() and versions[1].created_at.tzinfo is not None
        assert store.versions(s, 8, "directive_draft") == []


def test_versions_are_counted_per_directive_and_kind(database, clock):
    store = DocumentStore()
    data = _render()
    with database.session(write=True) as s:
        store.save(s, kind="directive_draft", content=data, directive_id=1, actor="a", now=clock.now())
        store.save(s, kind="submission_slip", content=data, directive_id=1, actor="a", now=clock.now())
        other = store.save(s, kind="directive_draft", content=data, directive_id=2, actor="a", now=clock.now())
        assert other.version == 1
        assert other.filename == "directive_draft-v1.docx"
    with database.session() as s:  # identical bytes are stored once
        assert s.query(StoredBlob).count() == 1
        assert len(store.for_directive(s, 1)) == 2


def test_issued_document_is_linked_to_its_register_entry(database, clock):
    store = DocumentStore()
    with database.session(write=True) as s:
        doc = store.save(s, kind="directive_final", content=_render("directive_final"), directive_id=4,
                         actor="vanthu", now=clock.now())
        store.link_register_entry(s, doc.id, 42)
    with database.session() as s:
        assert store.get(s, doc.id).register_entry_id == 42
        with pytest.raises(NotFound):
            store.get(s, doc.id + 100)


def test_uploaded_template_is_used_until_reverted(database, clock):
    store = DocumentStore()
    shipped = shipped_template("transmittal_letter", "state")
    edited = edit_part(shipped, "word/document.xml", "{{ cv_subject }}", "{{ cv_subject | upper }}")
    with database.session(write=True) as s:
        assert store.active_template(s, "transmittal_letter", "state") is None
        first = store.upload_template(s, "transmittal_letter", "state", shipped, "admin", clock.now())
        second = store.upload_template(s, "transmittal_letter", "state", edited, "admin", clock.now())
        assert (first.version, second.version) == (1, 2)
    with database.session() as s:
        template = store.active_template(s, "transmittal_letter", "state")
        assert template == edited
        assert store.active_template(s, "transmittal_letter", "party") is None
        out = render_document("transmittal_letter", sample_context("transmittal_letter", "state"),
                              template_bytes=template)
        assert "V/V GỬI CHỈ THỊ" in full_text(out)
    with database.session(write=True) as s:
        store.revert_template(s, "transmittal_letter", "state")
    with database.session() as s:
        assert store.active_template(s, "transmittal_letter", "state") is None


def test_refused_template_is_not_stored(database, clock):
    store = DocumentStore()
    with pytest.raises(TemplateRejected):
        with database.session(write=True) as s:
            store.upload_template(s, "directive_final", "state", b"not a docx", "admin", clock.now())
    with database.session() as s:
        assert store.active_template(s, "directive_final", "state") is None
        assert s.query(StoredBlob).count() == 0


def test_generate_uses_the_uploaded_template_and_stores_a_version(database, clock):
    store = DocumentStore()
    directive = sample_directive("state")
    shipped = shipped_template("chasing_letter", "state")
    edited = edit_part(shipped, "word/document.xml", "{{ cv_subject }}", "{{ cv_subject | upper }}")
    extras = sample_extras("chasing_letter", "state")
    with database.session(write=True) as s:
        before = store.generate(s, "chasing_letter", directive, actor="he_thong", now=clock.now(),
                                directive_id=9, instance_id=5, task_ref="chase_unit", **extras)
        store.upload_template(s, "chasing_letter", "state", edited, "admin", clock.now())
        after = store.generate(s, "chasing_letter", directive, actor="he_thong", now=clock.now(),
                               directive_id=9, instance_id=5, task_ref="chase_unit", **extras)
    with database.session() as s:
        assert [d.version for d in store.versions(s, 9, "chasing_letter")] == [1, 2]
        assert "V/v đôn đốc" in full_text(store.content(s, before.id))
        assert "V/V ĐÔN ĐỐC" in full_text(store.content(s, after.id))


def test_bodies_saving_the_same_kind_at_once_each_get_their_own_version(database, clock):
    """Eight transactions store a report of the same directive at the same moment (real threads; on
    PostgreSQL they overlap for real): every one is kept, versions 1–8, nobody is turned away."""
    import threading

    from engine.kernel.db import Database

    barrier, outcomes = threading.Barrier(8), []

    def save(i: int) -> None:
        db = Database(database.url)
        try:
            with db.session(write=True) as s:
                barrier.wait(timeout=30)
                DocumentStore().save(s, kind="body_report", content=f"report {i}".encode(), directive_id=3,
                                     actor=f"body{i}", now=clock.now())
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 — the test reports what went wrong
            outcomes.append(repr(exc))
        finally:
            db.dispose()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == ["ok"] * 8
    with database.session() as s:
        assert [d.version for d in DocumentStore().versions(s, 3, "body_report")] == list(range(1, 9))
