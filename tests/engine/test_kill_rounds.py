"""Kill rounds (issue 11): a worker process driving directives through their life — task completions
as the web does them, timer sweeps as `chithi scheduler` does them — is killed with SIGKILL at a
fault point inside a step, round after round, on each database. After every round: every instance
loads, no step is half applied, no document, register entry or report exists without its step, and
nothing the worker saw committed is lost (tests/engine/killrounds.py). The 100-round runs are in
`make soak`."""
from __future__ import annotations

import pytest

from engine.kernel import faults
from tests.engine.killrounds import check_database, finish, run_rounds

ROUNDS = 11  # each fault point once
SOAK_ROUNDS = 110  # each fault point ten times


def test_a_worker_killed_at_every_fault_point_leaves_a_consistent_database(db_url, tmp_path):
    result = run_rounds(db_url, tmp_path, ROUNDS, seed=11)
    assert result.rounds == ROUNDS and result.killed == ROUNDS
    assert set(result.points) == set(faults.POINTS)
    assert result.counts["documents"] > 0 and result.counts["tasks_completed"] > 0
    finish(db_url, tmp_path)  # and every directive the killed workers left open is carried to its archive
    after = check_database(db_url, [])
    assert after.problems == [] and after.counts["tasks_completed"] > result.counts["tasks_completed"]
    _all_directives_archived(db_url)


def _all_directives_archived(db_url):
    from engine.app import build_engine

    engine = build_engine(db_url)
    try:
        lives = engine.list_instances(process_id="directive_life", limit=10_000)
        assert lives and {i.status for i in lives} == {"completed"}
    finally:
        engine.shutdown()


@pytest.mark.soak
@pytest.mark.timeout(3600)
def test_a_hundred_kill_rounds_on_each_database(db_url, tmp_path):
    result = run_rounds(db_url, tmp_path, SOAK_ROUNDS, seed=1111, max_count=12)
    print(f"\n{db_url.split(':')[0]}: {result.killed}/{result.rounds} rounds killed in {result.seconds:.0f} s, "
          f"{result.steps_committed} steps committed, points {result.points}, database {result.counts}")
    assert result.killed == SOAK_ROUNDS
    assert result.counts["reports"] > 0 and result.counts["register_entries"] > 0
    finish(db_url, tmp_path)
    assert check_database(db_url, []).problems == []
    _all_directives_archived(db_url)


def test_the_fault_variable_names_a_known_point_and_a_positive_count():
    assert faults.parse("before_commit:3") == ("before_commit", 3)
    assert faults.parse("audit_appended") == ("audit_appended", 1)
    for bad in ("nowhere:1", "before_commit:0"):
        with pytest.raises(ValueError):
            faults.parse(bad)


def test_the_check_sees_a_half_applied_step(db_url, tmp_path):
    """The round check is not blind: a document, a completed task and an instance save that no audited
    step made are each reported."""
    from datetime import timedelta

    from sqlalchemy import update

    from engine.app import build_engine
    from engine.documents import GeneratedDocument
    from engine.kernel.models import HumanTask, ProcessInstance

    run_rounds(db_url, tmp_path, 2, seed=3, max_count=40)
    engine = build_engine(db_url)
    try:
        with engine.db.session() as s:
            doc = s.query(GeneratedDocument).filter(GeneratedDocument.instance_id.isnot(None)).first()
            s.execute(update(GeneratedDocument).where(GeneratedDocument.id == doc.id)
                      .values(created_at=doc.created_at + timedelta(seconds=1)))
            task = s.query(HumanTask).filter_by(status="ready").first()
            s.execute(update(HumanTask).where(HumanTask.id == task.id).values(status="completed"))
            row = s.query(ProcessInstance).filter_by(status="running").first()
            s.execute(update(ProcessInstance).where(ProcessInstance.id == row.id)
                      .values(updated_at=row.updated_at + timedelta(seconds=1)))
    finally:
        engine.shutdown()
    problems = "\n".join(check_database(db_url, []).problems)
    assert f"document {doc.id}" in problems
    assert f"task {task.id} ({task.element_id}) completed without its audit event" in problems
    assert f"instance {row.id}: saved at" in problems
