"""Representative data for every kind (the `sample` of each entry of the registry in kinds.py): the
trial render of an uploaded template, the benchmark and the tests use it. Values are realistic but
invented (bodies of Lạng Sơn / Cần Thơ)."""
from __future__ import annotations

from datetime import date

from ..model.directive import Directive, Instrument, Item, Recipient, Section, Side, Signature


def sample_directive(side: str) -> Directive:
    """A short directive of the given side with every part a document prints."""
    if side == Side.PARTY.value:
        return Directive(
            side=Side.PARTY, instrument=Instrument.CHI_THI, issuer_code="CT.TU",
            issuer_name="THÀNH ỦY CẦN THƠ", issuer_symbol="TU", place="Cần Thơ",
            subject="về tăng cường sự lãnh đạo của Đảng trong công tác tổ chức\nKỳ thi năm 2023",
            signature=Signature("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Văn Hiếu"),
            number=25, issued_on=date(2023, 6, 5), drafting_unit="VPTU", year=2023, month=6,
            preamble=["Ban Thường vụ Thành ủy yêu cầu các cấp ủy đảng thực hiện tốt một số nội dung sau:"],
            sections=[Section("1-", paragraphs=["Quán triệt, triển khai thực hiện nghiêm túc Chỉ thị này."]),
                      Section("2-", paragraphs=["Ban cán sự đảng Ủy ban nhân dân thành phố lãnh đạo:"],
                              items=[Item("2.1.", paragraphs=["Chuẩn bị đầy đủ các điều kiện tổ chức Kỳ thi."])])],
            recipients=[Recipient("Văn phòng Trung ương Đảng"), Recipient("Các quận ủy, huyện ủy"),
                        Recipient("Lưu Văn phòng Thành ủy", is_archive=True)],
            draft_number=2)
    return Directive(
        side=Side.STATE, instrument=Instrument.CHI_THI, issuer_code="LS.UBND",
        issuer_name="ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN", issuer_symbol="UBND", place="Lạng Sơn",
        subject="Về việc tăng cường công tác chỉ đạo, phối hợp tổ chức\nKỳ thi năm 2024",
        signature=Signature(None, "CHỦ TỊCH", "Hồ Tiến Thiệu"), number=5, issued_on=date(2024, 5, 16),
        drafting_unit="KGVX", year=2024, month=5,
        legal_basis=["Thực hiện Chỉ thị số 15/CT-TTg ngày 16/5/2024 của Thủ tướng Chính phủ"],
        preamble=["Chủ tịch UBND tỉnh yêu cầu:"],
        sections=[Section("1.", heading="Sở Giáo dục và Đào tạo", paragraphs=["Chủ trì tổ chức Kỳ thi."]),
                  Section("2.", heading="Các sở, ban, ngành",
                          items=[Item("a)", heading="Công an tỉnh", paragraphs=["Bảo đảm an ninh."])])],
        closing=["Yêu cầu các cơ quan, đơn vị thực hiện nghiêm túc Chỉ thị này./."],
        recipients=[Recipient("Bộ Giáo dục và Đào tạo"), Recipient("Các sở, ban, ngành"),
                    Recipient("Lưu: VT, KGVX", is_archive=True)])


def _rows(side: str) -> list[dict]:
    party = side == Side.PARTY.value
    return [{"body": "Sở Y tế" if not party else "Ban Tuyên giáo Thành ủy", "status": "on_time",
             "summary": "Đã triển khai đầy đủ các nhiệm vụ được giao."},
            {"body": "Công an tỉnh" if not party else "Các quận ủy", "status": "late",
             "summary": "Báo cáo chậm 02 ngày."},
            {"body": "Sở Tài chính" if not party else "Các huyện ủy", "status": "missing", "summary": ""}]


def numbered(side: str) -> dict:
    """A number and date, as the records clerk gives them (every kind but the slip and the register)."""
    return {"number": 7, "issued_on": date(2024, 6, 3)}


def slip(side: str) -> dict:
    """A submission slip with its drafter and two reviewers (no number yet)."""
    return {"issued_on": date(2024, 6, 3), "number": None, "drafter": "Nguyễn Thu Hà", "drafter_unit": "KGVX",
            "proposal": "Kính trình ký ban hành.",
            "reviewers": [{"name": "Lê Văn An", "role": "Trưởng phòng KGVX", "opinion": "Đồng ý."},
                          {"name": "Trần Minh", "role": "Phó Chánh Văn phòng", "opinion": "Đã rà soát thể thức."}]}


def letter(side: str) -> dict:
    """A reminder or chasing letter to one body about one report."""
    party = side == Side.PARTY.value
    return {**numbered(side), "addressee": "Sở Y tế" if not party else "Ban Tuyên giáo Thành ủy",
            "report_name": "báo cáo định kỳ", "period": "tuần 2 tháng 6/2024", "due_date": date(2024, 6, 7),
            "days_late": 3, "new_due_date": date(2024, 6, 12)}


