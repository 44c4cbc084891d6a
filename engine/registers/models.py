"""Tables of the registers (sổ đăng ký văn bản đi / đến), their number counters and Party terms."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.db import Base


class PartyTerm(Base):
    """Nhiệm kỳ: a Party Committee's term; Party numbers run per document type through one term."""

    __tablename__ = "party_term"
    __table_args__ = (UniqueConstraint("issuer_code", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(100), index=True)
    label: Mapped[str] = mapped_column(String(40))  # "2020-2025"
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)  # inclusive; None while the term runs


class NumberCounter(Base):
    """Last number given per (issuer, series, period); locked while a number is issued."""

    __tablename__ = "number_counter"
    __table_args__ = (UniqueConstraint("issuer_code", "series", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(100))
    series: Mapped[str] = mapped_column(String(20))  # instrument ("CT", "CV", …) or "DEN" (incoming)
    period: Mapped[str] = mapped_column(String(40))  # "2024" or a Party term label "2020-2025"
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class OutgoingEntry(Base):
    """One line of the register of outgoing documents; a cancelled number stays, with its reason."""

    __tablename__ = "outgoing_entry"
    __table_args__ = (UniqueConstraint("issuer_code", "series", "period", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(100), index=True)
    side: Mapped[str] = mapped_column(String(10))
    series: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(60))  # ký hiệu: "CT-UBND", "CT/TU", "UBND-KGVX"
    number_text: Mapped[str] = mapped_column(String(80))  # "05/CT-UBND", "25-CT/TU"
    issued_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    signer: Mapped[str] = mapped_column(String(200))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    directive_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="issued")  # issued | cancelled
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime | None]
    # NĐ 30/2020 Phụ lục IV.I: đơn vị, người nhận bản lưu; số lượng bản; ngày chuyển; ký nhận; ghi chú.
    archive_holder: Mapped[str | None] = mapped_column(String(200))
    copies: Mapped[int | None] = mapped_column(Integer)
    dispatched_on: Mapped[date | None] = mapped_column(Date)
    received_by: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancelled_at: Mapped[datetime | None]


class IncomingEntry(Base):
    """One line of the register of incoming documents (số đến per receiving body and year)."""

    __tablename__ = "incoming_entry"
    __table_args__ = (UniqueConstraint("receiver_code", "year", "arrival_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receiver_code: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer)
    arrival_number: Mapped[int] = mapped_column(Integer)
    received_on: Mapped[date] = mapped_column(Date)
    sender: Mapped[str] = mapped_column(String(400))
    sender_code: Mapped[str | None] = mapped_column(String(100))
    number_symbol: Mapped[str] = mapped_column(String(80))  # "15/CT-TTg"
    document_date: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str | None] = mapped_column(String(20))
    handling_unit: Mapped[str | None] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    instruction: Mapped[str | None] = mapped_column(Text)  # bút phê / ý kiến chỉ đạo
    directive_id: Mapped[int | None] = mapped_column(Integer, index=True)
    registered_by: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime | None]
    # NĐ 30/2020 Phụ lục IV.VI–VIII: tên loại; đơn vị chủ trì và phối hợp (tên); ngày chuyển; ký nhận;
    # tiến độ giải quyết; văn bản trả lời; ghi chú.
    document_type: Mapped[str | None] = mapped_column(String(60))  # "Chỉ thị"
    handling_unit_name: Mapped[str | None] = mapped_column(String(400))
    partner_units: Mapped[list | None] = mapped_column(JSON)  # [{"code", "name"}]
    assigned_on: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[str | None] = mapped_column(String(200))
    received_by: Mapped[str | None] = mapped_column(String(200))
    progress: Mapped[str | None] = mapped_column(Text)
    reply_ref: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # The file that arrived (PDF or .docx), stored once by its hash.
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
