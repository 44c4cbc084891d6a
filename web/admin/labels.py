"""Vietnamese names of what the administrators' pages show: audit actions, BPMN element kinds,
aspects of a version comparison, how an audit chain broke, and the reasons a session ended."""
from __future__ import annotations

ACTIONS: dict[str, str] = {
    "instance_started": "Khởi tạo hồ sơ",
    "task_completed": "Hoàn thành việc",
    "task_claimed": "Nhận việc",
    "task_released": "Trả lại việc",
    "timer_fired": "Đến hẹn giờ",
    "timer_failed": "Hẹn giờ không chạy được",
    "message_received": "Nhận thông điệp",
    "message_not_awaited": "Thông điệp không được chờ",
    "instance_completed": "Hồ sơ hoàn thành",
    "instance_suspended": "Tạm dừng hồ sơ",
    "instance_resumed": "Cho hồ sơ tiếp tục",
    "instance_terminated": "Chấm dứt hồ sơ",
    "instance_retried": "Chạy lại hồ sơ",
    "instance_repaired": "Sửa dữ liệu rồi chạy lại",
    "instance_migrated": "Chuyển sang phiên bản mới",
    "definition_deployed": "Triển khai quy trình",
    "draft_saved": "Lưu bản nháp quy trình",
    "draft_discarded": "Bỏ bản nháp quy trình",
    "template_uploaded": "Tải lên mẫu văn bản",
    "template_reverted": "Dùng lại mẫu gốc",
    "user_created": "Tạo tài khoản",
    "user_updated": "Sửa tài khoản",
    "user_disabled": "Khóa tài khoản",
    "user_enabled": "Mở khóa tài khoản",
    "password_reset": "Đặt lại mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "body_created": "Thêm cơ quan vào danh mục",
    "body_updated": "Sửa danh mục cơ quan",
    "directory_imported": "Nhập danh mục cơ quan",
}

ELEMENT_KINDS: dict[str, str] = {
    "process": "Quy trình",
    "lane": "Làn",
    "startEvent": "Bắt đầu",
    "endEvent": "Kết thúc",
    "intermediateCatchEvent": "Sự kiện chờ",
    "intermediateThrowEvent": "Sự kiện phát",
    "boundaryEvent": "Sự kiện gắn vào việc",
    "userTask": "Việc của người dùng",
    "manualTask": "Việc thủ công",
    "serviceTask": "Việc của máy (dịch vụ)",
    "scriptTask": "Kịch bản",
    "sendTask": "Gửi thông điệp",
    "receiveTask": "Chờ thông điệp",
    "task": "Việc",
    "callActivity": "Gọi quy trình khác",
    "subProcess": "Quy trình con",
    "exclusiveGateway": "Cổng rẽ nhánh (một nhánh)",
    "parallelGateway": "Cổng song song",
    "inclusiveGateway": "Cổng rẽ nhiều nhánh",
    "eventBasedGateway": "Cổng chờ sự kiện",
    "sequenceFlow": "Luồng",
}

ASPECTS: dict[str, str] = {
    "type": "Loại phần tử",
    "name": "Tên",
    "documentation": "Hướng dẫn",
    "properties": "Thuộc tính (role, body, due, show…)",
    "form": "Biểu mẫu",
    "service": "Dịch vụ và tham số",
    "preScript": "Kịch bản trước khi làm",
    "postScript": "Kịch bản sau khi làm",
    "script": "Kịch bản",
    "timer": "Hẹn giờ",
    "message": "Thông điệp",
    "condition": "Điều kiện",
    "flow": "Nối từ → đến",
    "attached": "Gắn vào việc",
    "default": "Nhánh mặc định",
    "loop": "Lặp",
    "lane": "Làn (vai trò)",
    "members": "Các bước trong làn",
    "other": "Cấu hình khác",
}

VALUE_TYPES = {"text": "Văn bản", "number": "Số", "date": "Ngày", "bool": "Có/Không",
               "json": "Danh sách, bảng (JSON)"}

CHANGES = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa"}

CHAIN_BREAKS = {
    "missing": "thiếu sự kiện (đã bị xóa)",
    "link": "liên kết với sự kiện trước không khớp (bị chèn hoặc sửa)",
    "payload": "nội dung sự kiện đã bị sửa",
    "fields": "người, thời điểm hoặc thao tác của sự kiện đã bị sửa",
    "truncated": "các sự kiện cuối cùng đã bị xóa",
}

BODY_STATES = {"current": "Đang hoạt động", "ended": "Đã kết thúc", "future": "Chưa có hiệu lực"}
BODY_CHANGES = {"initial": "Dữ liệu ban đầu", "created": "Thêm mới", "updated": "Sửa", "imported": "Nhập từ tệp"}
BODY_FIELDS = {"name": "Tên", "short_names": "Tên gọi khác", "symbol": "Ký hiệu", "kind": "Loại",
               "parent_code": "Cơ quan cấp trên", "province": "Tỉnh, thành phố", "valid_from": "Có từ ngày",
               "valid_to": "Đến hết ngày", "successors": "Đơn vị kế thừa", "note": "Ghi chú"}

TIMER_HELP = ("Khoảng thời gian viết trong dấu ngoặc kép: \"P3D\" (3 ngày), \"PT4H\" (4 giờ), \"P1W\" (1 tuần). "
              "Viết P3D không có ngoặc kép thì máy hiểu là tên một biến và việc kiểm tra sẽ báo lỗi. Cũng có thể "
              "dùng biểu thức cho ra ngày giờ, ví dụ period[\"due_at\"] hoặc add_days(today(), 3).")


def action_label(code: str | None) -> str:
    """The Vietnamese name of an audit action (the code itself when new)."""
    return ACTIONS.get(code or "", code or "")


def element_kind(kind: str | None) -> str:
    return ELEMENT_KINDS.get(kind or "", kind or "")


def aspect_label(code: str) -> str:
    return ASPECTS.get(code, code)


def shown_value(value) -> str:
    """A value of process data as a person reads it: dates dd/mm/yyyy, yes/no, lists joined."""
    import json
    from datetime import date, datetime

    from ..filters import vn_date, vn_datetime

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime):
        return vn_datetime(value)
    if isinstance(value, date):
        return vn_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return vn_date(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)[:2000]
    return str(value)[:2000]


def pretty_json(value) -> str:
    """Process data for administrators: indented JSON, Vietnamese readable, bounded."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return text if len(text) <= 20_000 else text[:20_000] + "\n…"


def functions_label(text: str | None) -> str:
    """What a successor took over, as the directory's data says it ("all" is the whole body's)."""
    return "toàn bộ" if (text or "").strip().lower() == "all" else (text or "")
