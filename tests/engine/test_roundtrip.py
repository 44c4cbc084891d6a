"""Every shipped process survives save/restore at every step: the state re-serialized from a fresh
load equals what was stored."""
from __future__ import annotations

from datetime import date

import pytest

from engine.kernel.accounts import Actor
from engine.kernel.models import ProcessInstance
from engine.kernel.resources import workflows_dir

SHIPPED = sorted(p.name for p in workflows_dir().glob("*.bpmn"))
ANYONE = Actor("tester", "Kiểm thử", ("admin",), None)


def sample_value(field):
    return {"text": "Nội dung thử", "textarea": "Nội dung thử", "number": 1, "date": date(2024, 6, 1).isoformat(),
            "bool": True}.get(field.type, field.options[0][0] if field.options else "x")


def assert_round_trip(engine, instance_id):
    with engine.db.session() as s:
        row = s.get(ProcessInstance, instance_id)
        stored = row.state_json
        spec, subs = engine.definitions.spec(s, row.definition_id)
    restored = engine.serializer.load(stored, spec, subs, engine.script_engine)
    assert engine.serializer.dump(restored) == stored


def test_every_shipped_process_is_checked():
    assert "sample_incoming.bpmn" in SHIPPED


@pytest.mark.parametrize("filename", SHIPPED)
def test_shipped_process_round_trips_at_every_step(engine, filename):
    deployed = engine.deploy_directory()
    ids = {d.process_id for d in deployed if d.source == filename}
    assert ids, f"{filename} has no executable process"
    for process_id in sorted(ids):
        inst = engine.start_instance(process_id, business_key=f"RT-{process_id}", body_code="LS.UBND")
        for _ in range(12):
            assert_round_trip(engine, inst.id)
            engine.instances.forget_cached()
            current = engine.get_instance(inst.id)
            if current.status != "running" or not current.ready_tasks:
                break
            task = current.ready_tasks[0]
            engine.complete_task(task.id, ANYONE, {f.name: sample_value(f) for f in task.form})
        assert_round_trip(engine, inst.id)
