"""APScheduler glue: one date job at the earliest due timer plus a slow sweep as a safety net.

A timer set by another process (a web worker beside `chithi scheduler`) is seen by a poll of the
earliest due time every `POLL_SECONDS` (one indexed query), which moves the date job earlier, so such
a timer fires within about a second of its due time, not at the next sweep.

Any number of processes may run a TimerScheduler against the same database: claiming (row locks
on PostgreSQL, the write transaction on SQLite) makes each timer fire once. The job itself reads the engine's
clock, so a test can drive `run_due()` after moving a FrozenClock.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler

if TYPE_CHECKING:
    from .features import Sweep
    from .timers import Timers

log = logging.getLogger(__name__)
NEXT_JOB = "chithi-next-timer"
SWEEP_JOB = "chithi-timer-sweep"
POLL_JOB = "chithi-timer-poll"
POLL_SECONDS = 1.0


class TimerScheduler:
    """Fires the due timers of one engine from a background thread."""

    def __init__(self, timers: Timers, sweep_seconds: int = 30, sweeps: list[tuple[Sweep, Any]] | None = None):
        self.timers = timers
        self.sweep_seconds = sweep_seconds
        self.sweeps = list(sweeps or [])
        self._scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True,
                                                                                 "max_instances": 1,
                                                                                 "misfire_grace_time": None})
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the background thread and schedule the sweep and the next due timer."""
        self._scheduler.add_job(self.run_due, "interval", seconds=self.sweep_seconds, id=SWEEP_JOB,
                                replace_existing=True)
        self._scheduler.add_job(self.poll, "interval", seconds=POLL_SECONDS, id=POLL_JOB, replace_existing=True)
        for sweep, argument in self.sweeps:
            self._scheduler.add_job(_guarded(sweep, argument), "interval", seconds=sweep.seconds,
                                    id=f"chithi-sweep-{sweep.name}", replace_existing=True)
        self.timers.instances.timer_listeners.append(self.wake)
        self._scheduler.start()
        self.wake(self.timers.next_due())

    def shutdown(self) -> None:
        if self.wake in self.timers.instances.timer_listeners:
            self.timers.instances.timer_listeners.remove(self.wake)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def wake(self, when: datetime | None) -> None:
        """(Re)schedule the date job if `when` is earlier than what is already scheduled."""
        if when is None:
            return
        with self._lock:
            job = self._scheduler.get_job(NEXT_JOB)
            if job is not None and job.next_run_time is not None and job.next_run_time <= when:
                return
            self._scheduler.add_job(self.run_due, "date", run_date=max(when, _now()), id=NEXT_JOB,
                                    replace_existing=True)

    def poll(self) -> None:
        """Wake for timers other processes have set since the last look."""
        try:
            self.wake(self.timers.next_due())
        except Exception:  # noqa: BLE001 — the database may be briefly away; the next poll retries
            log.exception("looking for the next due timer failed")

    def next_run(self) -> datetime | None:
        job = self._scheduler.get_job(NEXT_JOB)
        return job.next_run_time if job is not None else None

    def run_due(self) -> int:
        """Fire what is due now and schedule the next one; errors are logged, never fatal."""
        try:
            fired = self.timers.fire_due_timers().fired
        except Exception:  # noqa: BLE001 — a sweep must survive one bad run; the next sweep retries
            log.exception("firing due timers failed")
            fired = 0
        nxt = self.timers.next_due()
        if nxt is not None:
            self.wake(nxt if nxt > _now() else _now() + timedelta(seconds=1))
        return fired


def _guarded(sweep: Sweep, argument: Any) -> Callable[[], int]:
    def run() -> int:
        try:
            return sweep.run(argument)
        except Exception:  # noqa: BLE001 — a sweep must survive one bad run; the next one retries
            log.exception("sweep %s failed", sweep.name)
            return 0
    return run


def _now() -> datetime:
    return datetime.now(UTC)
