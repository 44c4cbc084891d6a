"""Read models handed to callers (web, CLI, tests): plain dataclasses, never ORM rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .forms import FormField
from .models import HumanTask, ProcessInstance


@dataclass(frozen=True)
class TaskInfo:
    """A human task as the inbox shows it."""

    id: int
    instance_id: int
    element_id: str
    name: str
    lane: str | None
    candidate_role: str | None
    body_code: str | None
    assignee: str | None
    status: str
    due_at: datetime | None
    created_at: datetime
    business_key: str | None
    process_id: str
    documentation: str | None = None
    form: list[FormField] = field(default_factory=list)
    ref_type: str | None = None  # the business object the task serves (set by the domain)
    ref_id: int | None = None
    process_name: str | None = None
    context: list[tuple[str, str]] = field(default_factory=list)  # what earlier steps recorded, to read
    completed_by: str | None = None
    completed_at: datetime | None = None
    subject: str | None = None  # what the task serves, in words (from the domain)

    @classmethod
    def from_row(cls, row: HumanTask) -> TaskInfo:
        form = row.form or {}
        return cls(
            id=row.id, instance_id=row.instance_id, element_id=row.element_id, name=row.name,
            lane=row.lane, candidate_role=row.candidate_role, body_code=row.body_code,
            assignee=row.assignee, status=row.status, due_at=row.due_at, created_at=row.created_at,
            business_key=row.business_key, process_id=row.process_id,
            documentation=form.get("documentation"),
            form=[FormField.from_dict(f) for f in form.get("fields", [])],
            ref_type=row.ref_type, ref_id=row.ref_id, completed_by=row.completed_by, completed_at=row.completed_at,
            process_name=row.process_name, subject=row.subject,
            context=[(label, value) for label, value in form.get("context", [])],
        )


@dataclass(frozen=True)
class InstanceInfo:
    """A process instance's status as stored in its row (no deserialization)."""

    id: int
    process_id: str
    business_key: str | None
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    next_timer_at: datetime | None
    error_message: str | None
    error_element: str | None
    parent_id: int | None
    body_code: str | None
    ref_type: str | None
    ref_id: int | None
    ready_tasks: list[TaskInfo] = field(default_factory=list)
    error_at: datetime | None = None  # when the current error began
    definition_id: int | None = None  # the deployed version it runs on
    started_by: str | None = None

    @classmethod
    def from_row(cls, row: ProcessInstance, tasks: list[HumanTask] | None = None) -> InstanceInfo:
        return cls(
            id=row.id, process_id=row.process_id, business_key=row.business_key, status=row.status,
            version=row.version, created_at=row.created_at, updated_at=row.updated_at,
            completed_at=row.completed_at, next_timer_at=row.next_timer_at,
            error_message=row.error_message, error_element=row.error_element, parent_id=row.parent_id,
            body_code=row.body_code, ref_type=row.ref_type, ref_id=row.ref_id,
            ready_tasks=[TaskInfo.from_row(t) for t in (tasks or [])],
            error_at=row.error_at, definition_id=row.definition_id, started_by=row.started_by,
        )


@dataclass(frozen=True)
class DefinitionInfo:
    """A deployed process definition version."""

    id: int
    process_id: str
    name: str
    version: int
    content_hash: str
    deployed_at: datetime
    source: str
    created: bool  # False when the same content was already deployed
    deployed_by: str | None = None
