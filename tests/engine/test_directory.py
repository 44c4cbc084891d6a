"""Directory of bodies: dated data, accent-free search, recipients checked and remapped by date."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.directory.models import Body
from engine.directory.service import (
    bodies_valid_on,
    check_recipients,
    find_bodies,
    fold,
    get_body,
    load_bodies,
    map_to_successors,
)
from engine.kernel.errors import FormError, NotFound
from engine.kernel.resources import workflows_dir
from engine.model.loader import load_directive_file

DIRECTIVES = Path(__file__).resolve().parents[2] / "workflows" / "directives"
BEFORE = date(2024, 5, 20)
AFTER = date(2025, 8, 1)


@pytest.fixture
def loaded(database):
    with database.session() as s:
        load_bodies(s)
    return database


def codes(bodies) -> list[str]:
    return [b.code for b in bodies]


def test_loading_twice_upserts_without_duplicates_and_applies_changes(database, tmp_path):
    with database.session() as s:
        first = load_bodies(s)
    with database.session() as s:
        assert load_bodies(s) == first
        assert s.query(Body).count() == first
    changed = tmp_path / "bodies.yaml"
    changed.write_text((workflows_dir() / "directory" / "bodies.yaml").read_text(encoding="utf-8").replace(
        "name: Sở Y tế tỉnh Lạng Sơn", "name: Sở Y tế tỉnh Lạng Sơn (mới)"), encoding="utf-8")
    with database.session() as s:
        load_bodies(s, changed)
    with database.session() as s:
        assert get_body(s, "LS.SYT").name.endswith("(mới)")
        assert s.query(Body).count() == first


def test_a_successor_that_is_not_in_the_file_is_refused(database, tmp_path):
    bad = tmp_path / "bodies.yaml"
    bad.write_text("bodies:\n  - {code: X.A, name: A, kind: department, successors: [{code: X.B}]}\n",
                   encoding="utf-8")
    with database.session() as s, pytest.raises(FormError) as info:
        load_bodies(s, bad)
    assert info.value.fields[0].field == "$.bodies[0].successors"


def test_unknown_code_is_not_found(loaded):
    with loaded.session() as s, pytest.raises(NotFound):
        get_body(s, "LS.NOPE")


def test_search_ignores_accents_and_case_and_knows_short_names(loaded):
    assert fold("Sở GD&ĐT") == "so gd&dt"
    with loaded.session() as s:
        found = codes(find_bodies(s, "so gd&dt"))
        assert {"LS.SGDDT", "CT.SGDDT", "HP.SGDDT"} <= set(found)
        assert "LS.SGDDT" in codes(find_bodies(s, "SỞ GD-ĐT"))
        assert codes(find_bodies(s, "cong ty dien luc lang son")) == ["LS.PCLS"]
        assert find_bodies(s, "100%") == []


def test_search_on_a_date_offers_only_bodies_existing_then(loaded):
    with loaded.session() as s:
        assert "LS.SLDTBXH" in codes(find_bodies(s, "so lao dong", on=BEFORE))
        assert codes(find_bodies(s, "so lao dong", on=AFTER)) == []
        assert "LS.UBND-XA" in codes(find_bodies(s, "ubnd cac xa", on=AFTER))
        assert "LS.UBND-XA" not in codes(find_bodies(s, "ubnd cac xa", on=BEFORE))


def test_district_level_ends_on_30_june_2025(loaded):
    with loaded.session() as s:
        last_day = codes(bodies_valid_on(s, date(2025, 6, 30), province="Lạng Sơn"))
        first_day = codes(bodies_valid_on(s, date(2025, 7, 1), province="Lạng Sơn"))
        groups = codes(bodies_valid_on(s, date(2025, 7, 1), province="Lạng Sơn", kind="group"))
    assert "LS.UBND-HUYEN" in last_day and "LS.UBND-XA" not in last_day
    assert "LS.UBND-HUYEN" not in first_day and "LS.UBND-XA" in first_day
    assert "LS.UBND-XA" in groups and "LS.SGDDT" not in groups


def test_every_body_named_by_the_seed_directives_existed_on_their_date(loaded):
    seeds = {"langson-2024-ct-ubnd.yaml": date(2024, 5, 20), "cantho-2022-ct-tu.yaml": date(2022, 6, 10)}
    with loaded.session() as s:
        for name, on in seeds.items():
            d = load_directive_file(DIRECTIVES / name)
            used = [a.body_code for a in d.assignments] + [r.body_code for r in d.recipients]
            used += [d.issuer_code, d.implements.issuer_code]
            assert check_recipients(s, [c for c in used if c], on) == [], name


def test_a_draft_after_july_2025_cannot_pick_a_district_committee_or_a_dissolved_department(loaded):
    with loaded.session() as s:
        problems = check_recipients(s, ["LS.SGDDT", "LS.UBND-HUYEN", "LS.SLDTBXH", "LS.XYZ"], AFTER)
    by_code = {p.code: p for p in problems}
    assert set(by_code) == {"LS.UBND-HUYEN", "LS.SLDTBXH", "LS.XYZ"}
    district = by_code["LS.UBND-HUYEN"]
    assert district.reason == "ended" and "30/06/2025" in district.message
    assert [x.code for x in district.successors] == ["LS.UBND-XA"]
    labour = by_code["LS.SLDTBXH"]
    assert [x.code for x in labour.successors] == ["LS.SNV", "LS.SGDDT", "LS.SYT"]
    assert "giáo dục nghề nghiệp" in labour.successors[1].functions
    assert "Sở Nội vụ" in labour.message
    assert by_code["LS.XYZ"].reason == "unknown"


def test_a_body_is_not_offered_before_it_exists(loaded):
    with loaded.session() as s:
        [problem] = check_recipients(s, ["LS.UBND-XA"], BEFORE)
    assert problem.reason == "not_yet_valid" and "01/07/2025" in problem.message


def test_reusing_an_old_recipient_list_offers_the_successors(loaded):
    old = ["LS.UBND", "LS.STTTT", "LS.SGTVT", "LS.TTR", "LS.UBND-HUYEN", "ST.UBND", "LS.BTGTU"]
    with loaded.session() as s:
        mapping = {m.code: m for m in map_to_successors(s, old, AFTER)}
    assert mapping["LS.UBND"].status == "kept" and mapping["LS.UBND"].successors == []
    assert [x.code for x in mapping["LS.STTTT"].successors] == ["LS.SKHCN", "LS.SVHTTDL"]
    assert [x.code for x in mapping["LS.SGTVT"].successors] == ["LS.SXD"]
    assert [x.code for x in mapping["LS.TTR"].successors] == ["LS.TTR25"]
    assert [x.code for x in mapping["ST.UBND"].successors] == ["CT.UBND"]
    assert [x.code for x in mapping["LS.BTGTU"].successors] == ["LS.BTGDVTU"]
    assert all(m.status == "replaced" for c, m in mapping.items() if c != "LS.UBND")


def test_before_the_reforms_the_old_list_is_kept_as_is(loaded):
    with loaded.session() as s:
        mapping = map_to_successors(s, ["LS.STTTT", "LS.UBND-HUYEN"], BEFORE)
    assert [m.status for m in mapping] == ["kept", "kept"]


def test_cantho_kept_its_name_after_absorbing_soc_trang_and_hau_giang(loaded):
    with loaded.session() as s:
        assert get_body(s, "CT.UBND").valid_on(AFTER)
        ended = {b.code for b in bodies_valid_on(s, BEFORE)} - {b.code for b in bodies_valid_on(s, AFTER)}
        assert {"ST.UBND", "HG.UBND", "ST.TU", "HG.TU"} <= ended
        assert "CT.UBND" not in ended and "LS.UBND" not in ended
