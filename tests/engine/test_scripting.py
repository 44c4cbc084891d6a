"""SpiffWorkflow runs with SafeScriptEngine: conditions, scripts, timers and service tasks go through it."""
from __future__ import annotations

from datetime import date

import pytest
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.kernel.errors import ConflictError, ExpressionError
from engine.kernel.expressions import SafeEvaluator
from engine.kernel.scripting import SafeScriptEngine, ServiceCallError, TaskExpressionError, register_data_types

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://chithi.test/bpmn">
  <bpmn:process id="route" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare"/>
    <bpmn:scriptTask id="prepare" name="Chuẩn bị">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide" default="to_reject"/>
    <bpmn:sequenceFlow id="to_number" sourceRef="decide" targetRef="number">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_reject" sourceRef="decide" targetRef="rejected"/>
    <bpmn:serviceTask id="number" name="Cấp số">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="issue_number" resultVariable="issued">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="kind" type="str" value="kind"/>
            <spiffworkflow:parameter id="due" type="str" value="iso(add_days(today(), 3))"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="number" targetRef="issued_end"/>
    <bpmn:endEvent id="issued_end"/>
    <bpmn:endEvent id="rejected"/>
  </bpmn:process>
</bpmn:definitions>
"""

GOOD_SCRIPT = "total = len(units)\nlevel = 'many' if total &gt; 1 else 'one'\ndeadline = add_days(today(), 3)"


def _parse(script=GOOD_SCRIPT, condition='decision == "approve" and total &gt; 0'):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(PROCESS.format(script=script, condition=condition).encode(), filename="route.bpmn")
    return parser.get_spec("route"), parser.get_subprocess_specs("route")


class NumberService:
    """A stand-in numbering service that records its calls; the real ones live in engine code."""

    def __init__(self, fail: Exception | None = None):
        self.calls: list[tuple[str, str, dict]] = []
        self.fail = fail

    def __call__(self, task, operation, params):
        self.calls.append((task.task_spec.bpmn_id, operation, params))
        if self.fail is not None:
            raise self.fail
        return {"number": 17, "symbol": f"17/CT-{params['kind'].upper()}", "due": params["due"],
                "issued_on": date(2024, 5, 20)}


def _workflow(clock, services=None, **parse_args):
    spec, subprocesses = _parse(**parse_args)
    engine = SafeScriptEngine(SafeEvaluator(clock=clock), services=services)
    return BpmnWorkflow(spec, subprocesses, script_engine=engine)


def _run(workflow, **data):
    workflow.get_tasks(state=TaskState.READY)[0].set_data(**data)
    workflow.do_engine_steps()


def _ended_at(workflow) -> set[str]:
    return {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)
            if t.task_spec.bpmn_id in ("issued_end", "rejected")}


def test_condition_routes_approved_directive_to_the_numbering_service(clock):
    service = NumberService()
    workflow = _workflow(clock, service)
    _run(workflow, decision="approve", units=["A", "B"], kind="ubnd")
    assert workflow.is_completed()
    assert _ended_at(workflow) == {"issued_end"}
    assert service.calls == [("number", "issue_number", {"kind": "ubnd", "due": "2024-05-23"})]
    final = workflow.last_task.data
    assert final["total"] == 2 and final["level"] == "many" and final["deadline"] == date(2024, 5, 23)
    assert final["issued"] == {"number": 17, "symbol": "17/CT-UBND", "due": "2024-05-23", "issued_on": "2024-05-20"}


def test_condition_routes_rejected_directive_to_the_default_flow(clock):
    service = NumberService()
    workflow = _workflow(clock, service)
    _run(workflow, decision="reject", units=["A"], kind="ubnd")
    assert workflow.is_completed()
    assert _ended_at(workflow) == {"rejected"}
    assert service.calls == []


def test_hostile_script_task_fails_naming_the_element_and_runs_nothing(clock, tmp_path):
    marker = tmp_path / "pwned"
    script = f"total = 1\nimport os\nos.system('touch {marker}')"
    workflow = _workflow(clock, NumberService(), script=script)
    with pytest.raises(TaskExpressionError) as caught:
        _run(workflow, decision="approve", units=["A"], kind="ubnd")
    error = caught.value
    assert isinstance(error, ExpressionError)
    assert error.element_id == "prepare" and "prepare" in str(error)
    assert "import" in error.reason
    assert error.task.task_spec.bpmn_id == "prepare"
    assert not marker.exists()
    assert "total" not in error.task.data
    assert error.task.state == TaskState.ERROR


def test_refused_gateway_condition_names_the_element(clock):
    workflow = _workflow(clock, NumberService(), condition="decision.__class__")
    with pytest.raises(TaskExpressionError) as caught:
        _run(workflow, decision="approve", units=["A"], kind="ubnd")
    assert "'__class__'" in caught.value.reason
    assert caught.value.element_id == "decide"


def test_service_exception_reaches_the_caller_as_itself(clock):
    failure = LookupError("sổ đăng ký 'CT' chưa mở")
    workflow = _workflow(clock, NumberService(fail=failure))
    with pytest.raises(ServiceCallError) as caught:
        _run(workflow, decision="approve", units=["A"], kind="ubnd")
    error = caught.value
    assert error.original is failure and error.__cause__ is failure
    assert not isinstance(error, NameError) and "NameError" not in str(error)
    assert "sổ đăng ký 'CT' chưa mở" in str(error) and error.element_id == "number"
    assert error.task.task_spec.bpmn_id == "number"


def test_typed_service_error_reaches_the_caller_unwrapped(clock):
    conflict = ConflictError("số 17 vừa được cấp cho văn bản khác")
    workflow = _workflow(clock, NumberService(fail=conflict))
    with pytest.raises(ConflictError) as caught:
        _run(workflow, decision="approve", units=["A"], kind="ubnd")
    assert caught.value is conflict


def test_validate_uses_the_safe_checker():
    engine = SafeScriptEngine()
    engine.validate('decision == "approve"')
    with pytest.raises(ExpressionError, match="'eval'"):
        engine.validate("eval('1')")


def test_workflow_survives_a_save_and_restore_round_trip(clock):
    service = NumberService()
    workflow = _workflow(clock, service)
    registry = register_data_types(DefaultRegistry())
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG, registry))
    restored = serializer.deserialize_json(serializer.serialize_json(workflow))
    restored.script_engine = SafeScriptEngine(SafeEvaluator(clock=clock), services=service)
    _run(restored, decision="approve", units=["A"], kind="so")
    assert restored.is_completed() and _ended_at(restored) == {"issued_end"}
    again = serializer.deserialize_json(serializer.serialize_json(restored))
    assert again.last_task.data["deadline"] == date(2024, 5, 23)  # dates in task data survive a save


def test_environment_reads_data_objects_and_writes_task_data_only():
    environment = SafeScriptEngine().environment
    data, objects = {"x": 1}, {"limit": 5}
    assert environment.evaluate("x < limit", data, external_context=objects) is True
    environment.execute("y = limit + x", data, external_context=objects)
    assert data == {"x": 1, "y": 6} and objects == {"limit": 5}


TIMER_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause"/>
    <bpmn:intermediateCatchEvent id="pause">
      <bpmn:timerEventDefinition id="t1"><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("timer", ['"P7D"', 'iso(duration("P1W"))', '"P" + str(days) + "D"'])
def test_timer_expression_is_evaluated_safely(timer):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TIMER_PROCESS.format(timer=timer).encode(), filename="wait.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("wait"), script_engine=SafeScriptEngine())
    workflow.get_tasks(state=TaskState.READY)[0].set_data(days=7)
    workflow.do_engine_steps()
    events = workflow.waiting_events()
    assert len(events) == 1 and events[0].value  # a due time was computed from the expression
    assert not workflow.is_completed()


def test_hostile_timer_expression_is_refused():
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TIMER_PROCESS.format(timer='"P" + "9" * 10**9 + "D"').encode(), filename="wait.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("wait"), script_engine=SafeScriptEngine())
    with pytest.raises(TaskExpressionError, match="too large") as caught:
        workflow.do_engine_steps()
    assert caught.value.element_id == "pause"


FAN_OUT_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="fan" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each"/>
    <bpmn:scriptTask id="each">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
        <bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>
        <bpmn:outputDataItem id="result"/>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:script>result = "đã gửi"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def _fan_out(cardinality):
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(FAN_OUT_PROCESS.format(cardinality=cardinality).encode(), filename="fan.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("fan"), script_engine=SafeScriptEngine())
    workflow.get_tasks(state=TaskState.READY)[0].set_data(units=["A", "B", "C"])
    workflow.do_engine_steps()
    return workflow


def test_multi_instance_cardinality_is_evaluated_safely():
    workflow = _fan_out("len(units)")
    assert workflow.is_completed() and workflow.last_task.data["results"] == ["đã gửi"] * 3


def test_hostile_multi_instance_cardinality_is_refused():
    with pytest.raises(TaskExpressionError, match="'__len__'") as caught:
        _fan_out("units.__len__()")
    assert caught.value.element_id == "each"
