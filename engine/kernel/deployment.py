"""Deployed process definitions: check, parse, store each version once (keyed by content hash), and
hand out the parsed spec of a version (cached: a version never changes)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from . import bounds
from .definitions import DefinitionChecker, content_hash, parse_processes, read_workflow_files
from .errors import DefinitionError, NotFound, Problem
from .journal import Journal
from .models import ProcessDefinition
from .resources import workflows_dir
from .serialization import InstanceSerializer
from .views import DefinitionInfo

BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"


class Definitions:
    """Deploys BPMN and serves the specs of deployed versions."""

    def __init__(self, journal: Journal, serializer: InstanceSerializer, checker: DefinitionChecker,
                 directory: Path | None = None):
        self.journal = journal
        self.serializer = serializer
        self.checker = checker
        self.directory = directory
        self._specs: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._names: dict[int, str] = {}

    def deploy_xml(self, xml: bytes | str, *, source: str = "upload", actor: str = "system") -> list[DefinitionInfo]:
        """Check and store one BPMN document; raises DefinitionError listing every problem."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        return self._deploy([(data, source)], actor)

    def deploy_directory(self, directory: Path | None = None, actor: str = "system") -> list[DefinitionInfo]:
        """Deploy every .bpmn of `directory` (default: the shipped workflows/) together; idempotent."""
        return self._deploy(read_workflow_files(directory or self.directory or workflows_dir()), actor)

    def check_xml(self, xml: bytes | str, source: str = "upload") -> list[Problem]:
        """Every problem of a BPMN document, without storing it (for the modeler's live check)."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        try:
            root, problems = self.checker.check(data, source)
        except DefinitionError as exc:
            return exc.problems
        if not problems:
            problems = parse_processes([(root, source)])[1]
        return problems

    def _deploy(self, documents: list[tuple[bytes, str]], actor: str) -> list[DefinitionInfo]:
        roots, problems = [], []
        for data, source in documents:
            try:
                root, found = self.checker.check(data, source)
            except DefinitionError as exc:
                found, root = exc.problems, None
            problems += [Problem(p.element_id, f"{source}: {p.message}" if len(documents) > 1 else p.message, p.line)
                         for p in found]
            roots.append((root, source, data))
        if problems:
            raise DefinitionError(problems)
        parsed, problems = parse_processes([(r, src) for r, src, _ in roots])
        if problems:
            raise DefinitionError(problems)
        xml_of = {proc.get("id"): (data, source) for root, source, data in roots
                  for proc in root.iterfind(BPMN_PROCESS)}
        now, out = self.journal.clock.now(), []
        with self.journal.transaction() as s:
            for proc in parsed:
                data, source = xml_of[proc.process_id]
                digest = content_hash(data)
                existing = s.scalar(select(ProcessDefinition).where(
                    ProcessDefinition.process_id == proc.process_id, ProcessDefinition.content_hash == digest))
                if existing is not None:
                    out.append(_definition_info(existing, created=False))
                    continue
                version = (s.scalar(select(func.max(ProcessDefinition.version))
                                    .where(ProcessDefinition.process_id == proc.process_id)) or 0) + 1
                row = ProcessDefinition(process_id=proc.process_id, name=proc.name, content_hash=digest,
                                        bpmn_xml=data.decode("utf-8"), source=source, version=version,
                                        spec_json=self.serializer.dump_spec(proc.spec, proc.subprocess_specs),
                                        deployed_at=now, deployed_by=actor)
                s.add(row)
                s.flush()
                self._specs[row.id] = bounds.bound_specs(proc.spec, proc.subprocess_specs)
                self.journal.record(s, actor, "definition_deployed", None,
                                    {"process_id": proc.process_id, "version": version, "hash": digest,
                                     "source": source})
                out.append(_definition_info(row, created=True))
        return out

    def latest(self, s: Session, process_id: str) -> Row[Any]:
        """The newest deployed version of `process_id` (id and version only: the XML stays unread)."""
        cache = s.info.setdefault("latest_definitions", {})  # a fan-out starts many of the same
        if process_id not in cache:
            row = s.execute(select(ProcessDefinition.id, ProcessDefinition.version)
                            .where(ProcessDefinition.process_id == process_id)
                            .order_by(ProcessDefinition.version.desc()).limit(1)).first()
            if row is None:
                raise NotFound(f"Chưa triển khai quy trình '{process_id}' (process not deployed)")
            cache[process_id] = row
        result: Row[Any] = cache[process_id]
        return result

    def spec(self, s: Session, definition_id: int) -> tuple[Any, dict[str, Any]]:
        """(spec, subprocess specs) of a deployed version, parsed once per process."""
        spec = self._specs.get(definition_id)
        if spec is None:
            row = s.get(ProcessDefinition, definition_id)
            if row is None:
                raise NotFound(f"Không có phiên bản quy trình số {definition_id}")
            spec = self._specs[definition_id] = bounds.bound_specs(*self.serializer.load_spec(row.spec_json))
        return spec

    def display_name(self, s: Session, definition_id: int) -> str:
        """The display name of a definition version (immutable, so cached for good)."""
        name = self._names.get(definition_id)
        if name is None:
            name = self._names[definition_id] = s.scalar(
                select(ProcessDefinition.name).where(ProcessDefinition.id == definition_id)) or ""
        return name

    def list(self) -> list[DefinitionInfo]:
        """Every deployed version, by process and version."""
        with self.journal.db.session() as s:
            rows = s.scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id,
                                                                ProcessDefinition.version)).all()
            return [_definition_info(r, created=False) for r in rows]


def _definition_info(row: ProcessDefinition, created: bool) -> DefinitionInfo:
    return DefinitionInfo(row.id, row.process_id, row.name, row.version, row.content_hash, row.deployed_at,
                          row.source, created, row.deployed_by)
