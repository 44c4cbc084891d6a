"""Process definitions: load BPMN, check it before anything runs, store each version once.

`check_bpmn` reports every problem it finds, one per element, with the element id: XML not
well-formed, no executable process, unknown or unsupported elements, an expression or script the
safe evaluator refuses, an unquoted timer duration (`P7D` must be written `"P7D"`), an unknown
service name, a form that does not parse, a human task nobody can do.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import bounds
from .errors import DefinitionError, ExpressionError, Problem
from .expressions import SafeEvaluator, shared_budget
from .forms import parse_form
from .services import ServiceRegistry

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_BPMN_BYTES = 5 * 1024 * 1024

# BPMN elements this engine executes or tolerates; anything else in the BPMN namespace is refused.
SUPPORTED = {
    "definitions", "process", "collaboration", "participant", "messageFlow", "message", "signal",
    "error", "escalation", "correlationKey", "correlationProperty", "correlationPropertyRef",
    "correlationPropertyRetrievalExpression", "messagePath", "formalExpression",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "callActivity", "subProcess", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "eventBasedGateway", "sequenceFlow", "conditionExpression", "laneSet", "lane", "flowNodeRef",
    "childLaneSet", "incoming", "outgoing", "documentation", "extensionElements", "script",
    "timerEventDefinition", "timeDuration", "timeDate", "timeCycle", "messageEventDefinition",
    "signalEventDefinition", "errorEventDefinition", "escalationEventDefinition",
    "terminateEventDefinition", "cancelEventDefinition", "messageRef", "dataObject",
    "dataObjectReference", "dataInputAssociation", "dataOutputAssociation", "sourceRef",
    "targetRef", "textAnnotation", "text", "association", "group", "category", "categoryValue",
    "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "loopCardinality",
    "completionCondition", "loopDataInputRef", "loopDataOutputRef", "inputDataItem",
    "outputDataItem", "ioSpecification", "dataInput", "dataOutput", "inputSet", "outputSet",
    "dataInputRefs", "dataOutputRefs", "property", "itemDefinition", "import", "interface", "operation",
}
HUMAN_TASKS = {"userTask", "manualTask"}
# SpiffWorkflow names its own internal task specs like this; a BPMN element with such an id breaks the model.
RESERVED_IDS = {"Start", "End", "Root"}
# An ISO 8601 duration, date-time or repeating interval written without quotes.
BARE_TIMER = re.compile(
    r"^(R\d*/)?(P(?=[\dT])(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+([.,]\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)(/.*)?$",
    re.IGNORECASE,
)
EXPRESSION_PROPERTIES = {"body", "assignee", "due", "show"}


@dataclass
class ParsedProcess:
    """One executable process parsed from a document, ready to store."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def content_hash(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def _safe_parse(xml: bytes, source: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             remove_comments=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise DefinitionError([Problem(None, f"XML không đúng cú pháp (not well-formed): {exc.msg}", line)]) from None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DefinitionError([Problem(None, "tài liệu không phải BPMN 2.0: phần tử gốc phải là bpmn:definitions")])
    return root


def _owner_id(el: etree._Element | None) -> str | None:
    while el is not None:
        found = el.get("id")
        if found:
            return str(found)
        el = el.getparent()
    return None


