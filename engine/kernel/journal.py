"""Write transactions of the engine: the audit events queued in one are chained just before it
commits, and what collaborators asked to happen after the commit (publish saved workflows to the
cache, wake the scheduler) runs only if it did commit. A lost optimistic-version race becomes a
ConflictError and nothing is applied."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit, faults
from .clock import Clock
from .db import Database
from .errors import ConflictError

CONFLICT = ("Hồ sơ đã được người khác cập nhật trước; hãy tải lại và thử lại "
            "(someone else changed this instance first)")


class Journal:
    """Opens write transactions and keeps their audit trail."""

    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction (BEGIN IMMEDIATE on SQLite) with its audit events chained at commit."""
        with self.db.session(write=True) as s:
            s.info["audit"], s.info["after_commit"] = [], []
            try:
                yield s
                audit.append(s, s.info["audit"])
                faults.reach("audit_appended")
            except StaleDataError:
                raise ConflictError(CONFLICT) from None
        faults.reach("after_commit")
        for fn in s.info["after_commit"]:
            fn()

    @staticmethod
    @contextmanager
    def savepoint(s: Session) -> Iterator[None]:
        """A part of a write transaction that may fail alone: on an error its rows roll back to the
        SAVEPOINT, and the audit events, after-commit actions and per-transaction notes it queued are
        dropped with them; the error goes on to the caller, the rest of the transaction stands."""
        events, actions, notes = len(s.info["audit"]), len(s.info["after_commit"]), set(s.info)
        try:
            with s.begin_nested():
                yield
        except BaseException:
            del s.info["audit"][events:]
            del s.info["after_commit"][actions:]
            for key in set(s.info) - notes:
                del s.info[key]
            raise

    def record(self, s: Session, actor: str, action: str, instance_id: int | None,
               payload: dict[str, Any]) -> None:
        """Queue an audit event; it is chained just before the transaction commits."""
        s.info["audit"].append(audit.PendingEvent(actor, action, instance_id, payload, self.clock.now()))

    @staticmethod
    def after_commit(s: Session, fn: Callable[[], None]) -> None:
        """Run `fn` once the transaction of `s` has committed (never if it rolls back)."""
        s.info["after_commit"].append(fn)
