"""Administration of document templates: see which template is in force for each kind and side,
download it, upload a replacement (validated, versioned, audited) or go back to the shipped one.

Every function opens its own session through the engine and requires an administrator.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..kernel.accounts import Actor, require_admin
from ..kernel.models import StoredBlob
from .kinds import KINDS, SIDES, check_side, kind_spec
from .render import shipped_template
from .store import DocumentStore, DocumentTemplate

SIDE_TITLES = {"state": "Nhà nước", "party": "Đảng"}

INLINE_HELP = {
    "issuer": "Tên cơ quan ban hành (chữ in hoa, xuống dòng giữa các dòng tên)",
    "parent_issuer": "Tên cơ quan chủ quản (có thể rỗng)",
    "number_line": "Số, ký hiệu, ví dụ «Số: 05/CT-UBND» hoặc «Số 25-CT/TU» (rỗng ở sổ đăng ký)",
    "place_date": "Địa danh và ngày tháng, ví dụ «Lạng Sơn, ngày 16 tháng 5 năm 2024»",
    "type_name": "Tên loại văn bản, ví dụ «CHỈ THỊ», «BÁO CÁO» (rỗng với công văn)",
    "subject": "Trích yếu nội dung",
    "cv_subject": "Trích yếu của công văn, ví dụ «V/v gửi Chỉ thị» (chỉ công văn)",
    "urgency": "Dấu mức độ khẩn: rỗng, «KHẨN», «THƯỢNG KHẨN» hoặc «HỎA TỐC»",
    "draft_label": "Dấu «DỰ THẢO LẦN …» trên dự thảo của Đảng, ngoài ra rỗng",
    "signer_name": "Họ tên người ký",
    "side": "Khối: «state» (Nhà nước) hoặc «party» (Đảng)",
}
BLOCK_HELP = {
    "legal_basis": "Các dòng căn cứ (in nghiêng)",
    "body": "Nội dung chính: các đoạn có số mục, tiêu đề đậm",
    "addressees": "Kính gửi: danh sách nơi gửi",
    "recipients": "Nơi nhận (dòng Lưu in cuối)",
    "signature": "Khối chữ ký: quyền hạn, chức vụ, họ tên",
    "opinions": "Ý kiến của người thẩm định (phiếu trình)",
    "figures": "Bảng số liệu của báo cáo đơn vị",
    "report_rows": "Bảng tình hình báo cáo của các cơ quan, đơn vị",
    "register_rows": "Bảng sổ đăng ký văn bản đi (10 nội dung, NĐ 30/2020 Phụ lục IV.I)",
    "incoming_rows": "Bảng sổ đăng ký văn bản đến (10 nội dung, Phụ lục IV.VI)",
    "followup_rows": "Bảng sổ theo dõi giải quyết văn bản đến (7 nội dung, Phụ lục IV.VIII)",
    "comment_rows": "Bảng ý kiến góp ý và việc tiếp thu, giải trình",
}
INLINE_ORDER = ("parent_issuer", "issuer", "number_line", "place_date", "urgency", "draft_label",
                "type_name", "subject", "cv_subject", "signer_name", "side")


@dataclass(frozen=True)
class TemplateSlot:
    """The template in force for one (kind, side) and who put it there."""

    kind: str
    side: str
    kind_title: str
    side_title: str
    uploaded: bool  # False: the shipped template from templates/ is in force
    version: int | None  # version of the uploaded template in force
    uploaded_by: str | None
    uploaded_at: datetime | None
    earlier_uploads: int  # uploads for this slot that are not in force


@dataclass(frozen=True)
class TemplateUpload:
    """One uploaded version of a template (kept even after a newer upload or a revert)."""

    version: int
    active: bool
    uploaded_by: str
    uploaded_at: datetime
    size: int
    sha256: str


def _require_admin(actor: Actor) -> None:
    require_admin(actor, "xem và thay mẫu văn bản")


def _check_slot(kind: str, side: str) -> None:
    kind_spec(kind)
    check_side(side)


def _slot(session, kind: str, side: str) -> TemplateSlot:
    rows = list(session.scalars(select(DocumentTemplate)
                                .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side)
                                .order_by(DocumentTemplate.version.desc())))
    active = next((r for r in rows if r.active), None)
    return TemplateSlot(kind=kind, side=side, kind_title=KINDS[kind].title, side_title=SIDE_TITLES[side],
                        uploaded=active is not None, version=active.version if active else None,
                        uploaded_by=active.uploaded_by if active else None,
                        uploaded_at=active.uploaded_at if active else None,
                        earlier_uploads=len(rows) - (1 if active else 0))


def template_overview(engine, actor: Actor) -> list[TemplateSlot]:
    """One row per (kind, side): which template is in force, its version and uploader."""
    _require_admin(actor)
    with engine.db.session() as s:
        return [_slot(s, kind, side) for kind in KINDS for side in SIDES]


def template_slot(engine, actor: Actor, kind: str, side: str) -> TemplateSlot:
    """The row of one (kind, side)."""
    _require_admin(actor)
    _check_slot(kind, side)
    with engine.db.session() as s:
        return _slot(s, kind, side)


def template_history(engine, actor: Actor, kind: str, side: str) -> list[TemplateUpload]:
    """Every upload of (kind, side), newest first."""
    _require_admin(actor)
    _check_slot(kind, side)
    with engine.db.session() as s:
        rows = s.execute(select(DocumentTemplate, StoredBlob.size)
                         .join(StoredBlob, StoredBlob.sha256 == DocumentTemplate.sha256)
                         .where(DocumentTemplate.kind == kind, DocumentTemplate.side == side)
                         .order_by(DocumentTemplate.version.desc())).all()
        return [TemplateUpload(version=row.version, active=row.active, uploaded_by=row.uploaded_by,
                               uploaded_at=row.uploaded_at, size=size, sha256=row.sha256)
                for row, size in rows]


def template_file(engine, actor: Actor, kind: str, side: str) -> tuple[str, bytes]:
    """(filename, .docx bytes) of the template in force: the uploaded one, else the shipped file."""
    _require_admin(actor)
    _check_slot(kind, side)
    with engine.db.session() as s:
        slot = _slot(s, kind, side)
        data = DocumentStore().active_template(s, kind, side)
    if data is None:
        return f"{kind}.{side}.docx", shipped_template(kind, side)
    return f"{kind}.{side}.v{slot.version}.docx", data


def upload_template(engine, actor: Actor, kind: str, side: str, data: bytes) -> TemplateSlot:
    """Validate and store a new template for (kind, side); refused ones raise TemplateRejected."""
    _require_admin(actor)
    _check_slot(kind, side)
    with engine.transaction() as s:
        row = DocumentStore().upload_template(s, kind, side, data, actor.username, engine.clock.now())
        s.flush()
        engine.record(s, actor.username, "template_uploaded", None,
                      {"kind": kind, "side": side, "version": row.version, "sha256": row.sha256,
                       "size": len(data)})
        return _slot(s, kind, side)


def revert_template(engine, actor: Actor, kind: str, side: str) -> TemplateSlot:
    """Put the shipped template back in force for (kind, side); uploads stay in the history."""
    _require_admin(actor)
    _check_slot(kind, side)
    with engine.transaction() as s:
        before = _slot(s, kind, side)
        if before.uploaded:
            DocumentStore().revert_template(s, kind, side)
            s.flush()
            engine.record(s, actor.username, "template_reverted", None,
                          {"kind": kind, "side": side, "replaced_version": before.version})
        return _slot(s, kind, side)


def placeholders(kind: str) -> list[tuple[str, str]]:
    """The documented placeholders of `kind` as (name, Vietnamese description): inline keys, then blocks."""
    spec = kind_spec(kind)
    inline = [(name, INLINE_HELP[name]) for name in INLINE_ORDER]
    blocks = [(name, BLOCK_HELP[name] + " — khối, đặt riêng một đoạn") for name in spec.blocks]
    return inline + blocks
