"""Directory administration: a body given a successor (what new documents then get), every change
versioned and audited, what is typed checked all at once, YAML export read back by the import."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from engine.directory.admin import body_detail, export_yaml, import_yaml, list_bodies, save_body
from engine.directory.models import Body, BodyVersion
from engine.directory.service import load_bodies, map_to_successors
from engine.kernel.errors import FormError, NotFound, PermissionDenied
from engine.kernel.models import AuditEvent

OLD = {"name": "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn", "kind": "department",
       "parent_code": "LS.UBND", "province": "Lạng Sơn", "short_names": "Sở NN&PTNT\nSở Nông nghiệp"}
NEW = {"name": "Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn", "kind": "department", "parent_code": "LS.UBND",
       "province": "Lạng Sơn", "valid_from": "01/03/2025"}


@pytest.fixture
def directory(engine, admin):
    with engine.transaction() as s:
        load_bodies(s)
    save_body(engine, admin, "LS.SNNPTNT", OLD, create=True)
    save_body(engine, admin, "LS.SNNMT", NEW, "Nghị định 45/2025/NĐ-CP", create=True)
    return engine


def test_a_body_given_a_successor_is_replaced_by_it_after_its_last_day(directory, admin):
    engine = directory
    view = save_body(engine, admin, "LS.SNNPTNT", {**OLD, "valid_to": "28/02/2025",
                                                  "successors": [{"code": "LS.SNNMT", "functions": "toàn bộ"}]},
                     "Hợp nhất theo Nghị định 45/2025/NĐ-CP")
    assert view.valid_to == date(2025, 2, 28) and [s.name for s in view.successors] == [NEW["name"]]
    with engine.db.session() as s:
        [mapping] = map_to_successors(s, ["LS.SNNPTNT"], date(2025, 8, 1))
        assert mapping.status == "replaced" and [x.code for x in mapping.successors] == ["LS.SNNMT"]
        assert map_to_successors(s, ["LS.SNNPTNT"], date(2024, 5, 20))[0].status == "kept"
    detail = body_detail(engine, admin, "LS.SNNMT")
    assert [p.code for p in detail.predecessors] == ["LS.SNNPTNT"]
    history = body_detail(engine, admin, "LS.SNNPTNT").history
    assert [(h.version, h.change) for h in history] == [(2, "updated"), (1, "created")]
    assert history[0].fields == ["valid_to", "successors"] and history[0].reason.startswith("Hợp nhất")
    with engine.db.session() as s:
        event = s.query(AuditEvent).filter_by(action="body_updated").one()
        assert event.payload["changes"]["valid_to"] == [None, "2025-02-28"]


def test_editing_a_shipped_body_keeps_its_first_state_as_version_one(directory, admin):
    engine = directory
    save_body(engine, admin, "LS.BDT", {"name": "Bưu điện tỉnh Lạng Sơn (VNPost)", "kind": "enterprise",
                                        "province": "Lạng Sơn"})
    history = body_detail(engine, admin, "LS.BDT").history
    assert [(h.version, h.change) for h in history] == [(2, "updated"), (1, "initial")]
    assert history[1].snapshot["name"] == "Bưu điện tỉnh Lạng Sơn"


def test_every_problem_is_reported_at_once_and_nothing_is_saved(directory, admin):
    engine = directory
    with pytest.raises(FormError) as refused:
        save_body(engine, admin, "LS.SNNPTNT", {**OLD, "kind": "xyz", "parent_code": "LS.SNNPTNT",
                                                "valid_from": "31/02/2024",
                                                "successors": [{"code": "LS.KHONGCO"}]})
    messages = {p.field: p.message for p in refused.value.fields}
    assert set(messages) == {"kind", "parent_code", "valid_from", "valid_to", "successors"}
    assert "31/02/2024" in messages["valid_from"] and "ngày cuối cùng" in messages["valid_to"]
    with engine.db.session() as s:
        assert s.get(Body, "LS.SNNPTNT").kind == "department"
        assert s.query(BodyVersion).filter_by(code="LS.SNNPTNT").count() == 1
    with pytest.raises(FormError, match="đã có"):
        save_body(engine, admin, "LS.SNNMT", NEW, create=True)
    with pytest.raises(FormError, match="Mã gồm"):
        save_body(engine, admin, "ls so moi", NEW, create=True)


def test_a_parent_cycle_is_refused(directory, admin):
    with pytest.raises(FormError, match="vòng"):
        save_body(directory, admin, "LS.UBND", {"name": "Ủy ban nhân dân tỉnh Lạng Sơn",
                                                "kind": "province_people_committee", "parent_code": "LS.SNNMT"})


def test_the_export_is_read_back_by_the_import(directory, admin):
    engine = directory
    text = export_yaml(engine, admin)
    count = len(yaml.safe_load(text)["bodies"])
    report = import_yaml(engine, admin, text, "kiểm tra")
    assert (report.created, report.updated, report.unchanged) == ([], [], count)
    edited = text.replace("name: Bưu điện tỉnh Lạng Sơn\n", "name: Bưu điện tỉnh Lạng Sơn (mới)\n")
    assert edited != text
    report = import_yaml(engine, admin, edited + "- {code: LS.TEST, name: Cơ quan thử, kind: office}\n", "nhập")
    assert report.updated == ["LS.BDT"] and report.created == ["LS.TEST"]
    with engine.db.session() as s:
        assert s.get(Body, "LS.BDT").name == "Bưu điện tỉnh Lạng Sơn (mới)"
        assert s.query(AuditEvent).filter_by(action="directory_imported").count() == 2


def test_a_wrong_import_names_the_entries_and_changes_nothing(directory, admin):
    engine = directory
    bad = ("bodies:\n- {code: LS.A1, name: Một, kind: office}\n- {code: LS.A2, name: '', kind: office}\n"
           "- {code: LS.A3, name: Ba, kind: office, successors: [{code: LS.NONE}], valid_to: 2025-01-01}\n")
    with pytest.raises(FormError) as refused:
        import_yaml(engine, admin, bad)
    text = " | ".join(p.message for p in refused.value.fields)
    assert "Mục thứ 2 (LS.A2)" in text and "LS.NONE" in text
    with engine.db.session() as s:
        assert s.get(Body, "LS.A1") is None
    with pytest.raises(FormError, match="dòng 2"):
        import_yaml(engine, admin, "bodies:\n\t- {code: LS.X}\n")


def test_lists_filter_by_state_and_reform_year(directory, admin, clock):
    engine = directory
    ended = {b.code for b in list_bodies(engine, admin, state="ended")}
    assert ended == set()  # the clock is in May 2024: nothing has ended yet
    reform = {b.code for b in list_bodies(engine, admin, changed_in=2025)}
    assert {"LS.SLDTBXH", "LS.SNNMT", "LS.UBND-XA"} <= reform
    found = list_bodies(engine, admin, text="nong nghiep")
    assert [b.code for b in found][:2] == ["LS.SNNMT", "LS.SNNPTNT"] or \
        {b.code for b in found[:2]} == {"LS.SNNMT", "LS.SNNPTNT"}


def test_only_administrators_and_unknown_codes_are_not_found(directory, admin, clerk):
    with pytest.raises(PermissionDenied):
        list_bodies(directory, clerk)
    with pytest.raises(PermissionDenied):
        body_detail(directory, clerk, "LS.KHONGCO")
    with pytest.raises(NotFound):
        body_detail(directory, admin, "LS.KHONGCO")
    with pytest.raises(NotFound):
        save_body(directory, admin, "LS.KHONGCO", NEW)
