"""Limits on costly requests (one rule, one place): how many run at once, how often one person may ask.

`Gate` lets at most `slots` callers in at once (password hashing, model checks); a caller waits a
moment for a turn, then is told the system is busy. `RateLimit` lets one key (a user) ask at most
`count` times per `window`; its memory is bounded (old keys are forgotten, at most `max_keys` kept).
"""
from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta

from .clock import Clock
from .errors import Busy, TooManyRequests


class Gate:
    """At most `slots` at once; a caller waits up to `wait` seconds, then Busy(`busy`)."""

    def __init__(self, slots: int, wait: float, busy: str):
        self._slots = threading.BoundedSemaphore(slots)
        self._wait = wait
        self._busy = busy

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self._wait):
            raise Busy(self._busy)
        try:
            yield
        finally:
            self._slots.release()


class RateLimit:
    """At most `count` uses per `window` for one key; TooManyRequests(`refusal`) beyond."""

    def __init__(self, count: int, window: timedelta, clock: Clock, refusal: str, max_keys: int = 10_000):
        self.count, self.window, self.clock = count, window, clock
        self.refusal, self.max_keys = refusal, max_keys
        self._uses: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def use(self, key: str) -> None:
        now = self.clock.now()
        with self._lock:
            times = self._uses.pop(key, None) or deque()
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.count:
                self._uses[key] = times
                raise TooManyRequests(self.refusal)
            times.append(now)
            while len(self._uses) >= self.max_keys:  # the least recently used key goes first
                del self._uses[next(iter(self._uses))]
            self._uses[key] = times

    def __len__(self) -> int:
        return len(self._uses)
