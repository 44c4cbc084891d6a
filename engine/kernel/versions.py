"""Versions of a process model: compare two versions element by element, and move running
instances to a newer version.

The comparison reads the BPMN of both versions and describes each element by what matters for its
behaviour (type, name, properties, form, service and parameters, script, timer, condition, flow,
lane…), so a model saved again by another editor (attribute order, generated ids of event
definitions, layout) shows no change, and a changed timer or form shows exactly that.

An instance moves only when every element it waits on (its ready tasks, timers, messages, a failed
step) exists in the target version; otherwise it is refused naming those elements. Moving keeps the
task data and the due time of a timer whose expression did not change; open tasks keep their ids,
and what the new version adds around a waiting element (a boundary timer) starts waiting too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import Actor, require_admin
from .definitions import BPMN_NS, SPIFF_NS, _safe_parse
from .deployment import _definition_info
from .errors import ConflictError, InvalidState, NotFound
from .instances import Instances
from .models import ProcessDefinition, ProcessInstance
from .status import InstanceStatus
from .views import DefinitionInfo

B = f"{{{BPMN_NS}}}"
S = f"{{{SPIFF_NS}}}"
MIGRATABLE = (InstanceStatus.RUNNING.value, InstanceStatus.SUSPENDED.value, InstanceStatus.ERROR.value)
WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
MAX_BATCH = 500
EVENT_KINDS = {"timerEventDefinition": "timer", "messageEventDefinition": "message", "signalEventDefinition": "signal",
               "errorEventDefinition": "error", "escalationEventDefinition": "escalation",
               "terminateEventDefinition": "terminate", "cancelEventDefinition": "cancel"}
# Children described by an aspect of their own; anything else lands in "other".
HANDLED = {"incoming", "outgoing", "documentation", "extensionElements", "conditionExpression", "script",
           "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", *EVENT_KINDS}
HANDLED_ATTRS = {"id", "name", "attachedToRef", "cancelActivity", "default", "sourceRef", "targetRef"}


# ------------------------------------------------------------------ elements of a model


@dataclass(frozen=True)
class ModelElement:
    """One element of a process as compared: its kind, name and behaviour, aspect by aspect."""

    id: str
    kind: str
    name: str
    aspects: dict[str, str]


@dataclass(frozen=True)
class ElementChange:
    """How one element differs between two versions."""

    element_id: str
    kind: str
    name: str
    change: str  # "added" | "removed" | "changed"
    aspects: list[tuple[str, str, str]] = field(default_factory=list)  # (aspect, before, after)


@dataclass(frozen=True)
class VersionComparison:
    """Two versions of a process and what changed between them, element by element."""

    old: DefinitionInfo
    new: DefinitionInfo
    changes: list[ElementChange]

    def of(self, change: str) -> list[ElementChange]:
        return [c for c in self.changes if c.change == change]


def _text(el: etree._Element | None) -> str:
    return "\n".join(line.rstrip() for line in (el.text or "").strip().splitlines()) if el is not None else ""


def _canonical(el: etree._Element) -> str:
    """A stable text of an element subtree: tag, attributes (ids and tool-specific ones left out), text."""
    attrs = sorted((k, v) for k, v in el.attrib.items() if k != "id" and not k.startswith("{"))
    children = "".join(_canonical(c) for c in el if isinstance(c.tag, str))
    body = _text(el)
    return f"{etree.QName(el).localname}{attrs if attrs else ''}[{body}]{{{children}}}"


def _aspects(el: etree._Element, lanes: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    local = etree.QName(el).localname
    events = [EVENT_KINDS[etree.QName(c).localname] for c in el
              if isinstance(c.tag, str) and etree.QName(c).localname in EVENT_KINDS]
    out["type"] = local + (f" ({', '.join(events)})" if events else "")
    out["name"] = (el.get("name") or "").strip()
    out["documentation"] = "\n".join(_text(d) for d in el.iterfind(f"{B}documentation"))
    ext = el.find(f"{B}extensionElements")
    other: list[str] = []
    if ext is not None:
        props = sorted(f"{p.get('name')} = {p.get('value')}" for p in ext.iterfind(f"{S}properties/{S}property"))
        out["properties"] = "\n".join(props)
        out["form"] = _text(ext.find(f"{S}form"))
        op = ext.find(f"{S}serviceTaskOperator")
        if op is not None:
            params = sorted(f"{p.get('id')} = {p.get('value')}" for p in op.iterfind(f".//{S}parameter"))
            result = f" → {op.get('resultVariable')}" if op.get("resultVariable") else ""
            out["service"] = "\n".join([f"{op.get('id')}{result}", *params])
        for tag in ("preScript", "postScript"):
            out[tag] = _text(ext.find(f"{S}{tag}"))
        other += [_canonical(c) for c in ext if isinstance(c.tag, str) and etree.QName(c).localname not in
                  {"properties", "form", "serviceTaskOperator", "preScript", "postScript"}]
    out["script"] = _text(el.find(f"{B}script"))
    timers = [f"{etree.QName(t).localname}: {_text(t)}" for d in el.iterfind(f"{B}timerEventDefinition")
              for t in d if isinstance(t.tag, str)]
    out["timer"] = "\n".join(timers)
    out["message"] = "\n".join(str(d.get("messageRef") or "") for d in el.iterfind(f"{B}messageEventDefinition"))
    out["condition"] = _text(el.find(f"{B}conditionExpression"))
    if local == "sequenceFlow":
        src, dst = el.get("sourceRef") or "", el.get("targetRef") or ""
        out["flow"] = f"{names.get(src, src)} → {names.get(dst, dst)}"
    if local == "boundaryEvent":
        target = el.get("attachedToRef") or ""
        interrupting = (el.get("cancelActivity") or "true") == "true"
        out["attached"] = f"{names.get(target, target)} ({'dừng việc' if interrupting else 'không dừng việc'})"
    if el.get("default"):
        out["default"] = names.get(el.get("default") or "", el.get("default") or "")
    loops = [_canonical(c) for c in el if isinstance(c.tag, str) and etree.QName(c).localname in
             ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics")]
    out["loop"] = "".join(loops)
    if el.get("id") in lanes:
        out["lane"] = lanes[str(el.get("id"))]
    attrs = sorted(f"{k}={v}" for k, v in el.attrib.items() if k not in HANDLED_ATTRS and not k.startswith("{"))
    other += attrs
    other += [_canonical(c) for c in el if isinstance(c.tag, str) and etree.QName(c).localname not in HANDLED]
    out["other"] = "\n".join(other)
    return {k: v for k, v in out.items() if v}


def model_elements(xml: bytes, process_id: str) -> dict[str, ModelElement]:
    """The elements of process `process_id` in a BPMN document, by id: flow nodes, flows (also in
    sub-processes) and lanes (with the names of the nodes they hold)."""
    root = _safe_parse(xml, "compare")
    process = next((p for p in root.iterfind(f"{B}process") if p.get("id") == process_id), None)
    if process is None:
        return {}
    names = {str(el.get("id")): (el.get("name") or "").strip() or str(el.get("id"))
             for el in process.iter() if isinstance(el.tag, str) and el.get("id")}
    for flow in process.iter(f"{B}sequenceFlow"):  # a flow without a name is called by its ends
        if not (flow.get("name") or "").strip():
            src, dst = flow.get("sourceRef") or "", flow.get("targetRef") or ""
            names[str(flow.get("id"))] = f"{names.get(src, src)} → {names.get(dst, dst)}"
    lanes: dict[str, str] = {}
    out: dict[str, ModelElement] = {}
    for lane in process.iter(f"{B}lane"):
        refs = [(r.text or "").strip() for r in lane.iterfind(f"{B}flowNodeRef")]
        for ref in refs:
            lanes[ref] = (lane.get("name") or "").strip()
        members = "\n".join(sorted(names.get(r, r) for r in refs))
        lane_id = str(lane.get("id"))
        out[lane_id] = ModelElement(lane_id, "lane", names.get(lane_id, lane_id),
                                    {"type": "lane", "name": (lane.get("name") or "").strip(), "members": members})

    def walk(container: etree._Element) -> None:
        for el in container:
            if not isinstance(el.tag, str) or etree.QName(el).namespace != BPMN_NS or not el.get("id"):
                continue
            local = etree.QName(el).localname
            if local in ("laneSet", "extensionElements", "documentation", "ioSpecification", "dataObject",
                         "textAnnotation", "association", "group", "property"):
                continue
            out[str(el.get("id"))] = ModelElement(str(el.get("id")), local, names[str(el.get("id"))],
                                                  _aspects(el, lanes, names))
            if local == "subProcess":
                walk(el)

    walk(process)
    return out


LINE_SETS = {"members", "properties"}  # aspects that are sets of lines: only the lines that differ are shown


def _difference(aspect: str, before: str, after: str) -> tuple[str, str, str]:
    if aspect not in LINE_SETS:
        return aspect, before, after
    old, new = before.splitlines(), after.splitlines()
    return aspect, "\n".join(x for x in old if x not in new), "\n".join(x for x in new if x not in old)


def compare_elements(old: dict[str, ModelElement], new: dict[str, ModelElement]) -> list[ElementChange]:
    """Added, removed and changed elements between two element maps, in a stable order."""
    changes: list[ElementChange] = []
    for eid, el in new.items():
        if eid not in old:
            changes.append(ElementChange(eid, el.kind, el.name, "added"))
    for eid, el in old.items():
        if eid not in new:
            changes.append(ElementChange(eid, el.kind, el.name, "removed"))
            continue
        after = new[eid]
        diffs = [_difference(aspect, el.aspects.get(aspect, ""), after.aspects.get(aspect, ""))
                 for aspect in sorted(set(el.aspects) | set(after.aspects))
                 if el.aspects.get(aspect, "") != after.aspects.get(aspect, "")]
        if diffs:
            changes.append(ElementChange(eid, after.kind, after.name, "changed", diffs))
    order = {"removed": 0, "changed": 1, "added": 2}
    return sorted(changes, key=lambda c: (order[c.change], c.kind == "sequenceFlow", c.name.lower(), c.element_id))


# ------------------------------------------------------------------ moving instances


@dataclass(frozen=True)
class MigrationOutcome:
    """What happened to one instance asked to move to another version."""

    instance_id: int
    migrated: bool
    message: str
    from_version: int | None = None
    to_version: int | None = None
    missing: list[tuple[str, str]] = field(default_factory=list)  # (element id, name) absent from the target
    business_key: str | None = None


class Versions:
    """Compares versions and moves instances between them (administrators)."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.definitions = instances.definitions
        self.journal = instances.journal
        self.db = instances.db

    def _definition(self, s: Session, process_id: str, version: int) -> ProcessDefinition:
        row = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                       ProcessDefinition.version == version))
        if row is None:
            raise NotFound(f"Không có phiên bản {version} của quy trình '{process_id}'")
        return row

    def compare(self, actor: Actor, process_id: str, old_version: int, new_version: int) -> VersionComparison:
        """The element-by-element differences from `old_version` to `new_version` of a process."""
        require_admin(actor, "so sánh phiên bản quy trình")
        with self.db.session() as s:
            old = self._definition(s, process_id, old_version)
            new = self._definition(s, process_id, new_version)
            changes = compare_elements(model_elements(old.bpmn_xml.encode("utf-8"), process_id),
                                       model_elements(new.bpmn_xml.encode("utf-8"), process_id))
            return VersionComparison(_definition_info(old, False), _definition_info(new, False), changes)

    def migrate(self, actor: Actor, instance_ids: list[int], process_id: str, version: int,
                reason: str = "") -> list[MigrationOutcome]:
        """Move each instance to `version` of its process, each in its own transaction; an instance
        that cannot move is refused with the reason (and the missing elements), the others move."""
        require_admin(actor, "chuyển hồ sơ sang phiên bản mới")
        if len(instance_ids) > MAX_BATCH:
            raise InvalidState(f"Mỗi lần chuyển tối đa {MAX_BATCH} hồ sơ")
        with self.db.session() as s:
            target = self._definition(s, process_id, version)
            target_id, target_version = target.id, target.version
        outcomes = []
        for instance_id in dict.fromkeys(instance_ids):
            try:
                outcomes.append(self._migrate_one(actor, instance_id, target_id, target_version, process_id, reason))
            except ConflictError as exc:
                outcomes.append(MigrationOutcome(instance_id, False, str(exc)))
        return outcomes

    def _migrate_one(self, actor: Actor, instance_id: int, target_id: int, target_version: int, process_id: str,
                     reason: str) -> MigrationOutcome:
        with self.journal.transaction() as s:
            row = s.get(ProcessInstance, instance_id)
            if row is None:
                return MigrationOutcome(instance_id, False, f"Không có hồ sơ quy trình số {instance_id}")
            current = s.get(ProcessDefinition, row.definition_id)
            from_version = current.version if current is not None else None
            key = row.business_key
            refused = self._refusal(row, process_id, from_version, target_version)
            if refused:
                return MigrationOutcome(instance_id, False, refused, from_version, target_version, business_key=key)
            wf = self.instances.load(s, row)
            if wf.subprocesses:
                return MigrationOutcome(instance_id, False, "Hồ sơ có quy trình con đang chạy: chưa chuyển được "
                                                            "phiên bản", from_version, target_version, business_key=key)
            spec, subs = self.definitions.spec(s, target_id)
            missing = waiting_elements_missing(wf, spec)
            if missing:
                names = ", ".join(f"«{name}»" for _, name in missing)
                self.instances.forget_cached(row.id)
                return MigrationOutcome(instance_id, False, f"Phiên bản {target_version} không còn bước mà hồ sơ "
                                                            f"đang chờ: {names}", from_version, target_version, missing,
                                        key)
            registry = self.instances.serializer.registry
            row.definition_id = target_id

            def move(w: BpmnWorkflow) -> None:
                move_workflow(registry, w, spec, subs)

            self.instances.advance(s, row, wf, actor.username, "instance_migrated",
                                   {"process_id": process_id, "from_version": from_version,
                                    "to_version": target_version, "reason": reason}, move, refresh_tasks=True)
            return MigrationOutcome(instance_id, True, f"Đã chuyển từ phiên bản {from_version} sang {target_version}",
                                    from_version, target_version, business_key=key)

    @staticmethod
    def _refusal(row: ProcessInstance, process_id: str, from_version: int | None, target_version: int) -> str:
        if row.process_id != process_id:
            return "Hồ sơ thuộc quy trình khác"
        if row.status not in MIGRATABLE:
            return "Hồ sơ đã kết thúc: không chuyển phiên bản"
        if from_version is not None and target_version <= from_version:
            return f"Hồ sơ đang ở phiên bản {from_version}: chỉ chuyển sang phiên bản mới hơn"
        return ""


