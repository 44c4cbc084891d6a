"""Small BPMN documents for engine tests, written inline so each test shows its model."""
from __future__ import annotations

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Defs_{pid}" targetNamespace="http://chithi.local/test">"""


def process(pid: str, body: str, lanes: dict[str, list[str]] | None = None, extra: str = "",
            executable: bool = True) -> str:
    """A BPMN document with one process `pid`; `lanes` maps lane name → flow node ids."""
    lane_xml = ""
    if lanes:
        parts = []
        for i, (name, refs) in enumerate(lanes.items()):
            refs_xml = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
            parts.append(f'<bpmn:lane id="Lane_{i}" name="{name}">{refs_xml}</bpmn:lane>')
        lane_xml = f'<bpmn:laneSet id="LaneSet_{pid}">{"".join(parts)}</bpmn:laneSet>'
    flag = "true" if executable else "false"
    return (HEADER.format(pid=pid) + extra +
            f'<bpmn:process id="{pid}" name="{pid}" isExecutable="{flag}">{lane_xml}{body}</bpmn:process>'
            "</bpmn:definitions>")


def user_task(tid: str, name: str, form: str = "", props: dict[str, str] | None = None,
              incoming: str = "", outgoing: str = "") -> str:
    props_xml = ""
    if props:
        items = "".join(f'<spiffworkflow:property name="{k}" value="{v}"/>' for k, v in props.items())
        props_xml = f"<spiffworkflow:properties>{items}</spiffworkflow:properties>"
    form_xml = f"<spiffworkflow:form><![CDATA[{form}]]></spiffworkflow:form>" if form else ""
    ext = f"<bpmn:extensionElements>{props_xml}{form_xml}</bpmn:extensionElements>" if (props_xml or form_xml) else ""
    return f'<bpmn:userTask id="{tid}" name="{name}">{ext}</bpmn:userTask>'


def flow(fid: str, src: str, dst: str, condition: str | None = None) -> str:
    cond = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{cond}</bpmn:sequenceFlow>'


def chain(*ids: str) -> str:
    """Sequence flows linking the given node ids in order."""
    return "".join(flow(f"F_{a}_{b}", a, b) for a, b in zip(ids, ids[1:]))


DECISION_FORM = """
- name: decision
  label: Quyết định
  type: choice
  required: true
  options: {approve: Đồng ý, return: Trả lại}
- name: comment
  label: Ý kiến
  type: textarea
"""
