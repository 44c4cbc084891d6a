"""Injectable clocks: the engine never calls datetime.now() directly, so tests move time."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["UTC", "Clock", "SystemClock", "FrozenClock"]


class Clock(Protocol):
    """Anything with a `now()` returning an aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to (tests, the demo)."""

    def __init__(self, start: datetime | None = None):
        start = start or datetime(2024, 5, 20, 8, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock forward by `delta` (or timedelta(**kwargs)); returns the new time."""
        delta = delta if delta is not None else timedelta(**kwargs)
        if delta < timedelta(0):
            raise ValueError("the clock never moves backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (must not be earlier than now)."""
        if when.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        with self._lock:
            if when < self._now:
                raise ValueError("the clock never moves backwards")
            self._now = when

