"""One rule decides who may create a directive, and the engine enforces it whatever the way in:
a clerk of one province cannot create another province's directive (tested here on the engine, and
through the page and the API in tests/web/test_directives.py)."""
from __future__ import annotations

import pytest

from engine.directives.demo import person
from engine.directives.life import import_directive, national_only, update_draft
from engine.directives.policy import may_import
from engine.kernel.accounts import Actor
from engine.kernel.errors import PermissionDenied
from tests.workflows.helpers import DIRECTIVES, party_directive, state_directive

LANGSON_CLERK = person("clerk", "LS.UBND")
CANTHO_CLERK = person("clerk", "CT.TU")


def test_the_rule_itself():
    assert may_import(LANGSON_CLERK, "LS.UBND") and not may_import(LANGSON_CLERK, "CT.TU")
    assert may_import(person("records_clerk", "LS.UBND"), "LS.UBND") and may_import(person("unit_head", "LS.UBND"))
    assert not may_import(person("leader", "LS.UBND"), "LS.UBND")
    assert not may_import(person("body_officer", "LS.SYT"), "LS.SYT")
    assert not may_import(Actor("lost", "Không đơn vị", ("clerk",), None))
    assert may_import(Actor("admin", "Quản trị", ("admin",)), "CT.TU")


def test_a_clerk_cannot_import_another_provinces_directive(workflow_engine):
    with pytest.raises(PermissionDenied, match="Ủy ban nhân dân tỉnh Lạng Sơn.*Thành ủy Cần Thơ"):
        import_directive(workflow_engine, party_directive(), actor=LANGSON_CLERK)
    did, _ = import_directive(workflow_engine, party_directive(), actor=CANTHO_CLERK)
    assert did == 1  # the refused import left nothing behind: this is the first directive


def test_intake_is_for_the_receivers_own_records_clerk(workflow_engine):
    start = national_only(DIRECTIVES / "langson-2024-ct-ubnd.yaml")
    with pytest.raises(PermissionDenied):
        import_directive(workflow_engine, start, actor=person("records_clerk", "CT.TU"))
    with pytest.raises(PermissionDenied):
        import_directive(workflow_engine, start, actor=person("body_officer", "LS.UBND"))
    did, instance_id = import_directive(workflow_engine, start, actor=person("records_clerk", "LS.UBND"))
    assert did == 1 and workflow_engine.get_instance(instance_id).process_id == "directive_intake"


def test_a_draft_is_rewritten_only_by_its_issuers_people(workflow_engine):
    did, _ = import_directive(workflow_engine, state_directive(), actor=LANGSON_CLERK)
    with pytest.raises(PermissionDenied):
        update_draft(workflow_engine, did, state_directive(), actor=CANTHO_CLERK)
    assert update_draft(workflow_engine, did, state_directive(), actor=LANGSON_CLERK) == 2


def test_an_import_must_name_the_actor():
    with pytest.raises(TypeError):
        import_directive(None, state_directive(), actor="clerk")
