"""Register of incoming documents (sổ đăng ký văn bản đến): arrival numbers per receiver and year."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kernel.errors import FieldProblem, FormError, NotFound
from .models import IncomingEntry
from .numbering import next_number

INCOMING_SERIES = "DEN"  # văn bản đến


def register_incoming(session: Session, *, receiver_code: str, received_on: date, sender: str,
                      number_symbol: str, document_date: date, subject: str, actor: str,
                      handling_unit: str | None = None, deadline: date | None = None,
                      instruction: str | None = None, sender_code: str | None = None,
                      urgency: str | None = None, directive_id: int | None = None,
                      now: datetime | None = None) -> IncomingEntry:
    """Register an arriving document with the next arrival number of the receiver's year."""
    missing = [k for k, v in (("sender", sender), ("number_symbol", number_symbol), ("subject", subject))
               if not (v or "").strip()]
    if missing:
        raise FormError([FieldProblem(k, "không được để trống (required)") for k in missing])
    if document_date > received_on:
        raise FormError([FieldProblem("document_date", "ngày văn bản sau ngày đến; kiểm tra lại ngày")])
    number = next_number(session, receiver_code, INCOMING_SERIES, str(received_on.year))
    entry = IncomingEntry(
        receiver_code=receiver_code, year=received_on.year, arrival_number=number, received_on=received_on,
        sender=sender, sender_code=sender_code, number_symbol=number_symbol, document_date=document_date,
        subject=subject, urgency=urgency, handling_unit=handling_unit, deadline=deadline,
        instruction=instruction, directive_id=directive_id, registered_by=actor, registered_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def assign_incoming(session: Session, entry_id: int, *, handling_unit: str, instruction: str | None = None,
                    deadline: date | None = None) -> IncomingEntry:
    """Record the leader's instruction (bút phê): handling unit, instruction, deadline."""
    entry = session.get(IncomingEntry, entry_id)
    if entry is None:
        raise NotFound(f"không có văn bản đến id={entry_id}")
    entry.handling_unit, entry.instruction, entry.deadline = handling_unit, instruction, deadline
    session.flush()
    return entry


def incoming_page(session: Session, receiver_code: str, year: int) -> list[IncomingEntry]:
    """Rows of the incoming register of one receiver and year, in arrival order."""
    query = select(IncomingEntry).where(IncomingEntry.receiver_code == receiver_code, IncomingEntry.year == year)
    return list(session.scalars(query.order_by(IncomingEntry.arrival_number)))
