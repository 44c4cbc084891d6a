"""Long runs, kept out of `make test` and run by `make soak` (and CI): many timers under several
scheduler processes, and both demo directives walked through their whole life on each database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.app import build_engine
from engine.kernel.accounts import cheap_hasher
from tests.engine.test_reliability import run_schedulers
from tests.engine.test_timers import WAIT

pytestmark = pytest.mark.soak

TIMERS = 1_000
SCHEDULERS = 3


def test_a_thousand_timers_fire_exactly_once_under_three_scheduler_processes(db_url, clock):
    eng = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    try:
        eng.deploy_xml(WAIT)
        for _ in range(TIMERS):
            eng.start_instance("wait_then_act", body_code="LS.UBND")
        results = run_schedulers(db_url, clock.now() + timedelta(hours=2), SCHEDULERS, timeout=600)
        assert sum(fired for fired, _ in results) == TIMERS and all(failed == 0 for _, failed in results)
        with eng.db.session() as s:
            counts = s.execute(text("SELECT count(*) FROM audit_event WHERE action = 'timer_fired' "
                                    "GROUP BY instance_id HAVING count(*) <> 1")).all()
            assert counts == []
            waiting = s.execute(text("SELECT count(*) FROM human_task WHERE element_id = 'Act' "
                                     "AND status = 'ready'")).scalar()
        assert waiting == TIMERS
    finally:
        eng.db.dispose()


def test_both_demo_directives_live_from_import_to_archive(db_url, tmp_path):
    from tests.workflows.helpers import demo_rows

    rows = demo_rows(db_url, tmp_path / "out")
    assert {row.directive for row in rows} == {"Cần Thơ 2022 (Đảng)", "Lạng Sơn 2024 (Nhà nước)"}
    assert len(list((tmp_path / "out").rglob("*.docx"))) > 100
