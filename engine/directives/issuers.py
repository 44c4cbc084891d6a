"""Issuing bodies as data: how each prints its header, its drafting units, its signers (signature
blocks to choose from) and its saved Nơi nhận lists (presets). Shipped in
workflows/directory/issuers.yaml, loaded into tables; a body without a profile gets one derived
from the directory (its name upper-cased, its province as place, Party or State by its kind).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..directory.models import Body
from ..kernel.db import Base
from ..kernel.errors import FieldProblem, FormError, NotFound
from ..kernel.resources import workflows_dir
from ..model.directive import Side, Signature

PARTY_KINDS = ("province_party_committee", "party_standing_committee", "party_board", "party_office")
MAX_PRESET_LINES = 200


class IssuerProfile(Base):
    """How one issuing body prints its documents."""

    __tablename__ = "issuer_profile"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    printed_name: Mapped[str] = mapped_column(Text)
    parent_printed_name: Mapped[str | None] = mapped_column(Text)
    symbol: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(100))
    side: Mapped[str] = mapped_column(String(10))
    default_unit: Mapped[str] = mapped_column(String(30))
    units: Mapped[list] = mapped_column(JSON, default=list)  # [{"code", "name"}]


class IssuerSigner(Base):
    """One signature block an issuing body may sign with, in the order offered."""

    __tablename__ = "issuer_signer"
    __table_args__ = (UniqueConstraint("issuer_code", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(100), index=True)
    position: Mapped[int] = mapped_column(Integer)
    authority: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))


class RecipientPreset(Base):
    """A saved Nơi nhận list of an issuing body ("Thường trực Tỉnh ủy; Thường trực HĐND tỉnh; …")."""

    __tablename__ = "recipient_preset"
    __table_args__ = (UniqueConstraint("issuer_code", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_code: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    lines: Mapped[list] = mapped_column(JSON, default=list)  # [{"text", "code"}]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime | None]


@dataclass(frozen=True)
class SignerChoice:
    """A signature block offered to the drafter and the signer; `key` identifies it in forms."""

    key: str
    signature: Signature

    @property
    def label(self) -> str:
        """"KT. CHỦ TỊCH / PHÓ CHỦ TỊCH — Đoàn Thanh Sơn"."""
        sig = self.signature
        head = " / ".join(x for x in (sig.authority, sig.title) if x)
        return f"{head} — {sig.name}"


@dataclass(frozen=True)
class Profile:
    """An issuing body's header, units, signers and presets."""

    code: str
    name: str  # the directory name ("Ủy ban nhân dân tỉnh Lạng Sơn")
    printed_name: str
    parent_printed_name: str | None
    symbol: str
    place: str
    side: Side
    default_unit: str
    units: list[dict] = field(default_factory=list)
    signers: list[SignerChoice] = field(default_factory=list)

    @property
    def province(self) -> str:
        return self.place

    def unit_name(self, code: str) -> str:
        """The drafting unit's name (its code when unknown)."""
        return next((u["name"] for u in self.units if u["code"] == code), code)


def signer_key(sig: Signature) -> str:
    """A stable key of a signature block for forms ("KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Đoàn Thanh Sơn")."""
    return "|".join([sig.authority or "", sig.title, sig.name])


def signature_from_key(key: str) -> Signature:
    """The signature block of a key made by signer_key; FormError if it is not one."""
    parts = str(key or "").split("|")
    if len(parts) != 3 or not parts[1].strip() or not parts[2].strip():
        raise FormError([FieldProblem("signer", "chọn người ký trong danh sách")])
    return Signature(parts[0] or None, parts[1], parts[2])


