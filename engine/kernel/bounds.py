"""How much one model, one step and one check may ask of the engine (one rule, one place).

The deploy check refuses what it can see in the model (a literal multi-instance cardinality, a
`loopMaximum`, a timer written as a constant); the runtime refuses the same values when they only
appear in data (a cardinality or timer computed from task data, a fan-out over a list), which puts the
instance in the error state with the element id and a message — never a worker busy for minutes.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from .errors import ExpressionError

MAX_CARDINALITY = 300  # instances of one multi-instance task (SpiffWorkflow: 1,000 take 3.7 s, 3,000 take 21 s)
MAX_STEP_ELEMENTS = 500  # elements one step may run before it must wait (a loop without a wait state)
MAX_LOOP_MAXIMUM = 1_000  # loopMaximum of a standard loop
MAX_CHILDREN = 5_000  # child instances one fan-out may start (one per body of a whole province is ~1,000)
MAX_CYCLE_REPEATS = 10_000  # R<n> of a timer cycle
MIN_CYCLE_PERIOD = timedelta(minutes=1)
MAX_TIMER_DAYS = 36_600  # about a hundred years: the longest wait a timer may express
MAX_STEP_WORK = 40_000_000  # evaluator work units for one step of one instance (all its expressions)
MAX_CHECK_WORK = 20_000_000  # evaluator work units for checking one BPMN document

_NUMBER = r"(\d{1,9}(?:[.,]\d{1,9})?)"
_DURATION = re.compile(
    rf"^P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?$", re.IGNORECASE)
_DAYS_PER = (366.0, 31.0, 7.0, 1.0, 1 / 24, 1 / 1440, 1 / 86400)


def _refuse(vi: str, en: str) -> ExpressionError:
    return ExpressionError(f"{vi} / {en}")


def duration_days(text: str) -> float:
    """The longest number of days an ISO 8601 duration may mean (a month counted as 31 days);
    ExpressionError if it is not one or is longer than MAX_TIMER_DAYS."""
    match = _DURATION.match(text.strip()) if len(text) <= 64 else None
    if match is None:
        raise _refuse(f"khoảng thời gian không hợp lệ: {text[:64]!r} (ví dụ \"P7D\")",
                      f"not an ISO 8601 duration: {text[:64]!r} (e.g. \"P7D\")")
    days = sum(float(part.replace(",", ".")) * per for part, per in zip(match.groups(), _DAYS_PER) if part)
    if days > MAX_TIMER_DAYS:
        raise _refuse(f"khoảng thời gian {text!r} quá dài (tối đa {MAX_TIMER_DAYS:,} ngày)",
                      f"duration {text!r} is too long (at most {MAX_TIMER_DAYS:,} days)")
    return days


def _date_time(text: str) -> None:
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        raise _refuse(f"thời điểm không hợp lệ: {text[:64]!r} (ví dụ \"2025-06-30T17:00:00+07:00\")",
                      f"not an ISO 8601 date-time: {text[:64]!r}") from None


def _time_or_duration(text: str) -> float | None:
    if text.strip().upper().startswith("P"):
        return duration_days(text)
    _date_time(text)
    return None


def check_timer(kind: str, value: Any) -> None:
    """Refuse a timer value (`kind`: "duration", "date" or "cycle") that is malformed or out of bounds."""
    if not isinstance(value, str):
        return  # SpiffWorkflow refuses other types with its own message
    if len(value) > 200:
        raise _refuse("giá trị hẹn giờ quá dài", "timer value too long")
    if kind == "duration":
        duration_days(value)
    elif kind == "date":
        _date_time(value)
    else:
        _cycle(value)


def _cycle(text: str) -> None:
    parts = text.strip().upper().split("/")
    if not parts[0].startswith("R") or len(parts) not in (2, 3):
        raise _refuse(f"chu kỳ hẹn giờ không hợp lệ: {text!r} (ví dụ \"R10/P1D\")",
                      f"not an ISO 8601 repeating interval: {text!r} (e.g. \"R10/P1D\")")
    count = parts[0][1:]
    if not count.isdigit() or not 0 < int(count) <= MAX_CYCLE_REPEATS:
        raise _refuse(f"chu kỳ hẹn giờ phải ghi số lần lặp từ 1 đến {MAX_CYCLE_REPEATS:,}, ví dụ \"R10/P1D\" "
                      f"(không phải {text!r})",
                      f"a timer cycle must state its repetitions, 1 to {MAX_CYCLE_REPEATS:,} (not {text!r})")
    periods = [days for days in (_time_or_duration(p) for p in parts[1:]) if days is not None]
    if len(periods) != 1:
        raise _refuse(f"chu kỳ hẹn giờ cần đúng một khoảng thời gian: {text!r}",
                      f"a timer cycle needs exactly one duration: {text!r}")
    if timedelta(days=periods[0]) < MIN_CYCLE_PERIOD:
        raise _refuse(f"chu kỳ hẹn giờ quá ngắn: {text!r} (ít nhất 1 phút)",
                      f"timer cycle period too short: {text!r} (at least one minute)")


def check_cardinality(value: Any) -> int:
    """A multi-instance cardinality: a whole number from 0 to MAX_CARDINALITY."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(f"số lần lặp (cardinality) phải là số nguyên, không phải {type(value).__name__}",
                      f"loop cardinality must be an integer, not {type(value).__name__}")
    if not 0 <= value <= MAX_CARDINALITY:
        raise _refuse(f"số lần lặp (cardinality) {value:,} ngoài giới hạn 0–{MAX_CARDINALITY:,}",
                      f"loop cardinality {value:,} is outside 0–{MAX_CARDINALITY:,}")
    return value


