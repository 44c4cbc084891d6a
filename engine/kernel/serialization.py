"""Instance-only serialization: the spec is stored once per definition version, the instance row
holds only the task tree and data. Built on SpiffWorkflow's serializer (datetimes, sets, deltas).

A step changes a few tasks of a workflow and leaves the finished ones as they were, so the JSON of a
finished task (completed or cancelled) is kept on the task object and reused while its state, its
moment of change, its spec, parent and children stay the same: a step of a cached workflow encodes only what it
touched. `InstanceSerializer.verify_dumps` (on in the test suite) compares every such dump with a
full one from SpiffWorkflow, so a library upgrade that changes the layout fails loudly."""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

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


FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


class InstanceSerializer:
    """Dump/load specs and instance state as JSON text."""

    verify_dumps = False  # compare every dump with SpiffWorkflow's own (the test suite turns it on)

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
        """JSON of the instance part of `workflow` (no spec), reusing finished tasks' JSON."""
        s = self._serializer
        registry = s.registry
        dct: dict[str, Any] = {
            **self._part_fields(workflow),
            "bpmn_events": registry.convert(workflow.bpmn_events),
            "typename": registry.typenames[type(workflow)],
            s.VERSION_KEY: s.VERSION,
        }
        subprocesses = ",".join(
            f"{json.dumps(str(key))}:" + self._part_json(
                sub, {**self._part_fields(sub), "parent_task_id": str(sub.parent_task_id), "spec": sub.spec.name,
                      "typename": registry.typenames[type(sub)]})
            for key, sub in workflow.subprocesses.items())
        text = self._part_json(workflow, dct, f'"subprocesses":{{{subprocesses}}}')
        if self.verify_dumps:
            self._verify(workflow, text)
        return text

    def _part_fields(self, wf: Any) -> dict[str, Any]:
        """What SpiffWorkflow's WorkflowConverter writes of a (sub)workflow, minus its tasks."""
        registry = self._serializer.registry
        return {
            "data": registry.convert(registry.clean(wf.data)),
            "correlations": wf.correlations,
            "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
            "success": wf.success,
            "completed": wf.completed,
            "root": str(wf.task_tree.id),
        }

    def _part_json(self, wf: Any, fields: dict[str, Any], extra: str = "") -> str:
        encoder = self._serializer._encoder_cls
        head = json.dumps(fields, cls=encoder)
        tasks = ",".join(f'"{uid}":{self._task_json(task)}' for uid, task in wf.tasks.items())
        tail = f',"tasks":{{{tasks}}}' + (f",{extra}" if extra else "")
        return head[:-1] + tail + "}"

    def _task_json(self, task: Any) -> str:
        cached = task.__dict__.get("_chithi_json")
        if cached is not None and cached[0] == task.last_state_change and cached[1] is task.task_spec \
                and cached[2] == task.state and cached[3] == len(task._children):
            return str(cached[4])
        text = json.dumps(self._serializer.registry.convert(task), cls=self._serializer._encoder_cls)
        if task.state & FINISHED:
            task._chithi_json = (task.last_state_change, task.task_spec, task.state, len(task._children), text)
        return text

    def _verify(self, workflow: BpmnWorkflow, text: str) -> None:
        full = json.loads(self._serializer.serialize_json(workflow))
        mine = json.loads(text)
        if mine != full:
            diff = sorted(k for k in full.keys() | mine.keys() if full.get(k) != mine.get(k))
            raise AssertionError(f"cached dump differs from SpiffWorkflow's in {diff}")

    def load(self, text: str, spec: Any, subprocess_specs: dict[str, Any], script_engine: Any) -> BpmnWorkflow:
        """Restore an instance against its spec, with the engine's safe script engine."""
        s = self._serializer
        dct = json.loads(text, cls=s.json_decoder_cls)
        s.migrate(dct)
        workflow: BpmnWorkflow = s.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
        workflow.script_engine = script_engine
        return workflow