def load_issuers(session: Session, path: str | Path | None = None) -> int:
    """Upsert the issuing bodies of the YAML file (default: the shipped one); returns how many."""
    source = Path(path or workflows_dir() / "directory" / "issuers.yaml")
    entries = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).get("issuers") or []
    for e in entries:
        profile = session.get(IssuerProfile, e["code"]) or IssuerProfile(code=e["code"])
        profile.printed_name, profile.parent_printed_name = e["printed_name"], e.get("parent_printed_name")
        profile.symbol, profile.place, profile.side = e["symbol"], e["place"], Side(e["side"]).value
        profile.default_unit, profile.units = e["default_unit"], [dict(u) for u in e.get("units") or []]
        session.add(profile)
        session.execute(delete(IssuerSigner).where(IssuerSigner.issuer_code == e["code"]))
        for position, s in enumerate(e.get("signers") or []):
            session.add(IssuerSigner(issuer_code=e["code"], position=position, authority=s.get("authority"),
                                     title=s["title"], name=s["name"]))
        for preset in e.get("presets") or []:
            existing = session.scalar(select(RecipientPreset).where(RecipientPreset.issuer_code == e["code"],
                                                                    RecipientPreset.name == preset["name"]))
            if existing is None:
                session.add(RecipientPreset(issuer_code=e["code"], name=preset["name"],
                                            lines=[dict(line) for line in preset["lines"]], created_by="system"))
    session.flush()
    return len(entries)


def _derived(body: Body) -> IssuerProfile:
    """A profile for a body the file does not describe: its name upper-cased, its province."""
    side = Side.PARTY if body.kind in PARTY_KINDS else Side.STATE
    return IssuerProfile(code=body.code, printed_name=body.name.upper(), parent_printed_name=None,
                         symbol=body.symbol or body.code.split(".")[-1], place=body.province or "",
                         side=side.value, default_unit="VP", units=[{"code": "VP", "name": "Văn phòng"}])


def issuer_profile(session: Session, code: str) -> Profile:
    """The profile of an issuing body; NotFound when the body is not in the directory either."""
    body = session.get(Body, code)
    row = session.get(IssuerProfile, code)
    if row is None:
        if body is None:
            raise NotFound(f"không có cơ quan mã {code!r} trong danh mục")
        row = _derived(body)
    signers = [SignerChoice(signer_key(sig), sig) for sig in (
        Signature(s.authority, s.title, s.name) for s in session.scalars(
            select(IssuerSigner).where(IssuerSigner.issuer_code == code).order_by(IssuerSigner.position)))]
    return Profile(code=code, name=body.name if body is not None else row.printed_name,
                   printed_name=row.printed_name, parent_printed_name=row.parent_printed_name, symbol=row.symbol,
                   place=row.place, side=Side(row.side), default_unit=row.default_unit, units=list(row.units or []),
                   signers=signers)


def presets_of(session: Session, code: str) -> list[RecipientPreset]:
    """The saved Nơi nhận lists of an issuing body, by name."""
    return list(session.scalars(select(RecipientPreset).where(RecipientPreset.issuer_code == code)
                                .order_by(RecipientPreset.name)))


def save_preset(session: Session, code: str, name: str, lines: list[dict], *, actor: str,
                now: datetime) -> RecipientPreset:
    """Save (or replace) a named Nơi nhận list of an issuing body."""
    name = " ".join((name or "").split())
    kept = [{"text": " ".join(str(line.get("text") or "").split()), "code": line.get("code") or None}
            for line in lines if str(line.get("text") or "").strip()]
    problems = []
    if not name:
        problems.append(FieldProblem("preset_name", "đặt tên cho danh sách Nơi nhận"))
    if not kept:
        problems.append(FieldProblem("preset_name", "danh sách Nơi nhận đang trống"))
    if len(kept) > MAX_PRESET_LINES or len(name) > 200:
        problems.append(FieldProblem("preset_name", f"tối đa {MAX_PRESET_LINES} dòng, tên tối đa 200 ký tự"))
    if problems:
        raise FormError(problems)
    preset = session.scalar(select(RecipientPreset).where(RecipientPreset.issuer_code == code,
                                                          RecipientPreset.name == name))
    if preset is None:
        preset = RecipientPreset(issuer_code=code, name=name, created_by=actor, created_at=now)
        session.add(preset)
    preset.lines = kept
    session.flush()
    return preset
