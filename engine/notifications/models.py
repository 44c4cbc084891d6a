"""The outbox of notifications, the people's preferences, and the sweep's bookkeeping."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.db import Base

# e-mail delivery of one notification
EMAIL_NONE = "none"  # in the app only (no address, the person does not want it, or no SMTP server)
EMAIL_PENDING = "pending"  # waiting for the sweep (again, after a failure, from next_attempt_at)
EMAIL_SENDING = "sending"  # claimed by one sweeper until lease_until
EMAIL_SENT = "sent"
EMAIL_FAILED = "failed"  # given up after MAX_ATTEMPTS
EMAIL_CANCELLED = "cancelled"  # no longer true (task done, directive closed) before it went out


class Notification(Base):
    """One thing one person should hear about; unique per person and event, so it is told once."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("username", "event_key"),
        Index("ix_notification_outbox", "email_status", "next_attempt_at"),
        Index("ix_notification_unread", "username", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # new_task | near_due | overdue
    event_key: Mapped[str] = mapped_column(String(200))  # e.g. "overdue:42"
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))  # a path of the app, e.g. /tasks/42
    task_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ref_type: Mapped[str | None] = mapped_column(String(40))
    ref_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    email_to: Mapped[str | None] = mapped_column(String(300))
    email_status: Mapped[str] = mapped_column(String(20), default=EMAIL_NONE)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A person's e-mail address and which events reach them by e-mail (in the app: all of them)."""

    __tablename__ = "notification_preference"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(300))
    on_new_task: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    on_near_due: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    on_overdue: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[datetime]


class TaskNotice(Base):
    """A task event already turned into notifications (or skipped), so each is looked at once."""

    __tablename__ = "task_notice"

    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # new_task | near_due | overdue
    at: Mapped[datetime]


class SweepCursor(Base):
    """Where a sweep stands: the highest task id already looked at for new-task notices. The row is
    locked while a sweeper collects, so concurrent sweepers never collect the same events twice."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_task_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
