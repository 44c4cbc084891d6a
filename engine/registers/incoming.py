"""Register of incoming documents (sổ đăng ký văn bản đến): arrival numbers per receiver and year."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..kernel import faults
from ..kernel.errors import FieldProblem, FormError, NotFound
from .models import IncomingEntry
from .numbering import claim_number, next_number, peek_next

INCOMING_SERIES = "DEN"  # văn bản đến


def register_incoming(session: Session, *, receiver_code: str, received_on: date, sender: str,
                      number_symbol: str, document_date: date, subject: str, actor: str,
                      handling_unit: str | None = None, deadline: date | None = None,
                      instruction: str | None = None, sender_code: str | None = None,
                      urgency: str | None = None, directive_id: int | None = None,
                      now: datetime | None = None, arrival_number: int | None = None,
                      document_type: str | None = None, received_by: str | None = None) -> IncomingEntry:
    """Register an arriving document with the next arrival number of the receiver's year.

    `arrival_number` keeps a number already written on the document (the "ĐẾN" stamp): it must be
    positive and not used yet that year; the register then continues after the highest number."""
    missing = [k for k, v in (("sender", sender), ("number_symbol", number_symbol), ("subject", subject))
               if not (v or "").strip()]
    if missing:
        raise FormError([FieldProblem(k, "không được để trống (required)") for k in missing])
    if document_date > received_on:
        raise FormError([FieldProblem("document_date", "ngày văn bản sau ngày đến; kiểm tra lại ngày")])
    period = str(received_on.year)
    if arrival_number is None:
        number = next_number(session, receiver_code, INCOMING_SERIES, period)
    else:
        number = arrival_number
        used = session.scalar(select(IncomingEntry).where(IncomingEntry.receiver_code == receiver_code,
                                                          IncomingEntry.year == received_on.year,
                                                          IncomingEntry.arrival_number == number))
        if number < 1:
            raise FormError([FieldProblem("arrival_number", "số đến phải là số nguyên dương (từ 1)")])
        if used is not None:
            raise FormError([FieldProblem("arrival_number", (
                f"số đến {number} năm {received_on.year} đã dùng cho {used.number_symbol} ngày "
                f"{used.received_on:%d/%m/%Y}; để trống để lấy số tiếp theo "
                f"({peek_next(session, receiver_code, INCOMING_SERIES, period)})"))])
        claim_number(session, receiver_code, INCOMING_SERIES, period, number)
    entry = IncomingEntry(
        receiver_code=receiver_code, year=received_on.year, arrival_number=number, received_on=received_on,
        sender=sender, sender_code=sender_code, number_symbol=number_symbol, document_date=document_date,
        subject=subject, urgency=urgency, handling_unit=handling_unit, deadline=deadline,
        instruction=instruction, directive_id=directive_id, registered_by=actor, registered_at=now,
        document_type=document_type, received_by=received_by,
    )
    session.add(entry)
    session.flush()
    faults.reach("register_entry_written")
    return entry


def next_arrival_number(session: Session, receiver_code: str, year: int) -> int:
    """The arrival number the register would give next (shown on the intake page; nothing taken)."""
    return peek_next(session, receiver_code, INCOMING_SERIES, str(year))


def assign_incoming(session: Session, entry_id: int, *, handling_unit: str, instruction: str | None = None,
                    deadline: date | None = None, handling_unit_name: str | None = None,
                    partner_units: list[dict] | None = None, assigned_on: date | None = None,
                    assigned_by: str | None = None) -> IncomingEntry:
    """Record the leader's instruction (bút phê): lead unit (chủ trì), partner units (phối hợp),
    instruction, deadline, and when and by whom it was given (ngày chuyển)."""
    entry = session.get(IncomingEntry, entry_id)
    if entry is None:
        raise NotFound(f"không có văn bản đến id={entry_id}")
    entry.handling_unit, entry.instruction, entry.deadline = handling_unit, instruction, deadline
    entry.handling_unit_name = handling_unit_name or entry.handling_unit_name
    entry.partner_units = list(partner_units or [])
    entry.assigned_on, entry.assigned_by = assigned_on, assigned_by
    session.flush()
    return entry


def find_incoming(session: Session, receiver_code: str, number_symbol: str,
                  document_date: date) -> IncomingEntry | None:
    """The entry of a document already registered by this receiver (identity: number/ký hiệu and date)."""
    wanted = "".join(number_symbol.split()).upper()
    for entry in session.scalars(select(IncomingEntry).where(IncomingEntry.receiver_code == receiver_code,
                                                             IncomingEntry.document_date == document_date)):
        if "".join(entry.number_symbol.split()).upper() == wanted:
            return entry
    return None


def incoming_for_directive(session: Session, directive_id: int) -> IncomingEntry | None:
    """The incoming document a directive answers (its intake), if any."""
    return session.scalars(select(IncomingEntry).where(IncomingEntry.directive_id == directive_id)
                           .order_by(IncomingEntry.id).limit(1)).first()


def incoming_page(session: Session, receiver_code: str, year: int) -> list[IncomingEntry]:
    """Rows of the incoming register of one receiver and year, in arrival order."""
    query = select(IncomingEntry).where(IncomingEntry.receiver_code == receiver_code, IncomingEntry.year == year)
    return list(session.scalars(query.order_by(IncomingEntry.arrival_number)))
