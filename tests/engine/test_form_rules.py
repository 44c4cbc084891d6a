"""The engine's form rule beyond types: a field required when another has a value (a return needs
its comment), bounds on numbers (an arrival number is positive), every declared field valued, and
a feature's check of a submission that refuses it before anything runs — never an instance in error."""
from __future__ import annotations

import pytest

from engine.kernel.errors import FormError
from engine.kernel.forms import parse_form, validate_submission

FORM = parse_form("""
- name: decision
  label: Quyết định
  type: choice
  required: true
  options: {approve: Đồng ý, return: Trả lại để sửa}
- name: comment
  label: Ý kiến
  type: textarea
  required_when: {decision: return}
- name: consult
  label: Lấy ý kiến
  type: bool
- name: bodies
  label: Cơ quan
  widget: bodies
  required_when: {consult: true}
- name: arrival
  label: Số đến
  type: number
  min: 1
  max: 100000
""")


def problems(data: dict) -> dict[str, str]:
    with pytest.raises(FormError) as refused:
        validate_submission(FORM, data)
    return {p.field: p.message for p in refused.value.fields}


def test_a_field_is_required_when_another_has_the_named_value():
    assert problems({"decision": "return", "comment": "  "}) == {
        "comment": "'Ý kiến' là bắt buộc khi 'Quyết định' là 'Trả lại để sửa'"}
    assert problems({"decision": "approve", "consult": "on"}) == {
        "bodies": "'Cơ quan' là bắt buộc khi đánh dấu 'Lấy ý kiến'"}
    assert validate_submission(FORM, {"decision": "approve"})["comment"] == ""


def test_numbers_keep_within_their_bounds():
    assert "phải từ 1 trở lên" in problems({"decision": "approve", "arrival": "-5"})["arrival"]
    assert "không được lớn hơn 100000" in problems({"decision": "approve", "arrival": 100001})["arrival"]
    assert validate_submission(FORM, {"decision": "approve", "arrival": "7"})["arrival"] == 7


def test_every_declared_field_gets_a_value_so_no_earlier_round_leaks_in():
    assert validate_submission(FORM, {"decision": "approve"}) == {
        "decision": "approve", "comment": "", "consult": False, "bodies": "", "arrival": None}


def test_a_form_naming_a_field_it_does_not_have_is_refused_when_deployed():
    with pytest.raises(ValueError, match="required_when names 'missing'"):
        parse_form("- {name: a, label: A, required_when: {missing: x}}")
    with pytest.raises(ValueError, match="widget must be a lower-case name"):
        parse_form("- {name: a, label: A, widget: 'Bad Widget'}")
    assert parse_form("- {name: a, label: A, widget: bodies}")[0].widget == "bodies"


def test_a_features_check_refuses_a_submission_before_anything_runs(db_url, clock):
    """A FormCheck raising FormError leaves the task ready and the instance running."""
    from engine.app import build_engine
    from engine.kernel.accounts import Actor
    from engine.kernel.errors import FieldProblem

    from .bpmn_helpers import flow, process, user_task

    seen = []

    def refuse_odd(check):
        seen.append((check.process_id, check.element_id, check.values))
        if check.values.get("n", 0) % 2:
            raise FormError([FieldProblem("n", "số phải chẵn")])
        return {**check.values, "n": check.values["n"] * 10}

    eng = build_engine(db_url, clock=clock)
    eng.tasks.form_checks = (refuse_odd,)
    xml = process("checked", '<bpmn:startEvent id="s"/>' + flow("f1", "s", "t")
                  + user_task("t", "Nhập số", form="\n- {name: n, label: Số, type: number}\n", props={"role": "clerk"})
                  + flow("f2", "t", "e") + '<bpmn:endEvent id="e"/>')
    eng.deploy_xml(xml)
    instance = eng.start_instance("checked", actor="test")
    admin = Actor("admin", "Quản trị", ("admin",))
    task = instance.ready_tasks[0]
    with pytest.raises(FormError, match="số phải chẵn"):
        eng.complete_task(task.id, admin, {"n": 3})
    assert eng.get_instance(instance.id).status == "running" and eng.get_task(task.id, admin).status == "ready"
    done = eng.complete_task(task.id, admin, {"n": 4})
    assert done.status == "completed" and eng.instance_data(instance.id)["n"] == 40  # the check's values
    assert seen[-1][:2] == ("checked", "t")
    eng.db.dispose()
