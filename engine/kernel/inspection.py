"""What the instance page shows: where the instance stands on its diagram (elements done, current,
failed; the flows it took), its timeline from the audit log (who did what and when, with the form
data as labelled), its parent and children, and — for administrators — its data.

Reading an instance's position deserializes its workflow: for one detail page, never for lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from . import audit, humantasks
from .accounts import Actor
from .definitions import BPMN_NS, _safe_parse
from .errors import NotFound
from .instances import Instances
from .models import HumanTask, ProcessDefinition, ProcessInstance
from .views import InstanceInfo

CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED
TIMELINE_LIMIT = 1000
CHILDREN_LIMIT = 500


@dataclass(frozen=True)
class ElementStates:
    """Element ids of a diagram by how far the instance got: done, where it is now, failed; and
    the sequence flows it went along."""

    completed: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    """One event of an instance's history, ready to read."""

    seq: int
    at: datetime
    actor: str
    action: str
    element_id: str | None = None
    element_name: str | None = None
    fields: list[tuple[str, Any]] = field(default_factory=list)  # (label, value) of the form submitted
    ran: list[str] = field(default_factory=list)  # names of the steps the engine ran
    reason: str | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceDetail:
    """Everything the instance page shows."""

    info: InstanceInfo
    process_name: str
    version: int
    latest_version: int
    element_names: dict[str, str]
    states: ElementStates
    timeline: list[TimelineEntry]
    parent: InstanceInfo | None
    children: list[InstanceInfo]
    children_total: int
    process_names: dict[int, str]  # instance id → its process's name, for the parent and children
    data: dict[str, Any] | None  # only for administrators

    @property
    def error_element_name(self) -> str | None:
        element = self.info.error_element
        return self.element_names.get(element, element) if element else None


def element_states(wf: BpmnWorkflow, flows: list[tuple[str, str, str]]) -> ElementStates:
    """Done, current and failed elements of a workflow, and the flows taken between them."""
    completed: dict[str, None] = {}
    current: dict[str, None] = {}
    failed: dict[str, None] = {}
    pairs: set[tuple[str, str]] = set()
    for task in wf.get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        if task.state == TaskState.COMPLETED:
            completed[element] = None
        elif task.state & CURRENT:
            current[element] = None
        elif task.state == TaskState.ERROR:
            failed[element] = None
        else:
            continue
        parent = task.parent
        while parent is not None and not getattr(parent.task_spec, "bpmn_id", None):
            parent = parent.parent
        if parent is not None and parent.state == TaskState.COMPLETED:
            pairs.add((str(parent.task_spec.bpmn_id), str(element)))
    taken = [fid for fid, src, dst in flows if (src, dst) in pairs]
    return ElementStates(list(completed), list(current), list(failed), taken)


def sequence_flows(xml: str) -> list[tuple[str, str, str]]:
    """(flow id, source id, target id) of every sequence flow of a BPMN document."""
    root = _safe_parse(xml.encode("utf-8"), "diagram")
    return [(str(el.get("id")), str(el.get("sourceRef")), str(el.get("targetRef")))
            for el in root.iter(f"{{{BPMN_NS}}}sequenceFlow")]


def element_names(xml: str) -> dict[str, str]:
    """Element id → its name (or id) for every BPMN element of a document."""
    root = _safe_parse(xml.encode("utf-8"), "diagram")
    return {str(el.get("id")): (el.get("name") or "").strip() or str(el.get("id"))
            for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).namespace == BPMN_NS
            and el.get("id")}


