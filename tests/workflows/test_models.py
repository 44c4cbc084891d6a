"""The shipped directive models: regenerated files equal the committed ones, every element is drawn
(BPMN DI for bpmn-js), lanes map to roles, every user task has a form, and they deploy."""
from __future__ import annotations

from lxml import etree

from engine.office.roles import LANE_ROLES
from workflows.build_models import build

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
PROCESSES = {"directive_intake", "directive_life", "directive_consultation", "directive_followup",
             "directive_period"}


def test_committed_models_equal_a_fresh_build():
    built = build()
    assert {p.stem for p in built} == PROCESSES
    for path, text in built.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python workflows/build_models.py"


def test_every_element_is_drawn_and_every_lane_is_a_known_role():
    for path in build():
        root = etree.parse(str(path)).getroot()
        process = root.find(f"{BPMN}process")
        drawn = {el.get("bpmnElement") for el in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")}
        elements = {el.get("id") for el in process if el.get("id") and el.tag != f"{BPMN}laneSet"}
        assert elements <= drawn, f"{path.name}: not drawn {sorted(elements - drawn)}"
        lanes = process.findall(f"{BPMN}laneSet/{BPMN}lane")
        assert lanes and all(lane.get("name") in LANE_ROLES for lane in lanes)
        for task in process.iter(f"{BPMN}userTask"):
            assert task.find(f"{BPMN}documentation") is not None, task.get("id")
            assert "spiffworkflow:form" in etree.tostring(task, encoding="unicode").replace(
                "{http://spiffworkflow.org/bpmn/schema/1.0/core}", "spiffworkflow:"), task.get("id")


def test_models_deploy_with_their_services(engine):
    deployed = {d.process_id for d in engine.list_definitions()}
    assert PROCESSES <= deployed
    assert engine.deploy_directory() and all(not d.created for d in engine.deploy_directory())
