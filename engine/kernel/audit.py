"""Append-only audit log, hash-chained: each event's hash covers the previous hash, so editing or
deleting any event breaks verification from that point on."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import BigInteger, Table, bindparam, select
from sqlalchemy.orm import Session

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON text for hashing (sorted keys, no spaces, non-JSON values as strings)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _event_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str,
                instance_id: int | None, payload_hash: str) -> str:
    body = canonical([seq, at.astimezone(UTC).isoformat(), actor, action, instance_id, payload_hash])
    return sha256(prev_hash + body)


@dataclass
class PendingEvent:
    actor: str
    action: str
    instance_id: int | None
    payload: dict[str, Any]
    at: datetime


_HEAD = cast(Table, AuditHead.__table__)
_EVENTS = cast(Table, AuditEvent.__table__)
# Built once: the append runs at the end of every write transaction, as three Core statements on the
# transaction's connection (no unit of work, no ORM bulk machinery)
_READ_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_NEW_HEAD = _HEAD.insert().values(id=1, seq=0, hash=GENESIS)
_INSERT_EVENTS = _EVENTS.insert()
_MOVE_HEAD = (_HEAD.update().where(_HEAD.c.id == 1)
              .values(seq=bindparam("new_seq", type_=BigInteger()), hash=bindparam("new_hash")))


def append(session: Session, events: list[PendingEvent]) -> None:
    """Append events at the end of the chain, inside the caller's transaction.

    Locks the chain head row, so concurrent writers queue here; callers append last, just
    before commit, to keep that window short.
    """
    if not events:
        return
    session.flush()  # the step's own rows first, so the events follow what they record
    conn = session.connection()
    head = conn.execute(_READ_HEAD).first()
    if head is None:
        conn.execute(_NEW_HEAD)
        seq, prev = 0, GENESIS
    else:
        seq, prev = head.seq, head.hash
    rows = []
    for ev in events:
        seq += 1
        # round-trip the payload through JSON so what is hashed is exactly what is stored
        payload = json.loads(canonical(ev.payload))
        payload_hash = sha256(canonical(payload))  # keys as stored (an int key becomes text)
        digest = _event_hash(prev, seq, ev.at, ev.actor, ev.action, ev.instance_id, payload_hash)
        rows.append({"seq": seq, "at": ev.at, "actor": ev.actor, "action": ev.action,
                     "instance_id": ev.instance_id, "payload": payload, "payload_hash": payload_hash,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(_INSERT_EVENTS, rows)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})


@dataclass
class ChainReport:
    """Outcome of `verify_chain`; `code` says how the chain broke (missing, link, payload, fields,
    truncated) for a person-readable message."""

    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str | None = None
    code: str | None = None


def verify_chain(session: Session, batch: int = 1000) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    prev, expected_seq, checked = GENESIS, 1, 0
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    for ev in session.scalars(query):
        if ev.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, f"event {expected_seq} is missing", "missing")
        if ev.prev_hash != prev:
            return ChainReport(False, checked, ev.seq, "previous-hash link does not match", "link")
        if sha256(canonical(ev.payload)) != ev.payload_hash:
            return ChainReport(False, checked, ev.seq, "payload was changed", "payload")
        if _event_hash(prev, ev.seq, ev.at, ev.actor, ev.action, ev.instance_id, ev.payload_hash) != ev.hash:
            return ChainReport(False, checked, ev.seq, "event fields were changed", "fields")
        prev, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev):
        return ChainReport(False, checked, checked + 1, "events after the last one were removed", "truncated")
    return ChainReport(True, checked)


@dataclass(frozen=True)
class AuditEntry:
    """One event of the log as pages show it."""

    seq: int
    at: datetime
    actor: str
    action: str
    instance_id: int | None
    payload: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class AuditFilter:
    """Which events to list: by who, what, which instances (an id list or a subquery), when."""

    actor: str | None = None
    action: str | None = None
    instance_ids: Any = None  # a list of ids or a SELECT of ids (e.g. the instances serving one record)
    since: datetime | None = None
    until: datetime | None = None


def entry(ev: AuditEvent) -> AuditEntry:
    return AuditEntry(ev.seq, ev.at, ev.actor, ev.action, ev.instance_id, dict(ev.payload or {}), ev.hash)


def query_events(session: Session, f: AuditFilter, limit: int = 100, offset: int = 0,
                 newest_first: bool = True) -> list[AuditEntry]:
    """Events matching `f`, newest first (or oldest first), one page."""
    q = select(AuditEvent)
    if f.actor:
        q = q.where(AuditEvent.actor == f.actor)
    if f.action:
        q = q.where(AuditEvent.action == f.action)
    if f.instance_ids is not None:
        q = q.where(AuditEvent.instance_id.in_(f.instance_ids))
    if f.since is not None:
        q = q.where(AuditEvent.at >= f.since)
    if f.until is not None:
        q = q.where(AuditEvent.at < f.until)
    q = q.order_by(AuditEvent.seq.desc() if newest_first else AuditEvent.seq).limit(limit).offset(offset)
    return [entry(ev) for ev in session.scalars(q)]


def event_at(session: Session, seq: int) -> AuditEntry | None:
    """The event with sequence number `seq`, if it is still there."""
    ev = session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))
    return entry(ev) if ev is not None else None

