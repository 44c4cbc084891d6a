"""What administrators do with process models: see every process and its versions (who deployed
each, when, which instances run on it), keep a draft while editing in the modeler, check it, deploy
it as a new version, start a new process from a blank diagram or a copy, and export any version.

Every entry point takes the acting `Actor` and requires an administrator before anything else, so
a non-administrator is refused (403) whether or not the process or version exists.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree
from sqlalchemy import delete, func, select

from .accounts import Actor, require_admin
from .definitions import BPMN_NS, _safe_parse
from .deployment import Definitions, _definition_info
from .errors import DefinitionError, FieldProblem, FormError, NotFound, Problem
from .models import ProcessDefinition, ProcessDraft, ProcessInstance
from .services import ServiceRegistry
from .throttle import Gate, RateLimit
from .views import DefinitionInfo

MODELING = "quản lý quy trình"
PROCESS_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,199}$")
STATUSES = ("running", "error", "suspended", "completed", "terminated")


@dataclass(frozen=True)
class VersionInfo:
    """One deployed version with the instances on it, by status."""

    definition: DefinitionInfo
    instances: dict[str, int] = field(default_factory=dict)

    @property
    def open_instances(self) -> int:
        return sum(self.instances.get(s, 0) for s in ("running", "error", "suspended"))


@dataclass(frozen=True)
class ProcessSummary:
    """A process as the process list shows it: its newest version and how its instances stand."""

    process_id: str
    name: str
    latest_version: int | None
    versions: int
    deployed_at: datetime | None
    deployed_by: str | None
    instances: dict[str, int]
    draft_updated_at: datetime | None = None


@dataclass(frozen=True)
class DraftInfo:
    """A process model saved from the modeler but not deployed."""

    process_id: str
    name: str
    xml: str
    base_version: int | None
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class ServiceChoice:
    """A registered service as the modeler offers it."""

    name: str
    title: str
    description: str
    parameters: dict[str, str]


CHECKS_AT_ONCE = 2
CHECK_WAIT = 10.0  # seconds a check waits for a turn
CHECKS_PER_MINUTE = 60


@dataclass(frozen=True)
class ModelingCatalog:
    """What the modeler's panel offers: roles, lane names with their role, services."""

    roles: dict[str, str]
    lane_roles: dict[str, str]
    services: list[ServiceChoice]


def _blank_xml(process_id: str, name: str) -> str:
    """A new diagram: one pool with one lane and a start event, ready to be drawn on."""
    pid, title = quoteattr(process_id), quoteattr(name)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Definitions_new" \
targetNamespace="http://chithi.local/bpmn">
  <bpmn:collaboration id="Collaboration_new"><bpmn:participant id="Participant_new" name={title} \
processRef={pid} /></bpmn:collaboration>
  <bpmn:process id={pid} name={title} isExecutable="true">
    <bpmn:laneSet id="LaneSet_new"><bpmn:lane id="Lane_new" name="Chuyên viên">\
<bpmn:flowNodeRef>StartEvent_new</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_new" name="Bắt đầu" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_new">
    <bpmndi:BPMNPlane id="Plane_new" bpmnElement="Collaboration_new">
      <bpmndi:BPMNShape id="Participant_new_di" bpmnElement="Participant_new" isHorizontal="true">\
<dc:Bounds x="120" y="60" width="900" height="220" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_new_di" bpmnElement="Lane_new" isHorizontal="true">\
<dc:Bounds x="150" y="60" width="870" height="220" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_new_di" bpmnElement="StartEvent_new">\
<dc:Bounds x="212" y="152" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def main_process(xml: bytes) -> tuple[str, str]:
    """(id, name) of the first executable process of a BPMN document; DefinitionError if none."""
    root = _safe_parse(xml, "draft")
    for proc in root.iterfind(f"{{{BPMN_NS}}}process"):
        if proc.get("isExecutable", "true") == "true" and proc.get("id"):
            return str(proc.get("id")), str(proc.get("name") or proc.get("id"))
    raise DefinitionError([Problem(None, "không có quy trình thực thi được (no executable bpmn:process)")])


def _check_new_id(process_id: str, name: str) -> list[FieldProblem]:
    problems = []
    if not PROCESS_ID.match(process_id):
        problems.append(FieldProblem("process_id", "Mã quy trình bắt đầu bằng chữ cái không dấu, chỉ gồm chữ, số, "
                                                   "'_', '-', '.' (tối đa 200 ký tự), ví dụ nhac_bao_cao"))
    if not name.strip() or len(name) > 400:
        problems.append(FieldProblem("name", "Nhập tên quy trình (tối đa 400 ký tự)"))
    return problems


