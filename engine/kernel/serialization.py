"""Instance-only serialization: the spec is stored once per definition version, the instance row
holds only the task tree and data. Built on SpiffWorkflow's serializer (datetimes, sets, deltas)."""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .scripting import register_data_types


class _InstanceOnlyConverter(BpmnWorkflowConverter):
    """Like SpiffWorkflow's workflow converter, minus the spec (restored from the definition)."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None,
                  subprocess_specs: dict[str, Any] | None = None) -> BpmnWorkflow:
        if spec is None:
            raise ValueError("an instance is restored against its definition's spec")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class InstanceSerializer:
    """Dump/load specs and instance state as JSON text."""

    def __init__(self) -> None:
        registry = register_data_types(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        _InstanceOnlyConverter(BpmnWorkflow, registry)
        self._serializer = BpmnWorkflowSerializer(registry)

    @property
    def registry(self) -> Any:
        """SpiffWorkflow's converter registry (compares specs when an instance changes version)."""
        return self._serializer.registry

    def dump_spec(self, spec: Any, subprocess_specs: dict[str, Any]) -> str:
        """JSON of a process spec and the specs of its subprocesses / call activities."""
        s = self._serializer
        return json.dumps({
            "spec": s.to_dict(spec),
            "subprocess_specs": {name: s.to_dict(sp) for name, sp in subprocess_specs.items()},
        })

    def load_spec(self, text: str) -> tuple[Any, dict[str, Any]]:
        """(spec, subprocess_specs) from `dump_spec` output."""
        dct = json.loads(text)
        s = self._serializer
        return s.from_dict(dct["spec"]), {n: s.from_dict(sp) for n, sp in dct["subprocess_specs"].items()}

    def dump(self, workflow: BpmnWorkflow) -> str:
        """JSON of the instance part of `workflow` (no spec)."""
        text: str = self._serializer.serialize_json(workflow)
        return text

    def load(self, text: str, spec: Any, subprocess_specs: dict[str, Any], script_engine: Any) -> BpmnWorkflow:
        """Restore an instance against its spec, with the engine's safe script engine."""
        s = self._serializer
        dct = json.loads(text, cls=s.json_decoder_cls)
        s.migrate(dct)
        workflow: BpmnWorkflow = s.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine
        return workflow
