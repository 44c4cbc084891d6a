"""Collect and deliver notifications.

`collect` turns task events into notification rows, one per person and event: a new task (for its
assignee, or every active account holding its role in its body), a deadline within `near_days`, a
deadline passed. It runs with the cursor row locked (row lock on PostgreSQL, the write transaction on
SQLite), so concurrent sweepers never collect an event twice; nothing is told about a business object
the domain says is closed (`engine.refs`).

`deliver` sends the pending e-mails, each in its own claim: a row is claimed under FOR UPDATE SKIP
LOCKED (PostgreSQL) or the write lock (SQLite) and leased, sent outside any transaction, then marked
sent — or put back with a growing delay, and given up after MAX_ATTEMPTS. One failing row never holds
back the others.
"""
from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ..kernel.calendar import days_late, local, near_due_days
from ..kernel.models import HumanTask, User
from ..kernel.status import OPEN_TASK
from .mailer import Mailer, SmtpConfig
from .models import (
    EMAIL_CANCELLED,
    EMAIL_FAILED,
    EMAIL_NONE,
    EMAIL_PENDING,
    EMAIL_SENDING,
    EMAIL_SENT,
    Notification,
    NotificationPreference,
    SweepCursor,
    TaskNotice,
)

log = logging.getLogger(__name__)
CURSOR = "tasks"
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
BATCH = 500  # events collected per sweep (the rest wait for the next one)
KINDS = {"new_task": "Việc mới", "near_due": "Sắp đến hạn", "overdue": "Quá hạn"}
PREFERENCE = {"new_task": "on_new_task", "near_due": "on_near_due", "overdue": "on_overdue"}


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass(frozen=True)
class SweepResult:
    collected: int = 0
    sent: int = 0
    failed: int = 0  # attempts that failed this sweep (retried later or given up)


# ------------------------------------------------------------------ collecting


def _vn(moment: datetime | None) -> str:
    return local(moment).strftime("%d/%m/%Y %H:%M") if moment is not None else "—"


def _recipients(s: Session, task: HumanTask, cache: dict[tuple[str | None, str | None], list[str]]) -> list[str]:
    if task.assignee:
        return [task.assignee]
    key = (task.candidate_role, task.body_code)
    if key not in cache:
        if not task.candidate_role:
            cache[key] = []
        else:
            query = select(User.username, User.roles).where(User.active.is_(True),
                                                            User.roles.like(f"%{task.candidate_role}%"))
            if task.body_code is not None:
                query = query.where(User.body_code == task.body_code)
            cache[key] = [name for name, roles in s.execute(query)
                          if task.candidate_role in (r.strip() for r in roles.split(","))]
    return cache[key]


def _text(kind: str, task: HumanTask, now: datetime) -> tuple[str, str]:
    subject = task.subject or task.business_key or ""
    if kind == "overdue" and task.due_at is not None:
        title = f"Quá hạn {days_late(now, task.due_at)} ngày: {task.name}"
    else:
        title = f"{KINDS[kind]}: {task.name}"
    lines = [title]
    if subject:
        lines.append(f"Về: {subject}")
    if task.due_at is not None:
        lines.append(f"Hạn xử lý: {_vn(task.due_at)}")
    return title[:500], "\n".join(lines)


def _emit(s: Session, kind: str, task: HumanTask, now: datetime, smtp: bool,
          people: dict[tuple[str | None, str | None], list[str]],
          prefs: dict[str, NotificationPreference | None]) -> int:
    made = 0
    title, body = _text(kind, task, now)
    for username in _recipients(s, task, people):
        if username not in prefs:
            prefs[username] = s.get(NotificationPreference, username)
        pref = prefs[username]
        wants = smtp and pref is not None and bool(pref.email) and bool(getattr(pref, PREFERENCE[kind]))
        s.add(Notification(username=username, kind=kind, event_key=f"{kind}:{task.id}", title=title, body=body,
                           link=f"/tasks/{task.id}", task_id=task.id, ref_type=task.ref_type, ref_id=task.ref_id,
                           created_at=now, email_to=pref.email if wants and pref else None,
                           email_status=EMAIL_PENDING if wants else EMAIL_NONE,
                           next_attempt_at=now if wants else None))
        made += 1
    return made


def _lock_cursor(s: Session, dialect: str, now: datetime) -> SweepCursor:
    query = select(SweepCursor).where(SweepCursor.name == CURSOR)
    if dialect == "postgresql":
        query = query.with_for_update()
    cursor = s.scalar(query)
    if cursor is None:  # the first sweep ever: tasks already there are not news
        s.add(SweepCursor(name=CURSOR, last_task_id=s.scalar(select(func.max(HumanTask.id))) or 0, updated_at=now))
        s.flush()
        cursor = s.scalar(query)
        assert cursor is not None
    return cursor