class Modeling:
    """Processes, versions and drafts for the administrators' pages and the modeler."""

    def __init__(self, definitions: Definitions, services: ServiceRegistry, roles: dict[str, str],
                 lane_roles: dict[str, str]):
        self.definitions = definitions
        self.journal = definitions.journal
        self.db = definitions.journal.db
        self.services = services
        self.roles = dict(roles)
        self.lane_roles = dict(lane_roles)
        # Checking a model is the costliest request there is: modellers only, a few at once, and
        # at most CHECKS_PER_MINUTE per person (the modeler checks as the diagram is edited).
        self._checking = Gate(CHECKS_AT_ONCE, CHECK_WAIT, "Đang kiểm tra nhiều mô hình cùng lúc; vui lòng thử lại "
                                                           "sau giây lát (too many model checks at once)")
        self._check_rate = RateLimit(CHECKS_PER_MINUTE, timedelta(minutes=1), self.journal.clock,
                                     f"Kiểm tra mô hình quá {CHECKS_PER_MINUTE} lần một phút; vui lòng chờ "
                                     f"(more than {CHECKS_PER_MINUTE} model checks a minute)")

    # ------------------------------------------------------------------ reading

    def catalog(self, actor: Actor) -> ModelingCatalog:
        """Roles, lanes and services the modeler's panel offers."""
        require_admin(actor, MODELING)
        services = [ServiceChoice(spec.name, spec.title or spec.name, spec.description, dict(spec.parameters))
                    for spec in self.services.specs()]
        return ModelingCatalog(dict(self.roles), dict(self.lane_roles), services)

    def processes(self, actor: Actor) -> list[ProcessSummary]:
        """Every deployed process (its newest version) and every draft of a process not deployed yet."""
        require_admin(actor, MODELING)
        with self.db.session() as s:
            rows = s.execute(select(ProcessDefinition.process_id, ProcessDefinition.name, ProcessDefinition.version,
                                    ProcessDefinition.deployed_at, ProcessDefinition.deployed_by)
                             .order_by(ProcessDefinition.process_id, ProcessDefinition.version)).all()
            counts: dict[str, dict[str, int]] = defaultdict(dict)
            for pid, status, n in s.execute(select(ProcessInstance.process_id, ProcessInstance.status,
                                                   func.count(ProcessInstance.id))
                                            .group_by(ProcessInstance.process_id, ProcessInstance.status)):
                counts[pid][status] = n
            drafts = {d.process_id: d for d in s.scalars(select(ProcessDraft))}
        latest: dict[str, Any] = {}
        versions: dict[str, int] = defaultdict(int)
        for row in rows:
            latest[row.process_id] = row
            versions[row.process_id] += 1
        out = [ProcessSummary(pid, row.name, row.version, versions[pid], row.deployed_at, row.deployed_by,
                              counts.get(pid, {}), drafts[pid].updated_at if pid in drafts else None)
               for pid, row in latest.items()]
        out += [ProcessSummary(pid, d.name, None, 0, None, None, {}, d.updated_at)
                for pid, d in drafts.items() if pid not in latest]
        return sorted(out, key=lambda p: p.process_id)

    def versions(self, actor: Actor, process_id: str) -> list[VersionInfo]:
        """Every version of a process, oldest first, with its instances by status; NotFound when
        the process was never deployed."""
        require_admin(actor, MODELING)
        with self.db.session() as s:
            rows = s.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id)
                             .order_by(ProcessDefinition.version)).all()
            if not rows:
                raise NotFound(f"Chưa triển khai quy trình '{process_id}'")
            counts: dict[int, dict[str, int]] = defaultdict(dict)
            for did, status, n in s.execute(select(ProcessInstance.definition_id, ProcessInstance.status,
                                                   func.count(ProcessInstance.id))
                                            .where(ProcessInstance.process_id == process_id)
                                            .group_by(ProcessInstance.definition_id, ProcessInstance.status)):
                counts[did][status] = n
            return [VersionInfo(_definition_info(r, created=False), counts.get(r.id, {})) for r in rows]

    def version(self, actor: Actor, process_id: str, version: int) -> tuple[DefinitionInfo, str]:
        """(definition, BPMN XML) of one version; NotFound when there is no such version."""
        require_admin(actor, MODELING)
        with self.db.session() as s:
            row = s.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == process_id,
                                                           ProcessDefinition.version == version))
            if row is None:
                raise NotFound(f"Không có phiên bản {version} của quy trình '{process_id}'")
            return _definition_info(row, created=False), row.bpmn_xml

    # ------------------------------------------------------------------ drafts

    def draft(self, actor: Actor, process_id: str) -> DraftInfo | None:
        """The draft of a process, if one is saved."""
        require_admin(actor, MODELING)
        with self.db.session() as s:
            row = s.scalar(select(ProcessDraft).where(ProcessDraft.process_id == process_id))
            return _draft_info(row) if row is not None else None

    def save_draft(self, actor: Actor, xml: bytes, base_version: int | None = None) -> DraftInfo:
        """Keep a model from the modeler as the draft of its process (replacing the previous draft).
        The model need not pass the checks yet; it must be BPMN with an executable process."""
        require_admin(actor, MODELING)
        process_id, name = main_process(xml)
        problems = _check_new_id(process_id, name)
        if problems:
            raise FormError(problems)
        now = self.journal.clock.now()
        with self.journal.transaction() as s:
            row = s.scalar(select(ProcessDraft).where(ProcessDraft.process_id == process_id))
            if row is None:
                row = ProcessDraft(process_id=process_id, name=name[:400], bpmn_xml="", updated_by=actor.username,
                                   updated_at=now, base_version=base_version)
                s.add(row)
            row.name, row.bpmn_xml = name[:400], xml.decode("utf-8")
            row.updated_by, row.updated_at = actor.username, now
            if base_version is not None:
                row.base_version = base_version
            s.flush()
            self.journal.record(s, actor.username, "draft_saved", None,
                                {"process_id": process_id, "base_version": row.base_version, "size": len(xml)})
            return _draft_info(row)

    def discard_draft(self, actor: Actor, process_id: str) -> None:
        """Throw a draft away; NotFound when there is none."""
        require_admin(actor, MODELING)
        with self.journal.transaction() as s:
            done = s.execute(delete(ProcessDraft).where(ProcessDraft.process_id == process_id))
            if not getattr(done, "rowcount", 0):
                raise NotFound(f"Quy trình '{process_id}' không có bản nháp")
            self.journal.record(s, actor.username, "draft_discarded", None, {"process_id": process_id})

    def new_process(self, actor: Actor, process_id: str, name: str,
                    copy_of: tuple[str, int] | None = None) -> DraftInfo:
        """Start a process as a draft: a blank diagram, or a copy of (process, version) under the new id."""
        require_admin(actor, MODELING)
        problems = _check_new_id(process_id, name)
        with self.db.session() as s:
            taken = s.scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == process_id).limit(1))
            drafted = s.scalar(select(ProcessDraft.id).where(ProcessDraft.process_id == process_id))
        if taken is not None or drafted is not None:
            problems.append(FieldProblem("process_id", f"Mã quy trình '{process_id}' đã được dùng"))
        if problems:
            raise FormError(problems)
        if copy_of is None:
            xml = _blank_xml(process_id, name)
        else:
            _info, source = self.version(actor, *copy_of)
            xml = _renamed(source.encode("utf-8"), copy_of[0], process_id, name)
        return self.save_draft(actor, xml.encode("utf-8"))

    # ------------------------------------------------------------------ checking and deploying

    def check(self, actor: Actor, xml: bytes, source: str = "modeler") -> list[Problem]:
        """Every problem the deploy check finds in a model, without storing anything (administrators
        only, throttled per person and in total: Busy or TooManyRequests when over)."""
        require_admin(actor, MODELING)
        self._check_rate.use(actor.username)
        with self._checking.turn():
            return self.definitions.check_xml(xml, source)

    def upload(self, actor: Actor, xml: bytes, source: str = "upload") -> list[DefinitionInfo]:
        """Check and deploy an uploaded BPMN document (the API), under the same throttle as a check;
        drafts are left alone (the modeler's deploy removes its own)."""
        require_admin(actor, "triển khai quy trình")
        self._check_rate.use(actor.username)
        with self._checking.turn():
            return self.definitions.deploy_xml(xml, source=source, actor=actor.username)

    def deploy(self, actor: Actor, xml: bytes, source: str = "modeler") -> list[DefinitionInfo]:
        """Check and deploy a model as the next version of its process; its draft is removed."""
        require_admin(actor, "triển khai quy trình")
        deployed = self.definitions.deploy_xml(xml, source=source, actor=actor.username)
        with self.journal.transaction() as s:
            s.execute(delete(ProcessDraft).where(ProcessDraft.process_id.in_([d.process_id for d in deployed])))
        return deployed


def _draft_info(row: ProcessDraft) -> DraftInfo:
    return DraftInfo(row.process_id, row.name, row.bpmn_xml, row.base_version, row.updated_by, row.updated_at)


def _renamed(xml: bytes, old_id: str, new_id: str, new_name: str) -> str:
    """The model with its process renamed: the process id, every reference to it, and its name."""
    root = _safe_parse(xml, "copy")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if value == old_id:
                el.set(attr, new_id)
        local = etree.QName(el).localname
        names_it = el.get("id") if local == "process" else el.get("processRef") if local == "participant" else None
        if names_it == new_id:
            el.set("name", new_name)
    text: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return text.decode("utf-8")
