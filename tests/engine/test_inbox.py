"""The inbox: tasks carry the subject of what they serve (from the domain, not a code), folders with
their counts, filters, and a search without accents that runs as plain SQL on both databases."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine.directives.life import import_directive
from engine.kernel.calendar import end_of_day, local_date
from engine.kernel.humantasks import InboxQuery
from engine.kernel.models import HumanTask
from engine.kernel.text import fold, words
from tests.web.directive_helpers import LANGSON, user


def test_fold_strips_marks_and_d_bar():
    assert fold("Chỉ thị 15 … Kỳ thi ĐÀ NẴNG  đường") == "chi thi 15 … ky thi da nang duong"
    assert fold("Sở GD&ĐT") == "so gd&dt"
    assert words("  Chỉ   THỊ  ") == ["chi", "thi"]
    assert fold(None) == "" and words("") == []


def _directive_task(engine):
    engine.deploy_directory()
    directive_id, _ = import_directive(engine, LANGSON, actor=user(engine, "chuyenvien"))
    tasks = [t for t in engine.inbox(user(engine, "truongphong"))]
    assert tasks, "the unit head has the first task of the imported directive"
    return directive_id, tasks[0]


def test_task_subject_is_the_directive_title(engine):
    _, task = _directive_task(engine)
    assert task.subject is not None
    assert task.subject.startswith("Dự thảo chỉ thị: Về việc tăng cường công tác chỉ đạo")
    assert "Kỳ thi tốt nghiệp" in task.subject
    assert "CT-" not in (task.business_key or "") or task.subject != task.business_key


def test_search_with_and_without_accents(engine):
    directive_id, task = _directive_task(engine)
    head = user(engine, "truongphong")
    for text in ("chi thi 15 ky thi", "Chỉ thị 15 Kỳ thi", "CHI THI lang son", "tot nghiep", "ct-ttg"):
        found = engine.inbox(head, query=InboxQuery(text=text))
        assert [t.id for t in found] == [task.id], text
    for text in ("chi thi 99 ky thi", "ky thi dai hoc", "100%", "a_b"):
        assert engine.inbox(head, query=InboxQuery(text=text)) == [], text
    by_ref = engine.inbox(head, query=InboxQuery(ref_type="directive", ref_id=directive_id))
    assert [t.id for t in by_ref] == [task.id]
    assert engine.inbox(head, query=InboxQuery(ref_type="directive", ref_id=directive_id + 1)) == []
    assert engine.inbox(head, query=InboxQuery(process_id=task.process_id)) != []
    assert engine.inbox(head, query=InboxQuery(process_id="nothing")) == []
    refs, stages = engine.tasks.choices(head)
    assert refs == [("directive", directive_id, task.subject)]
    assert (task.process_id, task.process_name) in stages


def _put_tasks(engine, clock, dues):
    """Give the sample's task rows the due moments `dues` (one open task per due, same actor)."""
    from web.seed import ensure_sample_instance

    engine.deploy_xml((LANGSON.parents[1] / "sample_incoming.bpmn").read_bytes(), source="sample.bpmn")
    ids = []
    for due in dues:
        ensure_sample_instance(engine)
        with engine.transaction() as s:
            row = s.scalars(select(HumanTask).order_by(HumanTask.id.desc()).limit(1)).one()
            row.due_at = due
            row.body_code = None  # any clerk sees it
            ids.append(row.id)
        # the next ensure_sample_instance would find the running one: mark it done so a new one starts
        with engine.transaction() as s:
            from engine.kernel.models import ProcessInstance

            inst = s.get(ProcessInstance, s.get(HumanTask, ids[-1]).instance_id)
            inst.process_id = "sample_done"
    return ids


def test_folders_and_their_counts_at_the_boundaries(engine, clock):
    now = clock.now()
    today = local_date(now)
    due_now = now  # due this very minute: not yet overdue
    overdue = now - timedelta(minutes=1)
    soon = end_of_day(today + timedelta(days=3))  # within 3 days (17:00 Vietnam time)
    later = end_of_day(today + timedelta(days=10))
    ids = _put_tasks(engine, clock, [due_now, overdue, soon, later, None])
    clerk = user(engine, "chuyenvien")
    counts = engine.inbox_counts(clerk, near_days=4)
    assert counts == {"open": 5, "near_due": 2, "overdue": 1, "done": 0}
    assert [t.id for t in engine.inbox(clerk, query=InboxQuery(folder="overdue", near_days=4))] == [ids[1]]
    near = engine.inbox(clerk, query=InboxQuery(folder="near_due", near_days=4))
    assert [t.id for t in near] == [ids[0], ids[2]]
    # open folder: soonest due first, no due date last
    assert [t.id for t in engine.inbox(clerk)] == [ids[1], ids[0], ids[2], ids[3], ids[4]]
    # due-date filter by office days (from 00:00 to 17:00 Vietnam time)
    window = InboxQuery(due_from=today + timedelta(days=3), due_to=today + timedelta(days=10))
    assert [t.id for t in engine.inbox(clerk, query=window)] == [ids[2], ids[3]]
    clock.advance(timedelta(minutes=1))  # the task due at `now` is now late
    assert engine.inbox_counts(clerk, near_days=4)["overdue"] == 2
    # a completed task moves to "đã xử lý"
    task = engine.get_task(ids[4], clerk)
    from tests.web.helpers import form_strings

    engine.complete_task(task.id, clerk, form_strings(task.form))
    counts = engine.inbox_counts(clerk, near_days=4)
    assert counts["done"] == 1 and counts["open"] == 4
    done = engine.inbox(clerk, query=InboxQuery(folder="done"))
    assert [t.id for t in done] == [ids[4]]
    assert isinstance(date.today(), date)
