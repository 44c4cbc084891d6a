"""The statuses of instances and human tasks, and the only moves between them.

Every module that sets or tests a status uses these names; the web labels them in Vietnamese.
"""
from __future__ import annotations

import enum
from typing import Protocol

from .errors import InvalidState


class InstanceStatus(str, enum.Enum):
    """Lifecycle of a process instance; only the moves in LEGAL_MOVES are allowed."""

    RUNNING = "running"  # has ready human tasks or waits for a timer/message
    COMPLETED = "completed"
    ERROR = "error"  # a service task, script or timer failed; an administrator retries it
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class TaskStatus(str, enum.Enum):
    """A human task in the query table."""

    READY = "ready"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


RUNNING = InstanceStatus.RUNNING.value
OPEN_TASK = (TaskStatus.READY.value, TaskStatus.CLAIMED.value)  # tasks somebody still has to do

LEGAL_MOVES: dict[InstanceStatus, frozenset[InstanceStatus]] = {
    InstanceStatus.RUNNING: frozenset({InstanceStatus.COMPLETED, InstanceStatus.ERROR, InstanceStatus.SUSPENDED,
                                       InstanceStatus.TERMINATED, InstanceStatus.RUNNING}),
    InstanceStatus.ERROR: frozenset({InstanceStatus.RUNNING, InstanceStatus.TERMINATED, InstanceStatus.ERROR,
                                     InstanceStatus.COMPLETED, InstanceStatus.SUSPENDED}),
    InstanceStatus.SUSPENDED: frozenset({InstanceStatus.RUNNING, InstanceStatus.TERMINATED}),
    InstanceStatus.COMPLETED: frozenset(),
    InstanceStatus.TERMINATED: frozenset(),
}


class HasStatus(Protocol):
    status: str


def move_status(row: HasStatus, current: InstanceStatus, target: InstanceStatus) -> None:
    """Set `row.status` to `target` if LEGAL_MOVES allows it, else InvalidState."""
    if target is not current and target not in LEGAL_MOVES[current]:
        raise InvalidState(f"Không thể chuyển hồ sơ từ '{current.value}' sang '{target.value}'")
    row.status = target.value
