"""Vietnamese labels and date formats for templates. Times are stored in UTC and shown on the office
clock (engine.kernel.calendar: Vietnam, UTC+7)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from engine.kernel.calendar import local
from engine.office.roles import role_label

INSTANCE_STATUS_LABELS = {
    "running": "Đang xử lý",
    "completed": "Đã hoàn thành",
    "error": "Gặp lỗi",
    "suspended": "Tạm dừng",
    "terminated": "Đã hủy",
}

TASK_STATUS_LABELS = {
    "ready": "Chờ xử lý",
    "claimed": "Đã nhận",
    "completed": "Đã hoàn thành",
    "cancelled": "Đã hủy",
}


def vn_datetime(value: datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time (aware datetimes or ISO strings); empty for None."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return local(value).strftime("%d/%m/%Y %H:%M")


def vn_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy; accepts dates, aware datetimes and ISO strings."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = local(value).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def date_input(value) -> str:
    """What a date box shows: dd/mm/yyyy for an ISO date, else the text as typed (kept after a refusal)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y") if len(text) == 10 and text[4] == "-" else text
    except ValueError:
        return text


def is_overdue(task, now: datetime) -> bool:
    """True when the task has a due time that has passed."""
    return task.due_at is not None and task.due_at < now


def init_app(app: Flask) -> None:
    """Register the filters and label tables."""
    app.jinja_env.filters.update(
        vn_datetime=vn_datetime,
        vn_date=vn_date,
        date_input=date_input,
        role_label=role_label,
        instance_status=lambda s: INSTANCE_STATUS_LABELS.get(s, s),
        task_status=lambda s: TASK_STATUS_LABELS.get(s, s),
    )
    app.jinja_env.globals["is_overdue"] = is_overdue