def collect(engine: Any, now: datetime | None = None, smtp: bool = True, days: int | None = None) -> int:
    """Turn new tasks and near or passed deadlines into notifications; returns how many were made."""
    now = now or engine.clock.now()
    days = near_due_days() if days is None else days
    made = 0
    people: dict[tuple[str | None, str | None], list[str]] = {}
    prefs: dict[str, NotificationPreference | None] = {}
    closed: dict[tuple[str, int], bool] = {}

    def is_closed(s: Session, task: HumanTask) -> bool:
        if task.ref_type is None or task.ref_id is None:
            return False
        key = (task.ref_type, task.ref_id)
        if key not in closed:
            closed[key] = engine.refs.closed(s, task.ref_type, task.ref_id)
        return closed[key]

    with engine.transaction() as s:
        cursor = _lock_cursor(s, engine.db.dialect, now)
        new = s.scalars(select(HumanTask).where(HumanTask.id > cursor.last_task_id)
                        .order_by(HumanTask.id).limit(BATCH)).all()
        soon = now + timedelta(days=days)
        for task in new:
            if task.status in OPEN_TASK and not is_closed(s, task):
                made += _emit(s, "new_task", task, now, smtp, people, prefs)
                if task.due_at is not None and task.due_at <= soon:  # the new-task notice gives the due date
                    s.add(TaskNotice(task_id=task.id, kind="overdue" if task.due_at < now else "near_due", at=now))
        if new:
            cursor.last_task_id, cursor.updated_at = new[-1].id, now
            s.flush()

        for kind, window in (("overdue", HumanTask.due_at < now),
                             ("near_due", and_(HumanTask.due_at >= now, HumanTask.due_at <= soon))):
            noticed = exists().where(TaskNotice.task_id == HumanTask.id, TaskNotice.kind == kind)
            due = s.scalars(select(HumanTask).where(HumanTask.status.in_(OPEN_TASK), window, ~noticed)
                            .order_by(HumanTask.due_at).limit(BATCH)).all()
            for task in due:
                s.add(TaskNotice(task_id=task.id, kind=kind, at=now))
                if not is_closed(s, task):
                    made += _emit(s, kind, task, now, smtp, people, prefs)
    return made


# ------------------------------------------------------------------ delivering


def _claim(engine: Any, now: datetime, skipped: set[int]) -> Notification | None:
    """Lease one due e-mail in its own short transaction (the row lock / write lock makes it ours)."""
    with engine.transaction() as s:
        due = or_(and_(Notification.email_status == EMAIL_PENDING, Notification.next_attempt_at <= now),
                  and_(Notification.email_status == EMAIL_SENDING, Notification.lease_until < now))
        query = select(Notification).where(due).order_by(Notification.next_attempt_at, Notification.id).limit(1)
        if skipped:
            query = query.where(Notification.id.notin_(skipped))
        if engine.db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        row = s.scalar(query)
        if row is None:
            return None
        if row.task_id is not None and row.kind in ("near_due", "overdue"):
            task = s.get(HumanTask, row.task_id)
            if task is None or task.status not in OPEN_TASK:
                row.email_status, row.last_error = EMAIL_CANCELLED, "Việc đã được xử lý trước khi gửi"
        if row.email_status != EMAIL_CANCELLED and engine.refs.closed(s, row.ref_type, row.ref_id):
            row.email_status, row.last_error = EMAIL_CANCELLED, "Hồ sơ đã kết thúc trước khi gửi"
        if row.email_status != EMAIL_CANCELLED:
            row.email_status, row.lease_until = EMAIL_SENDING, now + LEASE
            row.attempts += 1
        s.flush()
        s.expunge(row)
        return row