class DefinitionChecker:
    """Checks BPMN documents against the evaluator, the service registry and the engine's rules."""

    def __init__(self, evaluator: SafeEvaluator, services: ServiceRegistry):
        self.evaluator = evaluator
        self.services = services

    def check(self, xml: bytes, source: str = "upload") -> tuple[etree._Element, list[Problem]]:
        """Parse `xml` safely and list every problem (empty list = fine)."""
        if len(xml) > MAX_BPMN_BYTES:
            raise DefinitionError([Problem(None, f"tệp BPMN quá lớn (tối đa {MAX_BPMN_BYTES // 1024 // 1024} MB)")])
        try:
            xml.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DefinitionError([Problem(None, "tệp BPMN phải được mã hoá UTF-8 (byte "
                                                 f"{exc.start} không phải UTF-8; lưu lại tệp dạng UTF-8) / "
                                                 "the BPMN file must be UTF-8")]) from None
        root = _safe_parse(xml, source)
        problems: list[Problem] = []
        processes = root.findall("bpmn:process", NS)
        if not any(p.get("isExecutable", "true") == "true" for p in processes):
            problems.append(Problem(None, "không có quy trình thực thi được (no executable process: "
                                          "set isExecutable=\"true\" on a bpmn:process)"))
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            qn = etree.QName(el)
            if qn.namespace == BPMN_NS and el.get("id") in RESERVED_IDS:
                problems.append(Problem(el.get("id"), f"mã phần tử '{el.get('id')}' được dành cho máy; hãy đổi tên "
                                                      f"(element id '{el.get('id')}' is reserved)", el.sourceline))
            if qn.namespace == BPMN_NS and qn.localname not in SUPPORTED:
                problems.append(Problem(_owner_id(el),
                                        f"phần tử không được hỗ trợ (unknown element): bpmn:{qn.localname}",
                                        el.sourceline))
        with shared_budget(bounds.MAX_CHECK_WORK, "kiểm tra mô hình tốn quá nhiều tính toán; hãy rút gọn biểu thức",
                           "the model's expressions cost too much to check; simplify them"):
            try:
                problems += self._check_expressions(root)
                problems += self._check_bounds(root)
            except ExpressionError as exc:  # the budget of the whole document ran out
                problems.append(Problem(None, exc.reason))
        problems += self._check_services(root)
        problems += self._check_human_tasks(root)
        return root, problems

    def _expr(self, owner: str | None, source: str | None, what: str, line: int | None,
              script: bool = False) -> list[Problem]:
        text = (source or "").strip()
        if not text:
            return [Problem(owner, f"{what} trống (empty)", line)]
        try:
            (self.evaluator.check_script if script else self.evaluator.check_expression)(text)
        except ExpressionError as exc:
            return [Problem(owner, f"{what} bị từ chối: {exc.reason} — `{text[:120]}`", line)]
        return []

    def _check_expressions(self, root: etree._Element) -> list[Problem]:
        problems: list[Problem] = []
        for el in root.iterfind(".//bpmn:conditionExpression", NS):
            problems += self._expr(_owner_id(el), el.text, "điều kiện (condition)", el.sourceline)
        for el in root.iterfind(".//bpmn:scriptTask/bpmn:script", NS):
            problems += self._expr(_owner_id(el), el.text, "kịch bản (script)", el.sourceline, script=True)
        for tag in ("preScript", "postScript"):
            for el in root.iterfind(f".//spiffworkflow:{tag}", NS):
                problems += self._expr(_owner_id(el), el.text, tag, el.sourceline, script=True)
        for tag in ("timeDuration", "timeDate", "timeCycle"):
            for el in root.iterfind(f".//bpmn:{tag}", NS):
                text = (el.text or "").strip()
                if BARE_TIMER.match(text):
                    problems.append(Problem(_owner_id(el), f"hẹn giờ phải là chuỗi có dấu ngoặc kép: viết \"{text}\" "
                                                           f"thay cho {text} (timer durations are quoted strings)",
                                            el.sourceline))
                else:
                    problems += self._expr(_owner_id(el), text, "biểu thức hẹn giờ (timer)", el.sourceline)
        for tag in ("loopCardinality", "completionCondition"):
            for el in root.iterfind(f".//bpmn:{tag}", NS):
                problems += self._expr(_owner_id(el), el.text, tag, el.sourceline)
        for el in root.iterfind(".//bpmn:formalExpression", NS):
            problems += self._expr(_owner_id(el), el.text, "biểu thức tương quan (correlation)", el.sourceline)
        for el in root.iterfind(".//spiffworkflow:messagePayload", NS):
            problems += self._expr(_owner_id(el), el.text, "nội dung thông điệp (message payload)", el.sourceline)
        for el in root.iterfind(".//spiffworkflow:parameter", NS):
            problems += self._expr(_owner_id(el), el.get("value"), f"tham số '{el.get('id')}'", el.sourceline)
        for el in root.iterfind(".//spiffworkflow:property", NS):
            if el.get("name") in EXPRESSION_PROPERTIES:
                problems += self._expr(_owner_id(el), el.get("value"), f"thuộc tính '{el.get('name')}'", el.sourceline)
        for el in root.iterfind(".//spiffworkflow:form", NS):
            try:
                parse_form(el.text)
            except ValueError as exc:
                problems.append(Problem(_owner_id(el), f"biểu mẫu (form) sai: {exc}", el.sourceline))
        return problems

    def _constant(self, text: str | None) -> Any:
        """The value of an expression that needs no task data, or None (data-dependent or refused)."""
        source = (text or "").strip()
        if not source:
            return None
        try:
            if self.evaluator.names_used(source):
                return None
            return self.evaluator.evaluate(source, {})
        except ExpressionError as exc:
            if "too much work in one go" in exc.reason or "cost too much" in exc.reason:
                raise
            return None

    def _check_bounds(self, root: etree._Element) -> list[Problem]:
        """Bounds the runtime would enforce, refused now when the model states them as constants."""
        problems: list[Problem] = []

        def refuse(el: etree._Element, exc: ExpressionError) -> None:
            problems.append(Problem(_owner_id(el), exc.reason, el.sourceline))

        for el in root.iterfind(".//bpmn:standardLoopCharacteristics", NS):
            try:
                bounds.check_loop_maximum(el.get("loopMaximum"))
            except ExpressionError as exc:
                refuse(el, exc)
        for el in root.iterfind(".//bpmn:loopCardinality", NS):
            value = self._constant(el.text)
            if value is not None:
                try:
                    bounds.check_cardinality(value)
                except ExpressionError as exc:
                    refuse(el, exc)
        for el in root.iterfind(".//spiffworkflow:property", NS):
            source = (el.get("value") or "").strip()
            if el.get("name") not in EXPRESSION_PROPERTIES or not source:
                continue
            try:
                self.evaluator.check_expression(source)
            except ExpressionError:
                continue  # already reported with the other expressions
            try:  # a property that needs no task data is worked out now: what fails here fails every time
                if not self.evaluator.names_used(source):
                    self.evaluator.evaluate(source, {})
            except ExpressionError as exc:
                if "cost too much" in exc.reason:
                    raise
                problems.append(Problem(_owner_id(el), f"thuộc tính '{el.get('name')}': {exc.reason}", el.sourceline))
        for tag in ("timeDuration", "timeDate", "timeCycle"):
            for el in root.iterfind(f".//bpmn:{tag}", NS):
                if BARE_TIMER.match((el.text or "").strip()):
                    continue  # already reported: it must be quoted
                value = self._constant(el.text)
                try:
                    bounds.check_timer(bounds.TIMER_KINDS[tag], value)
                except ExpressionError as exc:
                    refuse(el, exc)
        return problems

    def _check_services(self, root: etree._Element) -> list[Problem]:
        problems = []
        for el in root.iterfind(".//bpmn:serviceTask", NS):
            op = el.find("bpmn:extensionElements/spiffworkflow:serviceTaskOperator", NS)
            if op is None or not op.get("id"):
                problems.append(Problem(el.get("id"),
                                        "service task thiếu tên dịch vụ (spiffworkflow:serviceTaskOperator id)",
                                        el.sourceline))
            elif op.get("id") not in self.services:
                known = ", ".join(self.services.names()) or "(none)"
                problems.append(Problem(el.get("id"), f"dịch vụ không có: '{op.get('id')}' (known services: {known})",
                                        el.sourceline))
        return problems

    def _check_human_tasks(self, root: etree._Element) -> list[Problem]:
        problems = []
        in_lane = {ref.text.strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS) if ref.text}
        for process in root.iterfind("bpmn:process", NS):
            for el in process.iter(*(f"{{{BPMN_NS}}}{t}" for t in HUMAN_TASKS)):
                props = {p.get("name") for p in el.iterfind(".//spiffworkflow:property", NS)}
                if el.get("id") not in in_lane and "role" not in props:
                    problems.append(Problem(el.get("id"), "việc của người dùng không thuộc làn (lane) nào và không có "
                                                          "thuộc tính 'role': không biết ai làm", el.sourceline))
        return problems


def parse_processes(roots: list[tuple[etree._Element, str]]) -> tuple[list[ParsedProcess], list[Problem]]:
    """Build SpiffWorkflow specs for every executable process of the given documents."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    problems: list[Problem] = []
    try:
        for root, source in roots:
            parser.add_bpmn_xml(root, filename=source)
        out = []
        for pid in parser.get_process_ids():
            spec = parser.get_spec(pid)
            subs = parser.get_subprocess_specs(pid)
            out.append(ParsedProcess(pid, spec.description or pid, spec, subs))
        return out, problems
    except ValidationException as exc:
        msg = str(exc).split("\n")[0]
        problems.append(Problem(getattr(exc, "id", None) or None, f"BPMN không hợp lệ: {msg}",
                                getattr(exc, "line_number", None) or None))
        return [], problems


def read_workflow_files(directory: Path) -> list[tuple[bytes, str]]:
    """The BPMN files shipped in `directory` (sorted, so deployment order is stable)."""
    return [(p.read_bytes(), p.name) for p in sorted(directory.glob("*.bpmn"))]
