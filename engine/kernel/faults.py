"""Fault injection for crash tests: named points in the save path where a test may have this process
killed with SIGKILL, to prove that a step is applied whole or not at all.

Off unless the environment says otherwise: `CHITHI_FAULT="<point>:<n>"` kills the process the n-th
time it reaches `<point>` (n ≥ 1), as a machine losing power or the OOM killer would, with no
cleanup, no rollback and no flush. An unset variable costs one dictionary lookup per point reached.
Tests may also `arm()` a point in-process (a child process they spawn).

The points, in the order one step reaches them:

| point | where |
|---|---|
| `step_start` | a step's transaction is open, nothing written yet (`Instances.advance`) |
| `service_start`, `service_done` | inside a service task's savepoint, before and after it runs (`services`) |
| `document_written` | a feature stored a generated document (features call `reach`) |
| `register_entry_written` | a feature numbered a register entry |
| `report_written` | a feature recorded a report |
| `instance_updated` | the instance row is flushed with its new state and version (`Instances._save`) |
| `query_tables_written` | human tasks and message subscriptions rewritten (`Instances._save`) |
| `audit_appended` | the step's audit events are chained, the transaction not yet committed (`Journal`) |
| `before_commit` | the very last moment before COMMIT (`Database.session`) |
| `after_commit` | committed; the after-commit work (cache, scheduler wake-up) not yet done (`Journal`) |
"""
from __future__ import annotations

import os
import signal

ENV = "CHITHI_FAULT"
POINTS = ("step_start", "service_start", "service_done", "document_written", "register_entry_written",
          "report_written", "instance_updated", "query_tables_written", "audit_appended", "before_commit",
          "after_commit")

_armed: dict[str, int] = {}
_loaded = False


def parse(spec: str) -> tuple[str, int]:
    """`"<point>:<n>"` → (point, n); ValueError naming what is wrong."""
    point, _, count = spec.partition(":")
    if point not in POINTS:
        raise ValueError(f"{ENV}: unknown point {point!r} (one of {', '.join(POINTS)})")
    n = int(count or "1")
    if n < 1:
        raise ValueError(f"{ENV}: the count must be at least 1, not {n}")
    return point, n


def arm(point: str, n: int = 1) -> None:
    """Kill this process the n-th time it reaches `point` from now on (replaces CHITHI_FAULT)."""
    global _loaded
    parse(f"{point}:{n}")
    _armed.clear()
    _armed[point] = n
    _loaded = True


def disarm() -> None:
    global _loaded
    _armed.clear()
    _loaded = True


def reach(point: str) -> None:
    """A named point of the save path: SIGKILL this process here if a test armed it."""
    if not _loaded:
        _from_environment()
    if point in _armed:
        _armed[point] -= 1
        if _armed[point] <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
            os._exit(137)  # never reached: SIGKILL is delivered before kill() returns


def _from_environment() -> None:
    """Read CHITHI_FAULT once, at the first point reached (nothing happens at import)."""
    global _loaded
    spec = os.environ.get(ENV, "").strip()
    _armed.clear()
    if spec:
        point, n = parse(spec)
        _armed[point] = n
    _loaded = True
