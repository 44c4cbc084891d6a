"""Timers: claim due instances (row locks on PostgreSQL, the write lock on SQLite), fire each once.

Each due instance is fired in its own transaction. One that cannot be fired (its state does not
load, a query-table write fails…) is put in the error state with the message, in a transaction of
its own, and the sweep goes on: one broken instance never holds back the others.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import ConflictError
from .instances import Instances, describe_error
from .models import ProcessInstance

if TYPE_CHECKING:
    from .features import Sweep
from .status import RUNNING, InstanceStatus, move_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TimerSweep:
    """What one sweep did: instances fired, and instances that failed and were put in error."""

    fired: int = 0
    failed: int = 0


class Timers:
    """Fires due timers, from a sweep any number of scheduler processes may run at once."""

    def __init__(self, instances: Instances):
        self.instances = instances
        self.journal = instances.journal
        self.db = instances.db
        self.clock = instances.clock
        self._scheduler: Any = None

    def fire_due_timers(self, limit: int = 10_000) -> TimerSweep:
        """Advance every instance whose timer is due; each timer fires once across processes."""
        fired = failed = 0
        skipped: set[int] = set()  # lost races in this sweep: whoever won handles them
        while fired + failed < limit:
            outcome = self._fire_next(skipped)
            if outcome is None:
                break
            result, instance_id = outcome
            if result == "fired":
                fired += 1
            elif result == "failed":
                failed += 1
            else:
                skipped.add(instance_id)
        return TimerSweep(fired, failed)

    def _due_query(self, now: datetime, skipped: set[int]) -> Any:
        # Strictly before now, as SpiffWorkflow fires a timer only once its moment has passed: a timer due
        # exactly now would be claimed again and again without firing until the sweep's limit.
        query = (select(ProcessInstance).where(ProcessInstance.status == RUNNING,
                                               ProcessInstance.next_timer_at < now)
                 .order_by(ProcessInstance.next_timer_at).limit(1))
        if skipped:
            query = query.where(ProcessInstance.id.notin_(skipped))
        # PostgreSQL: a row lock other schedulers skip; SQLite: the write transaction is the lock.
        return query.with_for_update(skip_locked=True) if self.db.dialect == "postgresql" else query

    def _fire_next(self, skipped: set[int]) -> tuple[str, int] | None:
        """Claim and fire one due instance in its own transaction: ("fired" | "failed" | "skipped", id),
        or None when nothing is due. A failure puts that instance in the error state and returns."""
        claimed = None
        try:
            with self.journal.transaction() as s:
                row = s.scalar(self._due_query(self.clock.now(), skipped))
                if row is None:
                    return None
                claimed = row.id
                self._fire(s, row)
                return "fired", claimed
        except ConflictError:
            if claimed is None:
                raise
            return "skipped", claimed
        except Exception as exc:  # noqa: BLE001 — one instance's failure must not stop the sweep
            if claimed is None:
                raise
            log.exception("the timer of instance %s could not be fired", claimed)
            return ("failed" if self._record_timer_failure(claimed, exc) else "skipped"), claimed

    def _record_timer_failure(self, instance_id: int, exc: BaseException) -> bool:
        """Put a running instance whose timer could not be fired in the error state (own transaction)."""
        message, element = describe_error(exc)
        try:
            with self.journal.transaction() as s:
                row = s.get(ProcessInstance, instance_id)
                if row is None or row.status != RUNNING:
                    return False
                move_status(row, InstanceStatus.RUNNING, InstanceStatus.ERROR)  # UPDATE … WHERE version = old
                row.error_message = f"Không chạy được hẹn giờ: {message}"[:4000]
                row.error_element, row.updated_at = element, self.clock.now()
                row.error_at = row.updated_at
                self.journal.record(s, "scheduler", "timer_failed", instance_id, {"error": message[:1000]})
        except ConflictError:  # someone else moved it meanwhile: theirs stands
            return False
        self.instances.forget_cached(instance_id)
        return True

    def _fire(self, s: Session, row: ProcessInstance) -> None:
        due = row.next_timer_at
        wf = self.instances.load(s, row)
        self.instances.advance(s, row, wf, "scheduler", "timer_fired", {"due": due.isoformat() if due else None},
                               lambda w: w.refresh_timers())

    def start_scheduler(self, sweep_seconds: int = 30, sweeps: list[tuple[Sweep, Any]] | None = None) -> None:
        """Fire timers from a background APScheduler thread in this process; `sweeps` (with the
        argument each is run with) run on the same thread pool at their own intervals."""
        from .scheduler import TimerScheduler

        if self._scheduler is None:
            self._scheduler = TimerScheduler(self, sweep_seconds, sweeps)
            self._scheduler.start()

    def stop_scheduler(self) -> None:
        """Stop this process's scheduler thread, if it runs."""
        if self._scheduler is not None:
            self._scheduler.shutdown()
            self._scheduler = None

    def next_due(self) -> datetime | None:
        """Earliest pending timer of any running instance."""
        with self.db.session() as s:
            return s.scalar(select(func.min(ProcessInstance.next_timer_at))
                            .where(ProcessInstance.status == RUNNING))
