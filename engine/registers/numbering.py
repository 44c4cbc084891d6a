"""Outgoing register and document numbering (cấp số văn bản đi).

State numbers restart at 1 every 1 January, per issuer and series (document type); Party numbers
run per document type through one Party Committee term. A counter row per (issuer, series, period)
is locked while a number is taken (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the caller's
`Database.session(write=True)` holds the database write lock), and a UNIQUE constraint on the
register is the last guard. A number is never reused: cancelling keeps it, with the reason.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..directory.models import Body
from ..directory.service import load_bodies
from ..kernel import faults
from ..kernel.errors import FieldProblem, FormError, InvalidState, NotFound
from ..kernel.resources import workflows_dir
from ..model.directive import Instrument, Side
from .models import NumberCounter, OutgoingEntry, PartyTerm


def _require_write_lock(session: Session) -> None:
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.info.get("immediate"):
        raise InvalidState(
            "cấp số trên SQLite cần phiên ghi: dùng Database.session(write=True) "
            "(numbering needs the write lock taken at BEGIN)"
        )


def _locked_counter(session: Session, issuer_code: str, series: str, period: str) -> NumberCounter:
    """The counter row of (issuer, series, period), created at 0 if needed, locked for this transaction."""
    _require_write_lock(session)
    query = (
        select(NumberCounter)
        .where(NumberCounter.issuer_code == issuer_code, NumberCounter.series == series,
               NumberCounter.period == period)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalars(query).one_or_none()
    if counter is None:
        try:
            with session.begin_nested():
                session.add(NumberCounter(issuer_code=issuer_code, series=series, period=period, last_number=0))
        except IntegrityError:  # another transaction created it first; its row is locked below
            pass
        counter = session.scalars(query).one()
    return counter


def next_number(session: Session, issuer_code: str, series: str, period: str) -> int:
    """Take the next number of a counter, creating it at 0 if needed; the row stays locked."""
    counter = _locked_counter(session, issuer_code, series, period)
    counter.last_number += 1
    session.flush()
    return counter.last_number


def claim_number(session: Session, issuer_code: str, series: str, period: str, number: int) -> None:
    """Record that `number` was used outside the counter (a document numbered before it reached the
    system): the counter moves up to it, so the next number given follows the highest one used."""
    if number < 1:
        raise FormError([FieldProblem("number", "số phải là số nguyên dương")])
    counter = _locked_counter(session, issuer_code, series, period)
    counter.last_number = max(counter.last_number, number)
    session.flush()


def peek_next(session: Session, issuer_code: str, series: str, period: str) -> int:
    """The number the counter would give next (nothing is taken)."""
    last = session.scalar(select(NumberCounter.last_number).where(
        NumberCounter.issuer_code == issuer_code, NumberCounter.series == series, NumberCounter.period == period))
    return (last or 0) + 1


def add_party_term(session: Session, issuer_code: str, label: str, start: date, end: date | None) -> PartyTerm:
    """Record (or correct) a Party Committee term."""
    term = session.scalars(select(PartyTerm).where(
        PartyTerm.issuer_code == issuer_code, PartyTerm.label == label)).one_or_none()
    if term is None:
        term = PartyTerm(issuer_code=issuer_code, label=label, start=start, end=end)
        session.add(term)
    else:
        term.start, term.end = start, end
    session.flush()
    return term


def load_party_terms(session: Session, path: str | Path | None = None) -> int:
    """Upsert the Party terms of the YAML file (default: the shipped one); returns how many."""
    source = Path(path or workflows_dir() / "directory" / "party_terms.yaml")
    entries = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).get("terms") or []
    for e in entries:
        add_party_term(session, e["issuer"], str(e["label"]), e["start"], e.get("end"))
    return len(entries)


def party_term_on(session: Session, issuer_code: str, on: date) -> PartyTerm:
    """The Party term of `issuer_code` running on `on`; InvalidState names what to add if none."""
    terms = session.scalars(select(PartyTerm).where(PartyTerm.issuer_code == issuer_code)).all()
    for term in terms:
        if term.start <= on and (term.end is None or on <= term.end):
            return term
    raise InvalidState(
        f"chưa có nhiệm kỳ của {issuer_code} chứa ngày {on:%d/%m/%Y}; thêm nhiệm kỳ (party_term) "
        f"trước khi cấp số văn bản Đảng"
    )


def _issuer_symbol(session: Session, issuer_code: str, given: str | None) -> str:
    if given:
        return given
    body = session.get(Body, issuer_code)
    if body is None or not body.symbol:
        raise FormError([FieldProblem("issuer_symbol",
                                      f"không biết ký hiệu của {issuer_code}; truyền issuer_symbol (e.g. 'UBND')")])
    return body.symbol


def format_number(side: Side, instrument: Instrument, number: int, issuer_symbol: str,
                  drafting_unit: str | None = None) -> tuple[str, str]:
    """(ký hiệu, số/ký hiệu): State "05/CT-UBND", "12/UBND-KGVX"; Party "25-CT/TU"."""
    if side is Side.PARTY:
        symbol = f"{instrument.value}/{issuer_symbol}"
        return symbol, f"{number:02d}-{symbol}"
    if instrument is Instrument.CONG_VAN:
        if not drafting_unit:
            raise FormError([FieldProblem("drafting_unit", "công văn cần mã đơn vị soạn thảo (e.g. 'KGVX')")])
        symbol = f"{issuer_symbol}-{drafting_unit}"
    else:
        symbol = f"{instrument.value}-{issuer_symbol}"
    return symbol, f"{number:02d}/{symbol}"


def issue_number(session: Session, *, issuer_code: str, instrument: Instrument | str, side: Side | str,
                 on: date, subject: str, signer: str, directive_id: int | None = None, actor: str,
                 recipients: list[str] | None = None, issuer_symbol: str | None = None,
                 drafting_unit: str | None = None, now: datetime | None = None, number: int | None = None,
                 archive_holder: str | None = None, copies: int | None = None,
                 dispatched_on: date | None = None, received_by: str | None = None,
                 note: str | None = None) -> OutgoingEntry:
    """Give the next number of the issuer's series and register the document as issued.

    With `number`, register a document numbered before it reached the system (an import): refused
    when that number is already in the register; the counter then continues after it. The other
    keywords are the remaining contents of NĐ 30/2020 Phụ lục IV.I (bản lưu, số bản, ngày chuyển…).
    """
    instrument, side = Instrument(instrument), Side(side)
    if not subject.strip() or not signer.strip():
        raise FormError([FieldProblem(k, "không được để trống (required)")
                         for k, v in (("subject", subject), ("signer", signer)) if not v.strip()])
    period = party_term_on(session, issuer_code, on).label if side is Side.PARTY else str(on.year)
    symbol_part = _issuer_symbol(session, issuer_code, issuer_symbol)
    if number is None:
        number = next_number(session, issuer_code, instrument.value, period)
    else:
        taken = session.scalar(select(OutgoingEntry).where(
            OutgoingEntry.issuer_code == issuer_code, OutgoingEntry.series == instrument.value,
            OutgoingEntry.period == period, OutgoingEntry.number == number))
        if taken is not None:
            raise FormError([FieldProblem("number", f"số {taken.number_text} ({_period_words(side, period)}) đã có "
                                                    f"trong sổ văn bản đi, ngày {taken.issued_on:%d/%m/%Y}: "
                                                    f"{taken.subject[:80]}")])
        claim_number(session, issuer_code, instrument.value, period, number)
    symbol, number_text = format_number(side, instrument, number, symbol_part, drafting_unit)
    entry = OutgoingEntry(
        issuer_code=issuer_code, side=side.value, series=instrument.value, period=period, number=number,
        symbol=symbol, number_text=number_text, issued_on=on, subject=subject, signer=signer,
        recipients=list(recipients or []), directive_id=directive_id, status="issued",
        issued_by=actor, issued_at=now, archive_holder=archive_holder, copies=copies,
        dispatched_on=dispatched_on, received_by=received_by, note=note,
    )
    session.add(entry)
    session.flush()
    faults.reach("register_entry_written")
    return entry


def _period_words(side: Side, period: str) -> str:
    return f"nhiệm kỳ {period}" if side is Side.PARTY else f"năm {period}"


def cancel_issuance(session: Session, entry_id: int, reason: str, actor: str,
                    now: datetime | None = None) -> OutgoingEntry:
    """Mark an issued number cancelled with its reason; the number is kept, never reused."""
    if not reason or not reason.strip():
        raise FormError([FieldProblem("reason", "cần ghi lý do hủy số (a reason is required)")])
    entry = session.get(OutgoingEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound(f"không có số văn bản đi id={entry_id}")
    if entry.status == "cancelled":
        raise InvalidState(f"số {entry.number_text} đã hủy ngày {entry.cancelled_at} bởi {entry.cancelled_by}")
    entry.status, entry.cancel_reason = "cancelled", reason.strip()
    entry.cancelled_by, entry.cancelled_at = actor, now
    session.flush()
    return entry


def outgoing_page(session: Session, issuer_code: str, period: int | str, *,
                  series: str | None = None) -> list[OutgoingEntry]:
    """Register rows in number order: `period` is a year (int) or a Party term label (str)."""
    query = select(OutgoingEntry).where(OutgoingEntry.issuer_code == issuer_code)
    if isinstance(period, int):
        query = query.where(OutgoingEntry.issued_on >= date(period, 1, 1),
                            OutgoingEntry.issued_on <= date(period, 12, 31))
    else:
        query = query.where(OutgoingEntry.period == period)
    if series is not None:
        query = query.where(OutgoingEntry.series == series)
    return list(session.scalars(query.order_by(OutgoingEntry.series, OutgoingEntry.period, OutgoingEntry.number)))


def load_reference_data(engine) -> dict:
    """Load (upsert) the shipped directory of bodies and the Party terms; returns the counts read."""
    with engine.db.session(write=True) as s:
        return {"bodies": load_bodies(s), "party_terms": load_party_terms(s)}
