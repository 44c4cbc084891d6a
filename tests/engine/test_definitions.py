"""Deploy-time checks: one clear problem per element, nothing stored when a model is refused."""
from __future__ import annotations

import pytest

from engine.kernel.errors import DefinitionError
from tests.engine.bpmn_helpers import chain, process, user_task

GOOD = process("ok", '<bpmn:startEvent id="S"/>' + user_task("T", "Việc") + '<bpmn:endEvent id="E"/>'
               + chain("S", "T", "E"), lanes={"Chuyên viên": ["S", "T", "E"]})


def _problems(engine, xml):
    with pytest.raises(DefinitionError) as info:
        engine.deploy_xml(xml, source="test.bpmn")
    return info.value.problems


def test_good_model_deploys_once_per_content(engine):
    first = engine.deploy_xml(GOOD)
    again = engine.deploy_xml(GOOD)
    assert [d.created for d in first] == [True]
    assert [d.created for d in again] == [False]
    assert first[0].id == again[0].id and first[0].version == 1


def test_changed_model_is_a_new_version(engine):
    engine.deploy_xml(GOOD)
    changed = engine.deploy_xml(GOOD.replace('name="Việc"', 'name="Việc mới"'))
    assert changed[0].created and changed[0].version == 2


def test_malformed_xml_is_refused_with_line(engine):
    problems = _problems(engine, GOOD.replace("</bpmn:process>", ""))
    assert len(problems) == 1
    assert "not well-formed" in problems[0].message and problems[0].line


def test_document_without_executable_process_is_refused(engine):
    xml = process("lazy", '<bpmn:startEvent id="S"/>', executable=False)
    problems = _problems(engine, xml)
    assert any("no executable process" in p.message for p in problems)


def test_unknown_element_is_named_with_its_id(engine):
    xml = GOOD.replace('<bpmn:endEvent id="E"/>', '<bpmn:endEvent id="E"/><bpmn:complexGateway id="CG1"/>')
    problems = _problems(engine, xml)
    assert [(p.element_id, "complexGateway" in p.message) for p in problems] == [("CG1", True)]


def test_unquoted_timer_duration_is_refused(engine):
    body = ('<bpmn:startEvent id="S"/><bpmn:intermediateCatchEvent id="Wait7">'
            '<bpmn:timerEventDefinition id="TD"><bpmn:timeDuration>P7D</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="E"/>' + chain("S", "Wait7", "E"))
    problems = _problems(engine, process("t", body))
    assert len(problems) == 1
    assert problems[0].element_id == "TD" or problems[0].element_id == "Wait7"
    assert '"P7D"' in problems[0].message


def test_quoted_timer_duration_is_accepted(engine):
    body = ('<bpmn:startEvent id="S"/><bpmn:intermediateCatchEvent id="Wait7">'
            '<bpmn:timerEventDefinition id="TD"><bpmn:timeDuration>"P7D"</bpmn:timeDuration>'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="E"/>' + chain("S", "Wait7", "E"))
    assert engine.deploy_xml(process("t", body))[0].created


def test_hostile_condition_is_refused_with_the_flow_id(engine):
    body = ('<bpmn:startEvent id="S"/><bpmn:exclusiveGateway id="G" default="F2"/><bpmn:endEvent id="E1"/>'
            '<bpmn:endEvent id="E2"/>' + chain("S", "G")
            + '<bpmn:sequenceFlow id="F1" sourceRef="G" targetRef="E1"><bpmn:conditionExpression>'
              "__import__('os').system('id')</bpmn:conditionExpression></bpmn:sequenceFlow>"
            + '<bpmn:sequenceFlow id="F2" sourceRef="G" targetRef="E2"/>')
    problems = _problems(engine, process("h", body))
    assert [p.element_id for p in problems] == ["F1"]


def test_hostile_script_is_refused_with_the_task_id(engine):
    body = ('<bpmn:startEvent id="S"/><bpmn:scriptTask id="Evil"><bpmn:script>import os</bpmn:script>'
            '</bpmn:scriptTask><bpmn:endEvent id="E"/>' + chain("S", "Evil", "E"))
    problems = _problems(engine, process("h", body))
    assert [p.element_id for p in problems] == ["Evil"]


def test_unknown_service_is_refused(engine):
    body = ('<bpmn:startEvent id="S"/><bpmn:serviceTask id="Svc"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="send_fax"/></bpmn:extensionElements></bpmn:serviceTask>'
            '<bpmn:endEvent id="E"/>' + chain("S", "Svc", "E"))
    problems = _problems(engine, process("svc", body))
    assert problems[0].element_id == "Svc" and "send_fax" in problems[0].message


def test_bad_form_and_orphan_human_task_are_both_reported(engine):
    body = ('<bpmn:startEvent id="S"/>' + user_task("T1", "Một", form="- name: Bad Name\n")
            + user_task("T2", "Hai") + '<bpmn:endEvent id="E"/>' + chain("S", "T1", "T2", "E"))
    problems = _problems(engine, process("f", body, lanes={"Chuyên viên": ["S", "T1", "E"]}))
    by_id = {p.element_id: p.message for p in problems}
    assert set(by_id) == {"T1", "T2"}
    assert "form" in by_id["T1"] and "lane" in by_id["T2"]


def test_refused_model_stores_nothing(engine):
    _problems(engine, GOOD.replace("</bpmn:process>", ""))
    assert engine.list_definitions() == []


def test_external_entities_are_not_resolved(engine, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = GOOD.replace('<?xml version="1.0" encoding="UTF-8"?>',
                       f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>')
    xml = xml.replace('name="Việc"', 'name="&x;"')
    try:
        engine.deploy_xml(xml)
    except DefinitionError:
        return
    assert "TOP-SECRET" not in str(engine.list_definitions())
    with engine.db.session() as s:
        from engine.kernel.models import ProcessDefinition
        assert all("TOP-SECRET" not in d.spec_json for d in s.query(ProcessDefinition))


def test_reserved_element_id_is_refused(engine):
    problems = _problems(engine, GOOD.replace('id="S"', 'id="Start"').replace('"S"', '"Start"')
                         .replace(">S<", ">Start<"))
    assert any(p.element_id == "Start" and "reserved" in p.message for p in problems)
