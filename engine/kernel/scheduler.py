"""APScheduler glue: one date job at the earliest due timer plus a slow sweep as a safety net.

Any number of processes may run a TimerScheduler against the same database: claiming (row locks
on PostgreSQL, the write transaction on SQLite) makes each timer fire once. The job itself reads the engine's
clock, so a test can drive `run_due()` after moving a FrozenClock.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

if TYPE_CHECKING:
    from .timers import Timers

log = logging.getLogger(__name__)
NEXT_JOB = "chithi-next-timer"
SWEEP_JOB = "chithi-timer-sweep"


class TimerScheduler:
    """Fires the due timers of one engine from a background thread."""

    def __init__(self, timers: Timers, sweep_seconds: int = 30):
        self.timers = timers
        self.sweep_seconds = sweep_seconds
        self._scheduler = BackgroundScheduler(timezone=UTC, job_defaults={"coalesce": True,
                                                                                 "max_instances": 1,
                                                                                 "misfire_grace_time": None})
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the background thread and schedule the sweep and the next due timer."""
        self._scheduler.add_job(self.run_due, "interval", seconds=self.sweep_seconds, id=SWEEP_JOB,
                                replace_existing=True)
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
        for sweep in self.timers.extra_sweeps:
            try:
                sweep()
            except Exception:  # noqa: BLE001 — one feature's sweep never stops the timers
                log.exception("a feature's sweep failed")
        nxt = self.timers.next_due()
        if nxt is not None:
            self.wake(nxt if nxt > _now() else _now() + timedelta(seconds=1))
        return fired


def _now() -> datetime:
    return datetime.now(UTC)
