"""Roles of the people who use the product, with their Vietnamese names, and which role does the
work of each lane name the shipped models use (a task's `role` property overrides its lane)."""
from __future__ import annotations

ADMIN = "admin"

ROLE_LABELS: dict[str, str] = {
    "clerk": "Chuyên viên",
    "leader": "Lãnh đạo",
    "records_clerk": "Văn thư",
    "unit_head": "Trưởng phòng",
    "office_reviewer": "Văn phòng (kiểm tra thể thức)",
    "body_officer": "Cán bộ đơn vị",
    ADMIN: "Quản trị hệ thống",
}

LANE_ROLES: dict[str, str] = {
    "Chuyên viên": "clerk",
    "Chuyên viên soạn thảo": "clerk",
    "Lãnh đạo đơn vị": "unit_head",
    "Lãnh đạo đơn vị soạn thảo": "unit_head",
    "Văn phòng": "office_reviewer",
    "Lãnh đạo": "leader",
    "Người ký": "leader",
    "Văn thư": "records_clerk",
    "Đơn vị được giao": "body_officer",
    "Cán bộ đơn vị được giao": "body_officer",
    "Quản trị": ADMIN,
}


def role_label(role: str | None) -> str:
    """The Vietnamese name of a role code (the code itself when unknown)."""
    return ROLE_LABELS.get(role or "", role or "")
