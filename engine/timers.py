"""Timers: claim due instances (row locks on PostgreSQL, leases on SQLite) and fire them once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import InstanceStatus, ProcessInstance

LEASE = timedelta(seconds=60)
RUNNING = InstanceStatus.RUNNING.value


class TimerMixin:
    """The timer half of ChithiEngine."""

    def fire_due_timers(self, limit: int = 10_000) -> int:
        """Advance every instance whose timer is due; each timer fires once across processes."""
        fired = 0
        while fired < limit:
            if self.db.dialect == "postgresql":
                done = self._fire_next_locked()
            else:
                done = self._fire_next_leased()
            if done is None:
                break
            fired += done
        return fired

    def _due_query(self, now: datetime):
        return (select(ProcessInstance.id).where(ProcessInstance.status == RUNNING,
                                                 ProcessInstance.next_timer_at <= now)
                .order_by(ProcessInstance.next_timer_at).limit(1))

    def _fire_next_locked(self) -> int | None:
        with self.transaction() as s:
            now = self.clock.now()
            iid = s.scalar(self._due_query(now).with_for_update(skip_locked=True))
            if iid is None:
                return None
            self._fire(s, s.get(ProcessInstance, iid))
            return 1

    def _fire_next_leased(self) -> int | None:
        now = self.clock.now()
        with self.db.session(write=True) as s:
            iid = s.scalar(self._due_query(now).where(
                (ProcessInstance.lease_until.is_(None)) | (ProcessInstance.lease_until < now)))
            if iid is None:
                return None
            s.execute(update(ProcessInstance).where(ProcessInstance.id == iid)
                      .values(lease_owner=self.node_id, lease_until=now + LEASE)
                      .execution_options(synchronize_session=False))
        with self.transaction() as s:
            row = s.get(ProcessInstance, iid)
            if row.lease_owner != self.node_id or row.status != RUNNING:
                return 0
            self._fire(s, row)
            return 1

    def _fire(self, s: Session, row: ProcessInstance) -> None:
        due = row.next_timer_at
        wf = self._load(s, row)
        self.advance(s, row, wf, "scheduler", "timer_fired", {"due": due.isoformat() if due else None},
                     lambda w: w.refresh_timers())

    def start_scheduler(self, sweep_seconds: int = 30) -> None:
        """Fire timers from a background APScheduler thread in this process."""
        from .scheduler import TimerScheduler

        if self._scheduler is None:
            self._scheduler = TimerScheduler(self, sweep_seconds)
            self._scheduler.start()

    def shutdown(self) -> None:
        """Stop the scheduler (if any) and close database connections."""
        if self._scheduler is not None:
            self._scheduler.shutdown()
            self._scheduler = None
        self.db.dispose()

    def next_timer_due(self) -> datetime | None:
        """Earliest pending timer of any running instance."""
        with self.db.session() as s:
            return s.scalar(select(func.min(ProcessInstance.next_timer_at))
                            .where(ProcessInstance.status == RUNNING))

