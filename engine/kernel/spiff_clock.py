"""Makes SpiffWorkflow's timers read the engine's injected clock instead of the wall clock.

SpiffWorkflow computes timer due times with `datetime.now(timezone.utc)` inside its timer module.
`install()` swaps that module's `datetime` for a subclass whose `now()` asks the clock bound to the
current context (`using(clock)`), falling back to the real time when none is bound.
"""
from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo

from .clock import Clock

_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("chithi_clock", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a plain datetime is right
        clock = _current.get()
        if clock is None:
            return datetime.now(tz)
        value = clock.now()
        return value.astimezone(tz) if tz is not None else value.astimezone(UTC).replace(tzinfo=None)


def install() -> None:
    """Idempotently route SpiffWorkflow's timer module through the contextual clock."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    if timer.datetime is not _ClockedDatetime:
        timer.datetime = _ClockedDatetime


@contextmanager
def using(clock: Clock) -> Iterator[None]:
    """Bind `clock` for SpiffWorkflow timer computations inside the block."""
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