class Inspection:
    """Builds the instance page's content; visibility is the instances' rule."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.db = instances.db
        self._shapes: dict[int, tuple[list[tuple[str, str, str]], dict[str, str]]] = {}

    def _shape(self, s: Session, definition_id: int) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
        """(flows, names) of a definition version: immutable, so read once per process."""
        shape = self._shapes.get(definition_id)
        if shape is None:
            xml = s.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == definition_id)) or ""
            shape = self._shapes[definition_id] = (sequence_flows(xml), element_names(xml))
        return shape

    def diagram(self, instance_id: int, actor: Actor) -> str:
        """The BPMN XML of the version an instance runs on (for the diagram), if `actor` may see it."""
        with self.db.session() as s:
            row = self._visible(s, instance_id, actor)
            xml = s.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == row.definition_id))
            return xml or ""

    def _visible(self, s: Session, instance_id: int, actor: Actor) -> ProcessInstance:
        row = s.get(ProcessInstance, instance_id)
        if row is None or not self.instances.may_see(s, row, actor):
            raise NotFound(f"Không có hồ sơ quy trình số {instance_id}")
        return row

    def detail(self, instance_id: int, actor: Actor) -> InstanceDetail:
        """The instance page of `instance_id` as `actor` may see it (NotFound otherwise)."""
        with self.db.session() as s:
            row = self._visible(s, instance_id, actor)
            definition = s.get(ProcessDefinition, row.definition_id)
            if definition is None:
                raise NotFound(f"Không có phiên bản quy trình số {row.definition_id}")
            latest = s.scalar(select(func.max(ProcessDefinition.version))
                              .where(ProcessDefinition.process_id == row.process_id)) or definition.version
            flows, names = self._shape(s, row.definition_id)
            spec, subs = self.instances.definitions.spec(s, row.definition_id)
            wf = self.instances.serializer.load(row.state_json, spec, subs, self.instances.script_engine)
            states = element_states(wf, flows)
            info = self.instances.info(s, row)
            parent = s.get(ProcessInstance, row.parent_id) if row.parent_id else None
            if parent is not None and not self.instances.may_see(s, parent, actor):
                parent = None  # no link to what this person may not open
            children_q = select(ProcessInstance).where(ProcessInstance.parent_id == row.id)
            if not actor.is_admin:
                mine = select(HumanTask.instance_id).where(humantasks.ever_visible_to(actor))
                children_q = children_q.where(or_(ProcessInstance.body_code == (actor.body_code or ""),
                                                  ProcessInstance.id.in_(mine)))
            children = [InstanceInfo.from_row(c) for c in
                        s.scalars(children_q.order_by(ProcessInstance.id).limit(CHILDREN_LIMIT))]
            total = s.scalar(select(func.count()).select_from(children_q.subquery())) or 0
            timeline = self._timeline(s, row.id, names)
            data = self.instances.merged_data(wf) if actor.is_admin else None
            family = [*children, *([InstanceInfo.from_row(parent)] if parent is not None else [])]
            process_names = {i.id: self.instances.definitions.display_name(s, i.definition_id or 0) or i.process_id
                             for i in family}
            return InstanceDetail(info, definition.name, definition.version, latest, names, states, timeline,
                                  InstanceInfo.from_row(parent) if parent is not None else None, children, total,
                                  process_names, data)

    def _timeline(self, s: Session, instance_id: int, names: dict[str, str]) -> list[TimelineEntry]:
        events = audit.query_events(s, audit.AuditFilter(instance_ids=[instance_id]), limit=TIMELINE_LIMIT,
                                    newest_first=False)
        task_ids = {int(e.payload["task_id"]) for e in events if isinstance(e.payload.get("task_id"), int)}
        forms: dict[int, tuple[str | None, dict[str, str]]] = {}
        if task_ids:
            for task in s.scalars(select(HumanTask).where(HumanTask.id.in_(sorted(task_ids)))):
                labels = {f["name"]: f.get("label") or f["name"] for f in (task.form or {}).get("fields", [])}
                forms[task.id] = (task.name, labels)
        out = []
        for e in events:
            p = e.payload
            task_id = p.get("task_id")
            task_name, labels = forms[task_id] if isinstance(task_id, int) and task_id in forms else (None, {})
            element = p.get("element_id") if isinstance(p.get("element_id"), str) else None
            raw = p.get("data")
            data: dict[str, Any] = raw if isinstance(raw, dict) else {}
            ran = [names.get(str(x), str(x)) for x in p.get("ran", []) if str(x) != element] \
                if isinstance(p.get("ran"), list) else []
            details = {k: v for k, v in p.items() if k not in ("task_id", "element_id", "data", "ran", "reason",
                                                                "error")}
            out.append(TimelineEntry(e.seq, e.at, e.actor, e.action, element,
                                     task_name or (names.get(element, element) if element else None),
                                     [(labels.get(k, k), v) for k, v in data.items()], ran,
                                     p.get("reason") or None, p.get("error") or None, details))
        return out
