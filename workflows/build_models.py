"""Build the directive BPMN models (workflows/directive_*.bpmn) from the small descriptions in
`workflows/directive_models.py`: process XML with lanes, forms, services and timers, plus BPMN DI
(a left-to-right layout on a grid) so bpmn-js can draw them.

Run `python workflows/build_models.py` after changing a description; a test checks that the
committed files equal a fresh build.
"""
from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(HERE.parent))

from workflows.directive_models import MODELS, Model, Node  # noqa: E402

COL_W, LANE_H, LEFT, TOP, HEADER = 150, 200, 120, 60, 30
SIZES = {"task": (110, 80), "event": (36, 36), "gateway": (50, 50)}
TASK_TAGS = {"user": "userTask", "service": "serviceTask", "script": "scriptTask", "receive": "receiveTask"}
EVENT_TAGS = {"start": "startEvent", "end": "endEvent", "catch": "intermediateCatchEvent", "boundary": "boundaryEvent"}
GATEWAY_TAGS = {"xor": "exclusiveGateway", "event": "eventBasedGateway", "and": "parallelGateway"}


def _shape(node: Node) -> str:
    if node.kind in TASK_TAGS:
        return "task"
    if node.kind in GATEWAY_TAGS:
        return "gateway"
    return "event"


def _tag(node: Node) -> str:
    return TASK_TAGS.get(node.kind) or EVENT_TAGS.get(node.kind) or GATEWAY_TAGS[node.kind]


def _extensions(node: Node) -> str:
    parts = []
    if node.props:
        items = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)} />"
                        for k, v in node.props.items())
        parts.append(f"<spiffworkflow:properties>{items}</spiffworkflow:properties>")
    if node.form:
        parts.append(f"<spiffworkflow:form><![CDATA[{node.form}]]></spiffworkflow:form>")
    if node.service:
        params = "".join(f"<spiffworkflow:parameter id={quoteattr(k)} type=\"any\" value={quoteattr(v)} />"
                         for k, v in node.params.items())
        parts.append(f"<spiffworkflow:serviceTaskOperator id={quoteattr(node.service)} "
                     f"resultVariable={quoteattr(node.result or node.service)}>"
                     f"<spiffworkflow:parameters>{params}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>")
    return f"<bpmn:extensionElements>{''.join(parts)}</bpmn:extensionElements>" if parts else ""


def _node_xml(node: Node, model: Model) -> str:
    attrs = f"id={quoteattr(node.id)} name={quoteattr(node.name)}"
    if node.kind == "boundary":
        attrs += f" attachedToRef={quoteattr(node.attached)} cancelActivity=\"{'true' if node.interrupting else 'false'}\""
    if node.default:
        attrs += f" default={quoteattr(node.default)}"
    inner = ""
    if node.doc:
        inner += f"<bpmn:documentation>{escape(node.doc)}</bpmn:documentation>"
    inner += _extensions(node)
    inner += "".join(f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in model.flows if f.target == node.id)
    inner += "".join(f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in model.flows if f.source == node.id)
    if node.timer:
        kind, expr = node.timer
        inner += f"<bpmn:timerEventDefinition><bpmn:{kind}>{escape(expr)}</bpmn:{kind}></bpmn:timerEventDefinition>"
    if node.message and node.kind == "receive":
        attrs += f" messageRef=\"Message_{node.message}\""
    elif node.message:
        inner += f"<bpmn:messageEventDefinition messageRef=\"Message_{node.message}\" />"
    if node.script:
        inner += f"<bpmn:script>{escape(node.script)}</bpmn:script>"
    return f"    <bpmn:{_tag(node)} {attrs}>{inner}</bpmn:{_tag(node)}>\n"


def _flow_xml(flow) -> str:
    name = f" name={quoteattr(flow.name)}" if flow.name else ""
    cond = (f"<bpmn:conditionExpression>{escape(flow.condition)}</bpmn:conditionExpression>"
            if flow.condition else "")
    return (f"    <bpmn:sequenceFlow id={quoteattr(flow.id)}{name} sourceRef={quoteattr(flow.source)} "
            f"targetRef={quoteattr(flow.target)}>{cond}</bpmn:sequenceFlow>\n")


def _lane_boxes(model: Model) -> dict[str, tuple[int, int]]:
    """(top, height) of each lane, stacked from the top of the pool."""
    boxes, top = {}, TOP
    for name in model.lanes:
        height = model.lane_heights.get(name, LANE_H)
        boxes[name] = (top, height)
        top += height
    return boxes


