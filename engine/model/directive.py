"""The directive as data: everything the documents print and the follow-up tracks.

Plain dataclasses, no database: loaded from YAML/JSON descriptions, stored as JSON on the
directive row, and handed to the document builders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Side(str, Enum):
    """Which rule set the document follows: State (NĐ 30/2020) or Party (HD 36-HD/VPTW)."""

    STATE = "state"
    PARTY = "party"


class Instrument(str, Enum):
    """Kind of document (hình thức văn bản); the value is the ký hiệu abbreviation."""

    CHI_THI = "CT"  # Chỉ thị
    CONG_VAN = "CV"  # Công văn: no type name, no type abbreviation in the ký hiệu
    KE_HOACH = "KH"  # Kế hoạch
    CONG_DIEN = "CĐ"  # Công điện
    BAO_CAO = "BC"  # Báo cáo
    TO_TRINH = "TTr"  # Tờ trình
    QUYET_DINH = "QĐ"
    THONG_BAO = "TB"


TYPE_NAMES = {
    Instrument.CHI_THI: "CHỈ THỊ",
    Instrument.KE_HOACH: "KẾ HOẠCH",
    Instrument.CONG_DIEN: "CÔNG ĐIỆN",
    Instrument.BAO_CAO: "BÁO CÁO",
    Instrument.TO_TRINH: "TỜ TRÌNH",
    Instrument.QUYET_DINH: "QUYẾT ĐỊNH",
    Instrument.THONG_BAO: "THÔNG BÁO",
}


@dataclass
class Item:
    """A sub-item of a section: "2.1." or "a)" with an optional heading (often a body's name)."""

    label: str  # as printed: "2.1.", "a)"
    heading: str | None = None  # printed on its own line after the label, e.g. "Công an tỉnh"
    paragraphs: list[str] = field(default_factory=list)  # the first may continue the label's line


@dataclass
class Section:
    """A numbered section: "1." (State) or "1-" (Party), optional heading, paragraphs, sub-items."""

    label: str
    heading: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    trailing: list[str] = field(default_factory=list)  # paragraphs after the sub-items


@dataclass
class ReportingCycle:
    """How often an assigned body reports (`frequency`: "weekly", "monthly", "quarterly", every
    `every_days` days — "days" —, or "once": the final report only) from `start` until `until`,
    plus a final report due on `final_due`. The periods themselves: engine/model/periods.py."""

    every_days: int | None = None
    start: date | None = None
    until: date | None = None
    final_due: date | None = None
    remind_days_before: int = 1
    chase_after_days: int = 1  # công văn đôn đốc this many days after a due date is missed
    escalate_after_days: int = 3  # escalate to the leader this many days after the chasing letter
    frequency: str | None = None  # one of FREQUENCIES; None: "days" with every_days, else "once"

    @property
    def kind(self) -> str:
        """The frequency in force ("days" when only `every_days` is given, "once" when nothing is)."""
        return self.frequency or ("days" if self.every_days else "once")


FREQUENCIES = ("once", "days", "weekly", "monthly", "quarterly")
FREQUENCY_LABELS = {"once": "Một lần (báo cáo cuối)", "days": "Theo số ngày", "weekly": "Hằng tuần",
                    "monthly": "Hằng tháng", "quarterly": "Hằng quý"}


@dataclass
class Assignment:
    """Giao nhiệm vụ: one body (or group of bodies) and its tasks, with deadline and reporting cycle."""

    body_code: str | None  # code in the directory of bodies; None for a group ("các sở, ban, ngành")
    body_name: str  # as printed
    tasks: list[str] = field(default_factory=list)  # short statements of the tasks
    section_ref: str | None = None  # label of the section/item that states them, e.g. "2.a)"
    deadline: date | None = None
    cycle: ReportingCycle | None = None
    lead: bool = False  # chủ trì (lead body) rather than phối hợp
    report_to: str | None = None  # whom the body reports to, as printed ("Sở Giáo dục và Đào tạo")
    report_to_code: str | None = None  # its directory code, when it is a body of the directory


@dataclass
class Recipient:
    """One line of Nơi nhận, in order; the last is the Lưu (archive) line."""

    text: str  # as printed without the leading "- " and trailing ";"/"," e.g. "Sở Y tế"
    body_code: str | None = None
    for_information: bool = True  # False when the body has assigned tasks
    is_archive: bool = False  # "Lưu: VT, KGVX (NTH)" / "Lưu Văn phòng Thành ủy"


@dataclass
class Signature:
    """Signing block: authority line (TM./KT./T/M), title, name."""

    authority: str | None  # e.g. "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "T/M BAN THƯỜNG VỤ", None
    title: str  # "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "BÍ THƯ", "PHÓ BÍ THƯ"
    name: str  # no academic titles


@dataclass
class DocumentRef:
    """Identity of another document: issuer + number/ký hiệu + date (a number alone is ambiguous)."""

    number: str  # "15"
    symbol: str  # "CT-TTg"
    issuer: str  # "Thủ tướng Chính phủ"
    date: date
    subject: str = ""
    issuer_code: str | None = None

    @property
    def citation(self) -> str:
        """e.g. "Chỉ thị số 15/CT-TTg ngày 16/5/2024 của Thủ tướng Chính phủ"."""
        day = f"{self.date.day}/{self.date.month}/{self.date.year}"
        return f"số {self.number}/{self.symbol} ngày {day} của {self.issuer}"


@dataclass
class Directive:
    """A directive (or lighter instrument) as the province issues it."""

    side: Side
    instrument: Instrument
    issuer_code: str  # directory code of the issuing body, e.g. "UBND-LS", "TU-CT"
    issuer_name: str  # as printed in the header, e.g. "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN"
    issuer_symbol: str  # ký hiệu part for the issuer: "UBND", "TU"
    place: str  # "Lạng Sơn"
    subject: str  # trích yếu as printed (Party: "về ...", State: "Về việc ...")
    signature: Signature
    parent_issuer_name: str | None = None  # cơ quan chủ quản, printed above, not bold
    number: int | None = None  # None until the records clerk issues it
    issued_on: date | None = None
    drafting_unit: str = "VP"  # unit code that appears in the Lưu line and in a công văn's ký hiệu
    legal_basis: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    implements: DocumentRef | None = None
    urgency: str | None = None  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"
    addressees: list[str] = field(default_factory=list)  # Kính gửi (công văn)
    draft_number: int | None = None  # Party draft marker "DỰ THẢO lần N"
    year: int | None = None  # for a draft without a date: the year shown in "tháng 5 năm 2024"
    month: int | None = None

    @property
    def symbol(self) -> str:
        """Ký hiệu: State "CT-UBND" (công văn: issuer-unit "UBND-KGVX"); Party "CT/TU"."""
        if self.side is Side.PARTY:
            return f"{self.instrument.value}/{self.issuer_symbol}"
        if self.instrument is Instrument.CONG_VAN:
            return f"{self.issuer_symbol}-{self.drafting_unit}"
        return f"{self.instrument.value}-{self.issuer_symbol}"

    @property
    def number_text(self) -> str | None:
        """Số, ký hiệu as printed ("05/CT-UBND", "25-CT/TU"); None while a draft."""
        return None if self.number is None else number_text(self.side, self.number, self.symbol)

    @property
    def number_line(self) -> str:
        """"Số: 05/CT-UBND" (State), "Số 25-CT/TU" (Party); blank number while a draft."""
        num = "" if self.number is None else f"{self.number:02d}"
        if self.side is Side.PARTY:
            return f"Số {num or '    '}-{self.symbol}"
        return f"Số: {num or '    '}/{self.symbol}"


def number_text(side: Side | str, number: int, symbol: str) -> str:
    """Số, ký hiệu as printed: "05/CT-UBND" (State), "25-CT/TU" (Party); numbers below 10 get a 0."""
    if Side(side) is Side.PARTY:
        return f"{number:02d}-{symbol}"
    return f"{number:02d}/{symbol}"


def directive_date(d: Directive, today: date) -> date:
    """The date the directive speaks for, for the dated directory: its issue date once issued, else
    today within the month and year the draft is dated (a draft of May 2024 speaks for May 2024)."""
    if d.issued_on is not None:
        return d.issued_on
    if d.year is None or (d.year, d.month or today.month) == (today.year, today.month):
        return today
    month = d.month or 12
    last_day = (date(d.year + month // 12, month % 12 + 1, 1) - date.resolution).day
    return date(d.year, month, min(today.day, last_day))