def permanent(exc: BaseException) -> bool:
    """Whether the server refused for good (a 5xx reply): trying again would not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _settle(engine: Any, row: Notification, error: str | None, give_up: bool = False) -> None:
    now = engine.clock.now()
    with engine.transaction() as s:
        values: dict[str, Any]
        if error is None:
            values = {"email_status": EMAIL_SENT, "sent_at": now, "lease_until": None, "last_error": None}
        elif give_up or row.attempts >= MAX_ATTEMPTS:
            values = {"email_status": EMAIL_FAILED, "lease_until": None, "last_error": error[:2000]}
        else:
            values = {"email_status": EMAIL_PENDING, "lease_until": None, "last_error": error[:2000],
                      "next_attempt_at": now + backoff(row.attempts)}
        # only the holder of the lease settles it (a lease that ran out may have been taken again)
        s.execute(update(Notification).where(Notification.id == row.id, Notification.email_status == EMAIL_SENDING,
                                             Notification.attempts == row.attempts).values(**values))


def deliver(engine: Any, mailer: Mailer, limit: int = 200, base_url: str = "") -> tuple[int, int]:
    """Send due e-mails, each once; returns (sent, failed attempts)."""
    sent = failed = 0
    skipped: set[int] = set()
    for _ in range(limit):
        row = _claim(engine, engine.clock.now(), skipped)
        if row is None:
            break
        skipped.add(row.id)
        if row.email_status == EMAIL_CANCELLED:
            continue
        link = f"\n\nXem: {base_url.rstrip('/')}{row.link}" if row.link and base_url else ""
        try:
            mailer.send(row.email_to or "", f"[Chỉ thị] {row.title}", row.body + link, f"chithi-{row.id}")
        except Exception as exc:  # noqa: BLE001 — one message's failure is recorded on its row only
            log.warning("notification %s not sent: %s", row.id, exc)
            _settle(engine, row, f"{type(exc).__name__}: {exc}", give_up=permanent(exc))
            failed += 1
            continue
        _settle(engine, row, None)
        sent += 1
    return sent, failed


def sweep(engine: Any, config: SmtpConfig | None = None) -> SweepResult:
    """Collect, then send what is due (the scheduler runs this at each sweep)."""
    config = config if config is not None else SmtpConfig.from_env()
    made = collect(engine, smtp=config is not None)
    if config is None:
        return SweepResult(made)
    sent, failed = deliver(engine, Mailer(config), base_url=os.environ.get("CHITHI_BASE_URL", ""))
    return SweepResult(made, sent, failed)


def sweep_count(engine: Any) -> int:
    """The scheduler's sweep (kernel `Sweep.run`): how many notifications were made or sent."""
    result = sweep(engine)
    return result.collected + result.sent + result.failed


# ------------------------------------------------------------------ reading (the web's side)


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None
    email_status: str


def unread_count(engine: Any, username: str) -> int:
    with engine.db.session() as s:
        return s.scalar(select(func.count()).where(Notification.username == username,
                                                   Notification.read_at.is_(None))) or 0


def list_for(engine: Any, username: str, limit: int = 50, offset: int = 0) -> list[NotificationView]:
    with engine.db.session() as s:
        rows = s.scalars(select(Notification).where(Notification.username == username)
                         .order_by(Notification.created_at.desc(), Notification.id.desc())
                         .limit(min(limit, 200)).offset(max(offset, 0))).all()
        return [NotificationView(r.id, r.kind, r.title, r.body, r.link, r.created_at, r.read_at, r.email_status)
                for r in rows]


def get_for(engine: Any, username: str, notification_id: int) -> NotificationView | None:
    """One notification of `username` (None for someone else's)."""
    with engine.db.session() as s:
        r = s.get(Notification, notification_id)
        if r is None or r.username != username:
            return None
        return NotificationView(r.id, r.kind, r.title, r.body, r.link, r.created_at, r.read_at, r.email_status)


def mark_read(engine: Any, username: str, notification_id: int | None = None) -> int:
    """Mark one (or every) notification of `username` read; returns how many changed."""
    now = engine.clock.now()
    with engine.transaction() as s:
        stmt = update(Notification).where(Notification.username == username, Notification.read_at.is_(None))
        if notification_id is not None:
            stmt = stmt.where(Notification.id == notification_id)
        result: Any = s.execute(stmt.values(read_at=now))
        return int(result.rowcount or 0)


@dataclass(frozen=True)
class Preference:
    email: str
    on_new_task: bool = True
    on_near_due: bool = True
    on_overdue: bool = True


def preference(engine: Any, username: str) -> Preference:
    with engine.db.session() as s:
        row = s.get(NotificationPreference, username)
        if row is None:
            return Preference(email="")
        return Preference(row.email or "", row.on_new_task, row.on_near_due, row.on_overdue)


def save_preference(engine: Any, username: str, pref: Preference) -> None:
    """Store a person's e-mail preference (the address is checked by the caller's form)."""
    now = engine.clock.now()
    with engine.transaction() as s:
        row = s.get(NotificationPreference, username)
        if row is None:
            row = NotificationPreference(username=username, updated_at=now)
            s.add(row)
        row.email = pref.email.strip() or None
        row.on_new_task, row.on_near_due, row.on_overdue = pref.on_new_task, pref.on_near_due, pref.on_overdue
        row.updated_at = now
        engine.record(s, username, "notification_preference_saved",
                      None, {"email": bool(row.email), "new_task": row.on_new_task, "near_due": row.on_near_due,
                             "overdue": row.on_overdue})