def _bounds(model: Model) -> dict[str, tuple[int, int, int, int]]:
    lanes = _lane_boxes(model)
    out: dict[str, tuple[int, int, int, int]] = {}
    for node in model.nodes:
        if node.kind == "boundary":
            continue
        w, h = SIZES[_shape(node)]
        cx = LEFT + HEADER + 60 + node.col * COL_W
        top, height = lanes[node.lane]
        cy = top + height // 2 + node.dy
        out[node.id] = (cx - w // 2, cy - h // 2, w, h)
    slots: dict[str, int] = {}
    for node in model.nodes:
        if node.kind == "boundary":
            hx, hy, hw, hh = out[node.attached]
            k = slots.get(node.attached, 0)
            slots[node.attached] = k + 1
            out[node.id] = (hx + 8 + k * 34, hy + hh - 18, 36, 36)
    return out


def _waypoints(src, dst, back_y: int) -> list[tuple[int, int]]:
    sx, sy, sw, sh = src
    tx, ty, tw, th = dst
    if tx >= sx + sw:  # forwards
        a, b = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
        if a[1] == b[1]:
            return [a, b]
        mid = (a[0] + b[0]) // 2
        return [a, (mid, a[1]), (mid, b[1]), b]
    a, b = (sx + sw // 2, sy + sh), (tx + tw // 2, ty + th)  # backwards: below the lanes' contents
    return [a, (a[0], back_y), (b[0], back_y), b]


def _di(model: Model) -> str:
    bounds = _bounds(model)
    width = HEADER + 120 + (max(n.col for n in model.nodes) + 1) * COL_W
    lanes = _lane_boxes(model)
    height = sum(h for _, h in lanes.values())
    out = [f"  <bpmndi:BPMNDiagram id=\"Diagram_{model.id}\">\n",
           f"    <bpmndi:BPMNPlane id=\"Plane_{model.id}\" bpmnElement=\"Collab_{model.id}\">\n",
           f"      <bpmndi:BPMNShape id=\"Participant_{model.id}_di\" bpmnElement=\"Participant_{model.id}\" "
           f"isHorizontal=\"true\"><dc:Bounds x=\"{LEFT}\" y=\"{TOP}\" width=\"{width}\" height=\"{height}\" />"
           "</bpmndi:BPMNShape>\n"]
    for i, name in enumerate(model.lanes):
        top, lane_h = lanes[name]
        out.append(f"      <bpmndi:BPMNShape id=\"Lane_{model.id}_{i}_di\" bpmnElement=\"Lane_{model.id}_{i}\" "
                   f"isHorizontal=\"true\"><dc:Bounds x=\"{LEFT + HEADER}\" y=\"{top}\" "
                   f"width=\"{width - HEADER}\" height=\"{lane_h}\" /></bpmndi:BPMNShape>\n")
    for node in model.nodes:
        x, y, w, h = bounds[node.id]
        marker = " isMarkerVisible=\"true\"" if node.kind == "xor" else ""
        out.append(f"      <bpmndi:BPMNShape id=\"{node.id}_di\" bpmnElement=\"{node.id}\"{marker}>"
                   f"<dc:Bounds x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" /></bpmndi:BPMNShape>\n")
    lane_of = {n.id: n.lane for n in model.nodes}
    for flow in model.flows:
        src, dst = bounds[flow.source], bounds[flow.target]
        bottoms = [sum(lanes[lane_of[node]]) for node in (flow.source, flow.target)]
        back_y = max(bottoms) - 12
        points = "".join(f"<di:waypoint x=\"{x}\" y=\"{y}\" />" for x, y in _waypoints(src, dst, back_y))
        out.append(f"      <bpmndi:BPMNEdge id=\"{flow.id}_di\" bpmnElement=\"{flow.id}\">{points}"
                   "</bpmndi:BPMNEdge>\n")
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n")
    return "".join(out)


def render(model: Model) -> str:
    """The BPMN document (process + DI) of one model."""
    model.check()
    lanes = []
    for i, lane in enumerate(model.lanes):
        refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in model.nodes if n.lane == lane)
        lanes.append(f"      <bpmn:lane id=\"Lane_{model.id}_{i}\" name={quoteattr(lane)}>{refs}</bpmn:lane>\n")
    messages = sorted({n.message for n in model.nodes if n.message})
    return "".join([
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        "<!-- Generated by workflows/build_models.py from workflows/directive_models.py; do not edit by hand. -->\n",
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="Definitions_{model.id}" targetNamespace="http://chithi.local/bpmn">\n',
        f"  <bpmn:collaboration id=\"Collab_{model.id}\"><bpmn:participant id=\"Participant_{model.id}\" "
        f"name={quoteattr(model.participant)} processRef=\"{model.id}\" /></bpmn:collaboration>\n",
        "".join(f"  <bpmn:message id=\"Message_{m}\" name=\"{m}\" />\n" for m in messages),
        f"  <bpmn:process id=\"{model.id}\" name={quoteattr(model.name)} isExecutable=\"true\">\n",
        f"    <bpmn:laneSet id=\"LaneSet_{model.id}\">\n", *lanes, "    </bpmn:laneSet>\n",
        *(_node_xml(n, model) for n in model.nodes),
        *(_flow_xml(f) for f in model.flows),
        "  </bpmn:process>\n",
        _di(model),
        "</bpmn:definitions>\n",
    ])


def build(out_dir: Path = HERE) -> dict[Path, str]:
    """Every model's file path and its generated text (nothing written)."""
    return {out_dir / f"{m.id}.bpmn": render(m) for m in MODELS}


def main() -> int:
    for path, text in build().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
