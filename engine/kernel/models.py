"""Core tables of the engine: definitions, instances, the human-task query table, messages, fan-out,
audit, accounts and the content-addressed blob store.

An instance and its tasks point at the business object they serve by a generic reference
(`ref_type`, `ref_id`), set by the domain; the engine never looks inside. Domain packages keep their
tables in their own modules and declare them in their feature (`engine.app.all_metadata`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base
from .status import InstanceStatus, TaskStatus


class ProcessDefinition(Base):
    """One deployed version of a BPMN process, stored once per content hash."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("content_hash", "process_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(400))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(400), default="upload")
    version: Mapped[int] = mapped_column(Integer, default=1)
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(100))


class ProcessInstance(Base):
    """A running or finished process; `state_json` holds only the instance part of the workflow."""

    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_ref", "ref_type", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING.value, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    state_json: Mapped[str] = mapped_column(Text)
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    waiting_messages: Mapped[str | None] = mapped_column(String(1000))  # names, for a cheap "unchanged?" check
    error_message: Mapped[str | None] = mapped_column(Text)
    error_element: Mapped[str | None] = mapped_column(String(200))
    error_at: Mapped[datetime | None]  # when the current error began (the error list's "since")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    child_group: Mapped[str | None] = mapped_column(String(200))
    body_code: Mapped[str | None] = mapped_column(String(100), index=True)
    ref_type: Mapped[str | None] = mapped_column(String(40))  # the business object served, e.g. a record
    ref_id: Mapped[int | None] = mapped_column(Integer)
    started_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    # Every UPDATE carries "AND version = <old>"; a lost race raises StaleDataError → ConflictError.
    __mapper_args__ = {"version_id_col": version}


class HumanTask(Base):
    """Query table of manual/user tasks, rewritten at every save; the inbox reads only this."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_uuid"),
        Index("ix_human_task_inbox_role", "status", "candidate_role", "body_code", "due_at"),
        Index("ix_human_task_inbox_assignee", "status", "assignee", "due_at"),
        Index("ix_human_task_ref", "ref_type", "ref_id"),
        Index("ix_human_task_done", "completed_by", "completed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400))
    lane: Mapped[str | None] = mapped_column(String(200))
    candidate_role: Mapped[str | None] = mapped_column(String(100))
    body_code: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.READY.value)
    due_at: Mapped[datetime | None]
    form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    business_key: Mapped[str | None] = mapped_column(String(200))
    process_id: Mapped[str] = mapped_column(String(200))
    process_name: Mapped[str | None] = mapped_column(String(400))  # the definition's name, for inboxes
    ref_type: Mapped[str | None] = mapped_column(String(40))  # the instance's business object
    ref_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(1000))  # what it serves, in words (refs.RefSummary)
    search_text: Mapped[str | None] = mapped_column(Text)  # folded name, subject and keywords (text.fold)


class AuditEvent(Base):
    """Append-only, hash-chained log of every state change."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class MessageSubscription(Base):
    """A message an instance waits for; rewritten at save so correlation never deserializes."""

    __tablename__ = "message_subscription"
    __table_args__ = (UniqueConstraint("instance_id", "message_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    message_name: Mapped[str] = mapped_column(String(200), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)


class ChildGroup(Base):
    """Fan-out bookkeeping: children started by a parent and how many have finished.

    A child's completion bumps `completed` here; the parent instance is only loaded when the last
    child finishes, so cost does not grow with the number of children.
    """

    __tablename__ = "child_group"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    process_id: Mapped[str] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    done_message: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class AuditHead(Base):
    """Single row holding the tip of the audit chain; locked while appending so the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    """A local account; `roles` is a comma-separated list of role codes."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    body_code: Mapped[str | None] = mapped_column(String(100))
    roles: Mapped[str] = mapped_column(String(400), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    title: Mapped[str | None] = mapped_column(String(200))  # chức vụ, as printed under a signature
    signer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # may sign documents

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]


class UserSession(Base):
    """A login: the cookie carries a random token, the row its hash; a request is authenticated only
    while its row is neither revoked nor expired, so logout, a password change and disabling the
    account end sessions on the server."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(40))  # logout | password | disabled | …


class ProcessDraft(Base):
    """A process being edited in the modeler, not deployed yet: one draft per process id."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the deployed version it started from
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class StoredBlob(Base):
    """Content-addressed binary store (uploads, generated files) shared by features."""

    __tablename__ = "stored_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
