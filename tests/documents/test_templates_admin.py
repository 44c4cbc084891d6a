"""Administrators replace document templates: admin only, validated with the faulty placeholder
named, versioned with history, audited, and used by every document generated afterwards."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.app import build_engine
from engine.documents import DocumentStore, TemplateRejected
from engine.documents.kinds import INLINE_KEYS, KINDS, sample_extras
from engine.documents.render import shipped_template
from engine.documents.samples import sample_directive
from engine.documents.templates_admin import (
    placeholders,
    revert_template,
    template_file,
    template_history,
    template_overview,
    upload_template,
)
from engine.kernel.accounts import Actor, cheap_hasher
from engine.kernel.errors import NotFound, PermissionDenied
from engine.kernel.models import AuditEvent

from .format_checker import full_text
from .template_edit import MARK, MOTTO
from .template_edit import edited_template as edit_run

KIND, SIDE = "chasing_letter", "state"
ADMIN = Actor("quantri", "Quản trị", ("admin",), None)
CLERK = Actor("chuyenvien", "Nguyễn Văn A", ("clerk",), "LS.UBND")


def edited_template(old: str = MOTTO, new: str = f"{MOTTO} {MARK}") -> bytes:
    """The shipped chasing letter (State) with one run changed."""
    return edit_run(KIND, SIDE, old, new)


@pytest.fixture
def engine(db_url, clock):
    eng = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    yield eng
    eng.db.dispose()


def _generate(engine) -> str:
    with engine.db.session(write=True) as s:
        doc = DocumentStore().generate(s, KIND, sample_directive(SIDE), actor="he_thong", now=engine.clock.now(),
                                       directive_id=1, **sample_extras(KIND, SIDE))
        return full_text(DocumentStore().content(s, doc.id))


def _audit(engine) -> list[AuditEvent]:
    with engine.db.session() as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_upload_is_used_by_documents_generated_afterwards_until_reverted(engine, clock):
    assert MARK not in _generate(engine)
    slot = upload_template(engine, ADMIN, KIND, SIDE, edited_template())
    assert (slot.uploaded, slot.version, slot.uploaded_by) == (True, 1, "quantri")
    assert slot.uploaded_at == clock.now()
    assert MARK in _generate(engine)

    back = revert_template(engine, ADMIN, KIND, SIDE)
    assert (back.uploaded, back.version, back.earlier_uploads) == (False, None, 1)
    assert MARK not in _generate(engine)
    assert template_file(engine, ADMIN, KIND, SIDE) == (f"{KIND}.{SIDE}.docx", shipped_template(KIND, SIDE))


def test_unknown_placeholder_is_refused_with_its_name_and_nothing_changes(engine):
    with pytest.raises(TemplateRejected) as refused:
        upload_template(engine, ADMIN, KIND, SIDE, edited_template("{{ cv_subject }}", "{{ so_ky_hieu }}"))
    assert "so_ky_hieu" in str(refused.value)
    with pytest.raises(TemplateRejected) as broken:
        upload_template(engine, ADMIN, KIND, SIDE, edited_template("{{ cv_subject }}", "{{ cv_subject "))
    assert "{{ cv_subject" in str(broken.value)
    assert template_history(engine, ADMIN, KIND, SIDE) == []
    assert [e.action for e in _audit(engine)] == []


def test_history_keeps_every_upload_and_the_overview_counts_them(engine, clock):
    first = edited_template()
    second = edited_template(new=f"{MOTTO} (lần 2)")
    upload_template(engine, ADMIN, KIND, SIDE, first)
    clock.advance(hours=1)
    upload_template(engine, ADMIN, KIND, SIDE, second)
    history = template_history(engine, ADMIN, KIND, SIDE)
    assert [(h.version, h.active) for h in history] == [(2, True), (1, False)]
    assert history[0].size == len(second)
    assert template_file(engine, ADMIN, KIND, SIDE) == (f"{KIND}.{SIDE}.v2.docx", second)

    overview = template_overview(engine, ADMIN)
    assert len(overview) == 2 * len(KINDS)
    row = next(s for s in overview if (s.kind, s.side) == (KIND, SIDE))
    assert (row.kind_title, row.side_title, row.version, row.earlier_uploads) == (
        "Công văn đôn đốc", "Nhà nước", 2, 1)
    untouched = next(s for s in overview if (s.kind, s.side) == (KIND, "party"))
    assert (untouched.uploaded, untouched.earlier_uploads) == (False, 0)


def test_uploads_and_reverts_land_in_the_audit_chain(engine):
    upload_template(engine, ADMIN, KIND, SIDE, edited_template())
    revert_template(engine, ADMIN, KIND, SIDE)
    revert_template(engine, ADMIN, KIND, SIDE)  # already shipped: nothing to record
    events = _audit(engine)
    assert [(e.actor, e.action) for e in events] == [("quantri", "template_uploaded"),
                                                     ("quantri", "template_reverted")]
    assert events[0].payload["kind"] == KIND and events[0].payload["version"] == 1
    assert events[1].payload == {"kind": KIND, "side": SIDE, "replaced_version": 1}
    assert engine.verify_audit().ok


def test_only_an_administrator_may_see_or_change_templates(engine):
    data = edited_template()
    for call in (lambda: template_overview(engine, CLERK),
                 lambda: template_file(engine, CLERK, KIND, SIDE),
                 lambda: upload_template(engine, CLERK, KIND, SIDE, data),
                 lambda: revert_template(engine, CLERK, KIND, SIDE),
                 lambda: template_history(engine, CLERK, KIND, SIDE)):
        with pytest.raises(PermissionDenied):
            call()
    assert template_history(engine, ADMIN, KIND, SIDE) == []


def test_unknown_kind_or_side_is_not_found(engine):
    with pytest.raises(NotFound):
        template_file(engine, ADMIN, "thu_moi", SIDE)
    with pytest.raises(NotFound):
        upload_template(engine, ADMIN, KIND, "ngoai", edited_template())


def test_placeholders_document_every_inline_key_and_the_blocks_of_the_kind():
    for kind, spec in KINDS.items():
        names = [name for name, _ in placeholders(kind)]
        assert set(names) == INLINE_KEYS | set(spec.blocks)
        assert all(description for _, description in placeholders(kind))
    assert "report_rows" not in [name for name, _ in placeholders("chasing_letter")]
