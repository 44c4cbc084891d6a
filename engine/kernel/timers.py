"""Timers: claim due instances (row locks on PostgreSQL, the write lock on SQLite), fire each once.

Due instances are claimed BATCH at a time and each is fired in a savepoint of the batch's
transaction (one commit and one audit append for the batch, not one per timer). One that cannot be
fired (its state does not load, a query-table write fails…) is rolled back to its savepoint and put
in the error state with the message, and the others go on: one broken instance never holds back the
others. If the batch's transaction fails as a whole (its commit, the audit append), its instances
are fired again one per transaction, so that failure too stays with the instance that caused it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import ConflictError
from .instances import Instances, describe_error
from .models import ProcessInstance

if TYPE_CHECKING:
    from .features import Sweep
from .status import RUNNING, InstanceStatus, move_status

log = logging.getLogger(__name__)

BATCH = 20  # due instances claimed and fired per transaction


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
            batch = self._fire_batch(skipped, min(BATCH, limit - fired - failed))
            if batch is None:
                break
            fired, failed = fired + batch.fired, failed + batch.failed
        return TimerSweep(fired, failed)

    def _due_query(self, now: datetime, skipped: set[int], limit: int, only: int | None = None) -> Any:
        # Strictly before now, as SpiffWorkflow fires a timer only once its moment has passed: a timer due
        # exactly now would be claimed again and again without firing until the sweep's limit.
        query = (select(ProcessInstance).where(ProcessInstance.status == RUNNING,
                                               ProcessInstance.next_timer_at < now)
                 .order_by(ProcessInstance.next_timer_at).limit(limit))
        if skipped:
            query = query.where(ProcessInstance.id.notin_(skipped))
        if only is not None:
            query = query.where(ProcessInstance.id == only)
        # PostgreSQL: row locks other schedulers skip; SQLite: the write transaction is the lock.
        return query.with_for_update(skip_locked=True) if self.db.dialect == "postgresql" else query

    def _fire_batch(self, skipped: set[int], size: int) -> TimerSweep | None:
        """Claim up to `size` due instances and fire each in its own savepoint of one transaction;
        None when nothing is due. Lost races are added to `skipped`."""
        claimed: list[int] = []
        broken: list[tuple[int, BaseException]] = []
        try:
            with self.journal.transaction() as s:
                rows = list(s.scalars(self._due_query(self.clock.now(), skipped, size)))
                if not rows:
                    return None
                claimed = [row.id for row in rows]
                fired = 0
                for row in rows:
                    try:
                        with self.journal.savepoint(s):
                            self._fire(s, row)
                        fired += 1
                    except (ConflictError, StaleDataError):
                        skipped.add(row.id)  # someone else moved it meanwhile: theirs stands
                    except Exception as exc:  # noqa: BLE001 — one instance's failure must not stop the others
                        log.exception("the timer of instance %s could not be fired", row.id)
                        broken.append((row.id, exc))
                failed = sum(self._mark_failed(s, instance_id, exc) for instance_id, exc in broken)
        except Exception:  # noqa: BLE001 — the batch as a whole: each instance again in its own transaction
            if not claimed:
                raise
            log.exception("a batch of %d timers failed; firing them one by one", len(claimed))
            return self._fire_each(claimed, skipped)
        for instance_id, _ in broken:
            self.instances.forget_cached(instance_id)
        return TimerSweep(fired, failed)

    def _fire_each(self, instance_ids: list[int], skipped: set[int]) -> TimerSweep:
        fired = failed = 0
        for instance_id in instance_ids:
            outcome = self._fire_one(instance_id, skipped)
            if outcome == "fired":
                fired += 1
            elif outcome == "failed":
                failed += 1
            elif outcome == "skipped":
                skipped.add(instance_id)
        return TimerSweep(fired, failed)

    def _fire_one(self, instance_id: int, skipped: set[int]) -> str | None:
        """Fire one instance, if still due, in its own transaction: "fired" | "failed" | "skipped",
        or None when it is no longer due. A failure puts it in the error state."""
        claimed = False
        try:
            with self.journal.transaction() as s:
                row = s.scalar(self._due_query(self.clock.now(), skipped, 1, only=instance_id))
                if row is None:
                    return None
                claimed = True
                self._fire(s, row)
                return "fired"
        except ConflictError:
            if not claimed:
                raise
            return "skipped"
        except Exception as exc:  # noqa: BLE001 — one instance's failure must not stop the sweep
            if not claimed:
                raise
            log.exception("the timer of instance %s could not be fired", instance_id)
            return "failed" if self._record_timer_failure(instance_id, exc) else "skipped"

    def _record_timer_failure(self, instance_id: int, exc: BaseException) -> bool:
        """Put a running instance whose timer could not be fired in the error state (own transaction)."""
        try:
            with self.journal.transaction() as s:
                marked = self._mark_failed(s, instance_id, exc)
        except ConflictError:  # someone else moved it meanwhile: theirs stands
            return False
        self.instances.forget_cached(instance_id)
        return marked

    def _mark_failed(self, s: Session, instance_id: int, exc: BaseException) -> bool:
        """In `s`: a running instance whose timer could not be fired goes to the error state, with the message."""
        message, element = describe_error(exc)
        row = s.get(ProcessInstance, instance_id)
        if row is None or row.status != RUNNING:
            return False
        move_status(row, InstanceStatus.RUNNING, InstanceStatus.ERROR)  # UPDATE … WHERE version = old
        row.error_message = f"Không chạy được hẹn giờ: {message}"[:4000]
        row.error_element, row.updated_at = element, self.clock.now()
        row.error_at = row.updated_at
        self.journal.record(s, "scheduler", "timer_failed", instance_id, {"error": message[:1000]})
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
