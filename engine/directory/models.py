"""Table of the directory of bodies. A body is valid from `valid_from` to `valid_to` (both
inclusive, None = open); after it ends, `successors` say which bodies took which functions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..kernel.db import Base


class Body(Base):
    """A body that issues, receives or reports: ministry, People's Committee, department, group…"""

    __tablename__ = "body"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(400))
    short_names: Mapped[list] = mapped_column(JSON, default=list)
    symbol: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(100), index=True)
    province: Mapped[str | None] = mapped_column(String(100), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    successors: Mapped[list] = mapped_column(JSON, default=list)  # [{"code": …, "functions": …}]
    note: Mapped[str | None] = mapped_column(Text)
    search_key: Mapped[str] = mapped_column(Text, default="")  # folded names, accent/case-free
    head_title: Mapped[str | None] = mapped_column(String(100))  # who signs for it: "Giám đốc" (else by kind)
    head_name: Mapped[str | None] = mapped_column(String(200))  # the head's name, when the directory knows it

    def valid_on(self, on: date) -> bool:
        """True when the body exists on `on`."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


HEAD_TITLES = {  # the title of a body's head by its kind, when the directory names none
    "department": "Giám đốc", "police": "Giám đốc", "enterprise": "Giám đốc", "inspectorate": "Chánh Thanh tra",
    "ministry": "Bộ trưởng", "province_people_committee": "Chủ tịch", "people_council": "Chủ tịch",
    "mass_organisation": "Chủ tịch", "party_board": "Trưởng ban", "party_central_board": "Trưởng ban",
    "province_party_committee": "Bí thư", "party_standing_committee": "Bí thư", "party_caucus": "Bí thư",
    "office": "Chánh Văn phòng", "party_office": "Chánh Văn phòng", "party_central_office": "Chánh Văn phòng",
    "press": "Tổng Biên tập",
}


def head_title(kind: str) -> str:
    """The title of the head of a body of `kind` ("Thủ trưởng cơ quan" when the kind names none)."""
    return HEAD_TITLES.get(kind, "Thủ trưởng cơ quan")


class BodyVersion(Base):
    """One state of a body in the directory's history: written at every change (create, edit,
    import), so an administrator sees who changed what and when, and any earlier state."""

    __tablename__ = "body_version"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)  # the body's fields after the change
    change: Mapped[str] = mapped_column(String(20))  # created | updated | imported
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