def check_loop_maximum(text: str | None) -> None:
    """The `loopMaximum` attribute of a standard loop: a whole number from 1 to MAX_LOOP_MAXIMUM."""
    if text is None:
        return
    stripped = text.strip()
    if not stripped.isdigit() or len(stripped) > 9 or not 0 < int(stripped) <= MAX_LOOP_MAXIMUM:
        raise _refuse(f"loopMaximum phải là số nguyên từ 1 đến {MAX_LOOP_MAXIMUM:,} (không phải {text[:40]!r})",
                      f"loopMaximum must be a whole number from 1 to {MAX_LOOP_MAXIMUM:,}")


def element_counter() -> Any:
    """A `will_complete_task` callback for SpiffWorkflow's do_engine_steps that refuses the
    (MAX_STEP_ELEMENTS + 1)-th element run in one step, naming it (a loop that never waits)."""
    ran = 0

    def count(task: Any) -> None:
        nonlocal ran
        ran += 1
        element = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
        if ran > MAX_STEP_ELEMENTS:
            raise ExpressionError(
                f"một bước chạy quá {MAX_STEP_ELEMENTS:,} phần tử mà không dừng chờ (vòng lặp không có điểm chờ?) / "
                f"one step ran more than {MAX_STEP_ELEMENTS:,} elements without waiting (a loop with no wait state?)",
                element_id=element)
    return count


def bound_specs(spec: Any, subprocess_specs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Make every multi-instance over a list in the data refuse a list longer than MAX_CARDINALITY
    before SpiffWorkflow creates one task (and one copy of the data) per item: 100,000 items were
    100,000 copies of the data. The data reference's `get` is wrapped on the object (its class, and so
    the stored spec, is unchanged). Returns its arguments."""
    for process in (spec, *subprocess_specs.values()):
        for task_spec in getattr(process, "task_specs", {}).values():
            reference = getattr(task_spec, "data_input", None)
            if reference is None or getattr(reference, "chithi_bounded", False):
                continue
            reference.get = _bounded_get(reference, task_spec)
            reference.chithi_bounded = True
    return spec, subprocess_specs


def _bounded_get(reference: Any, task_spec: Any) -> Any:
    read = reference.get
    name = getattr(reference, "bpmn_id", "?")
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name

    def get(my_task: Any) -> Any:
        items = read(my_task)
        if isinstance(items, (list, tuple, dict, set, str)) and len(items) > MAX_CARDINALITY:
            raise ExpressionError(
                f"danh sách '{name}' có {len(items):,} mục, quá {MAX_CARDINALITY:,} lần lặp / "
                f"'{name}' has {len(items):,} items, more than {MAX_CARDINALITY:,} iterations", element_id=element)
        return items
    return get


def check_children(count: int) -> None:
    """The number of child instances one fan-out starts."""
    if count > MAX_CHILDREN:
        raise _refuse(f"quá nhiều quy trình con ({count:,}, tối đa {MAX_CHILDREN:,})",
                      f"too many child instances ({count:,}, at most {MAX_CHILDREN:,})")


TIMER_KINDS = {"TimeDateEventDefinition": "date", "DurationTimerEventDefinition": "duration",
               "CycleTimerEventDefinition": "cycle", "timeDate": "date", "timeDuration": "duration",
               "timeCycle": "cycle"}


def check_value_of(task_spec: Any, expression: str, value: Any) -> None:
    """Bounds on a value SpiffWorkflow computed for `task_spec` from `expression`: a multi-instance
    cardinality or a timer's due time, duration or cycle (the same bounds as the deploy check)."""
    if getattr(task_spec, "cardinality", None) == expression:
        check_cardinality(value)
    event = getattr(task_spec, "event_definition", None)
    for part in getattr(event, "event_definitions", None) or [event]:  # a multiple event lists its parts
        kind = TIMER_KINDS.get(type(part).__name__)
        if kind is not None and getattr(part, "expression", None) == expression:
            check_timer(kind, value)
