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
    """Two lines of the outgoing register."""
    return {**numbered(side), "year": 2024, "printed_on": date(2024, 6, 30), "rows": [
        {"number": "05", "date": "16/5/2024", "symbol": "CT-UBND", "subject": "Về Kỳ thi năm 2024",
         "signer": "Hồ Tiến Thiệu", "recipients": "Các sở, ban, ngành", "status": "Đã gửi"},
        {"number": "06", "date": "20/5/2024", "symbol": "UBND-KGVX", "subject": "V/v gửi Chỉ thị",
         "signer": "Hồ Tiến Thiệu", "recipients": "UBND các huyện", "status": "Đã gửi"}]}