def body_report(side: str) -> dict:
    """A body's report with figures, signed by the body's own signer."""
    party = side == Side.PARTY.value
    return {**numbered(side), "body_name": "SỞ Y TẾ" if not party else "BAN TUYÊN GIÁO\nTHÀNH ỦY",
            "body_symbol": "SYT" if not party else "BTGTU", "period": "tuần 2 tháng 6/2024",
            "paragraphs": ["Sở Y tế đã chỉ đạo các cơ sở y tế bố trí nhân lực tại các điểm thi."],
            "figures": [{"label": "Số điểm thi có cán bộ y tế trực", "value": "32/32"},
                        {"label": "Số ca sơ cấp cứu", "value": "4"}],
            "signature": {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn Bình"}
            if not party else {"authority": "K/T TRƯỞNG BAN", "title": "PHÓ TRƯỞNG BAN", "name": "Lê Thị Cúc"}}


def rows_report(side: str) -> dict:
    """A consolidated or close-out report over three bodies (on time, late, missing)."""
    return {**numbered(side), "rows": _rows(side), "period": "tháng 6/2024",
            "paragraphs": ["Các cơ quan, đơn vị đã triển khai Chỉ thị kịp thời, đúng quy định."]}


def register_page(side: str) -> dict:
    """Two lines of the outgoing register (the ten contents of Phụ lục IV.I)."""
    return {**numbered(side), "year": 2024, "printed_on": date(2024, 6, 30), "rows": [
        {"number_symbol": "05/CT-UBND", "date": "16/05/2024", "type_subject": "Chỉ thị về Kỳ thi năm 2024",
         "signer": "Hồ Tiến Thiệu", "recipients": "Các sở, ban, ngành", "archive_holder": "VT, KGVX",
         "copies": "14", "dispatched_on": "16/05/2024", "received_by": "Lê Thị Cúc", "note": ""},
        {"number_symbol": "06/UBND-KGVX", "date": "20/05/2024", "type_subject": "Công văn V/v gửi Chỉ thị",
         "signer": "Hồ Tiến Thiệu", "recipients": "UBND các huyện", "archive_holder": "VT, KGVX",
         "copies": "4", "dispatched_on": "20/05/2024", "received_by": "Lê Thị Cúc", "note": "Đã hủy"}]}


def incoming_register_page(side: str) -> dict:
    """Two lines of the incoming register (the ten contents of Phụ lục IV.VI)."""
    return {**numbered(side), "year": 2024, "printed_on": date(2024, 6, 30), "rows": [
        {"received_on": "20/05/2024", "arrival_number": "1", "sender": "Thủ tướng Chính phủ",
         "number_symbol": "15/CT-TTg", "document_date": "16/05/2024",
         "type_subject": "Chỉ thị về tăng cường chỉ đạo tổ chức Kỳ thi năm 2024",
         "handler": "Sở Giáo dục và Đào tạo", "assigned_on": "21/05/2024", "received_by": "Lê Thị Cúc",
         "note": "Khẩn"},
        {"received_on": "22/05/2024", "arrival_number": "2", "sender": "Bộ Giáo dục và Đào tạo",
         "number_symbol": "1234/BGDĐT-QLCL", "document_date": "20/05/2024",
         "type_subject": "Công văn V/v hướng dẫn tổ chức Kỳ thi", "handler": "", "assigned_on": "",
         "received_by": "Lê Thị Cúc", "note": ""}]}


def incoming_followup_page(side: str) -> dict:
    """Two lines of the follow-up register of incoming documents (Phụ lục IV.VIII)."""
    return {**numbered(side), "year": 2024, "printed_on": date(2024, 6, 30), "rows": [
        {"arrival_number": "1", "document": "Chỉ thị số 15/CT-TTg ngày 16/5/2024 của Thủ tướng Chính phủ",
         "handler": "Sở Giáo dục và Đào tạo", "deadline": "27/05/2024", "progress": "Đã ban hành văn bản trả lời",
         "reply": "05/CT-UBND ngày 16/05/2024", "note": ""},
        {"arrival_number": "2", "document": "Công văn số 1234/BGDĐT-QLCL ngày 20/5/2024 của Bộ Giáo dục và Đào tạo",
         "handler": "", "deadline": "", "progress": "Chờ ý kiến chỉ đạo", "reply": "", "note": ""}]}


def incoming_slip(side: str) -> dict:
    """A slip with the leader's instruction and the handler's proposal."""
    return {"issued_on": date(2024, 5, 21), "number": None, "incoming": {
        "document_type": "Chỉ thị", "number_symbol": "15/CT-TTg", "document_date": date(2024, 5, 16),
        "sender": "Thủ tướng Chính phủ", "subject": "về tăng cường chỉ đạo tổ chức Kỳ thi năm 2024",
        "arrival_number": 1, "received_on": date(2024, 5, 20), "lead": "Sở Giáo dục và Đào tạo",
        "partners": ["Công an tỉnh", "Sở Y tế"], "deadline": date(2024, 5, 27),
        "instruction": "Giao Sở GD&ĐT chủ trì tham mưu dự thảo Chỉ thị của UBND tỉnh.", "leader": "Trần Thị Bình",
        "assigned_on": date(2024, 5, 21), "handler": "Nguyễn Văn An",
        "proposal": "Đề xuất ban hành Chỉ thị của UBND tỉnh.", "proposer": "Nguyễn Văn An",
        "proposed_on": date(2024, 5, 22)}}


def consultation_summary(side: str) -> dict:
    """Two comments, one taken in and one explained."""
    return {"issued_on": date(2024, 5, 30), "number": None, "rows": [
        {"body": "Công an tỉnh", "comment": "Bổ sung nhiệm vụ bảo đảm an ninh điểm thi.", "handling": "Tiếp thu",
         "response": "Đã bổ sung vào mục 2.a)."},
        {"body": "Sở Y tế", "comment": "Đề nghị bỏ mục 3.", "handling": "Giải trình",
         "response": "Giữ mục 3 theo Chỉ thị số 15/CT-TTg."}]}