def _element_of(task: Any) -> tuple[str, str]:
    spec = task.task_spec
    element = getattr(spec, "bpmn_id", None) or str(spec.name).split(".")[0]
    return str(element), str(getattr(spec, "bpmn_name", None) or element)


def waiting_elements_missing(wf: BpmnWorkflow, spec: Any) -> list[tuple[str, str]]:
    """(id, name) of the elements `wf` waits on that `spec` does not have."""
    missing: dict[str, str] = {}
    for task in wf.get_tasks(state=WAITING):
        if task.task_spec.name not in spec.task_specs:
            element, name = _element_of(task)
            missing.setdefault(element, name)
    return sorted(missing.items())


def _same_event(old: Any, new: Any) -> bool:
    a, b = getattr(old, "event_definition", None), getattr(new, "event_definition", None)
    return a is not None and type(a) is type(b) and getattr(a, "expression", None) == getattr(b, "expression", None) \
        and getattr(a, "name", None) == getattr(b, "name", None)


def move_workflow(registry: Any, wf: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any]) -> None:
    """Put `wf` on `spec`: align every task with the element of the same id, re-plan what follows
    the waiting tasks, keep their data, and keep a timer's due time when its expression is the same."""
    kept = {t.id: (t.task_spec, dict(t.data), dict(t.internal_data))
            for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    top_diff, _subs = diff_workflow(registry, wf, spec, subprocess_specs)
    migrate_workflow(top_diff, wf, spec)
    wf.subprocess_specs = subprocess_specs
    for task_id, (old_spec, data, internal) in kept.items():
        task = wf.tasks.get(task_id)
        if task is None:
            continue
        task.data = data
        if task.state == TaskState.WAITING and _same_event(old_spec, task.task_spec):
            task.internal_data = internal
    for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
        split_spec = next((i for i in task.task_spec.inputs if isinstance(i, BoundaryEventSplit)), None)
        parent = task.parent
        if split_spec is not None and parent is not None and parent.task_spec is not split_spec:
            # The new version attaches events to a waiting activity that had none: put the split the
            # activity now comes out of between it and its parent, so its events can wait too.
            split = Task(wf, split_spec, parent=parent, state=TaskState.COMPLETED)
            split.data = dict(parent.data)
            parent._children.remove(task.id)
            task.parent = split
            split._children.append(task.id)
    for split in wf.get_tasks(state=TaskState.COMPLETED):
        if not isinstance(split.task_spec, BoundaryEventSplit):
            continue
        present = {child.task_spec for child in split.children}
        if not any(child.state & (TaskState.READY | TaskState.WAITING) for child in split.children):
            continue  # the activity is over: its boundary events no longer matter
        for output in split.task_spec.outputs:
            if output not in present:  # an event the new version attaches to a waiting activity
                child = split._add_child(output, TaskState.FUTURE)
                output._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
                output._update(child)
