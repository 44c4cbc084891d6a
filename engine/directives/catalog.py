"""What the modeler shows of the directive's service tasks: a Vietnamese name for each, and the
parameters a model may give it (name → what to write, as an expression: text in quotes)."""
from __future__ import annotations

DOCUMENT_KINDS = ("submission_slip, directive_draft, directive_final, transmittal_letter, reminder_letter, "
                  "chasing_letter, body_report, consolidated_report, closeout_report, register_page")

SERVICE_CATALOG: dict[str, tuple[str, dict[str, str]]] = {
    "register_incoming": ("Vào sổ văn bản đến", {}),
    "assign_incoming": ("Ghi nhận ý kiến giao xử lý văn bản đến", {}),
    "create_directive": ("Tạo hồ sơ chỉ thị từ văn bản đến", {}),
    "start_life": ("Bắt đầu soạn thảo chỉ thị", {}),
    "load_directive": ("Mở hồ sơ chỉ thị", {}),
    "choose_instrument": ("Ghi nhận hình thức văn bản", {
        "route": "hình thức: \"party\", \"state\", \"cong_van\", \"ke_hoach\" hoặc \"cong_dien\""}),
    "record_draft": ("Lưu vòng dự thảo", {}),
    "start_consultation": ("Gửi dự thảo lấy ý kiến", {}),
    "record_consultation": ("Ghi nhận ý kiến góp ý", {
        "silent": "True khi cơ quan không trả lời đúng hạn"}),
    "collect_consultation": ("Tổng hợp ý kiến góp ý", {}),
    "record_comment": ("Lưu ý kiến (trả lại, chỉ đạo)", {
        "stage": "giai đoạn, ví dụ \"review\" hoặc \"following_up\"",
        "text": "nội dung ý kiến, ví dụ biến comment"}),
    "set_signature": ("Ghi nhận người ký", {}),
    "issue_number": ("Cấp số, vào sổ văn bản đi", {}),
    "generate_document": ("Lập văn bản", {
        "kind": f"loại văn bản, một trong: {DOCUMENT_KINDS}",
        "stage": "giai đoạn chuyển sang sau khi lập (không bắt buộc)"}),
    "distribute": ("Phân phối, giao nhiệm vụ cho từng cơ quan", {}),
    "plan_reports": ("Lập lịch báo cáo", {}),
    "acknowledge": ("Ghi nhận cơ quan đã nhận nhiệm vụ", {}),
    "send_reminder": ("Gửi công văn nhắc", {
        "what": "\"ack\" (nhắc xác nhận đã nhận nhiệm vụ) hoặc \"report\" (nhắc gửi báo cáo của kỳ hiện tại)"}),
    "send_chasing": ("Gửi công văn đôn đốc", {}),
    "record_report": ("Ghi nhận báo cáo của cơ quan", {}),
    "aggregate_reports": ("Tổng hợp báo cáo", {}),
    "close_directive": ("Kết thúc chỉ thị", {}),
    "archive": ("Lập hồ sơ lưu trữ", {}),
}
