"""The intake page and the decisions' forms refuse bad input with a clear Vietnamese message and keep
what was typed: a wrong-type or oversized file, a document registered twice, a past deadline, an
empty return comment, an empty "Có ý kiến". The file is kept once by its hash, previewed and
downloaded by the receiving office only."""
from __future__ import annotations

import re
from html import unescape

import pytest

from engine.directives.intake import MAX_FILE_BYTES
from engine.directives.reference import load_reference_data
from engine.registers.models import IncomingEntry
from web.seed import DemoUser, ensure_demo_users

from .conftest import csrf_token_of
from .directive_helpers import act, drafted, ready_task
from .files import docx_with_text, pdf_with_text

FIELDS = {"sender": "Thủ tướng Chính phủ", "sender_code": "VN.TTG", "document_type": "Chỉ thị", "number": "15",
          "symbol": "CT-TTg", "document_date": "16/05/2024", "subject": "về tổ chức Kỳ thi năm 2024",
          "received_on": "20/05/2024", "arrival_number": "", "urgency": "khan"}


@pytest.fixture
def office(engine):
    engine.deploy_directory()
    load_reference_data(engine)
    ensure_demo_users(engine, [DemoUser("vanthu", "Lê Thị Cúc", ("records_clerk",)),
                               DemoUser("vanthu_ct", "Trần Thị Thu", ("records_clerk",), "CT.TU"),
                               DemoUser("lanhdao", "Trần Thị Bình", ("leader",))])
    return engine


def _register(client, auth, content: bytes, name: str, **changes):
    page = client.get("/directives/incoming/new")
    data = {**FIELDS, **changes, "csrf_token": csrf_token_of(page.get_data(as_text=True))}
    import io

    data["file"] = (io.BytesIO(content), name)
    return client.post("/directives/incoming/new", data=data, content_type="multipart/form-data")


def test_a_pdf_is_registered_kept_once_previewed_and_read_by_the_receiving_office_only(office, client, auth):
    auth.login("vanthu")
    pdf = pdf_with_text("CHI THI so 15/CT-TTg")
    response = _register(client, auth, pdf, "15-CT-TTg.pdf")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã vào sổ văn bản đến" in page and "Chỉ thị số 15/CT-TTg" in page and "Tiếp nhận văn bản đến" in page
    again = _register(client, auth, pdf, "ban-sao.pdf", number="16")  # the same bytes again, another document
    assert again.status_code == 302
    with office.db.session() as s:
        entries = s.query(IncomingEntry).order_by(IncomingEntry.id).all()
        assert [e.arrival_number for e in entries] == [1, 2] and entries[0].urgency == "KHẨN"
        assert entries[0].file_sha256 == entries[1].file_sha256 and entries[0].file_type == "application/pdf"
        from engine.kernel.models import StoredBlob

        assert s.query(StoredBlob).filter_by(sha256=entries[0].file_sha256).count() == 1  # stored once
        entry_id = entries[0].id
    inline = client.get(f"/directives/incoming/{entry_id}/file")
    assert inline.data == pdf and inline.headers["Content-Disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in inline.headers["Content-Security-Policy"]
    download = client.get(f"/directives/incoming/{entry_id}/file?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert 'class="pdf-view"' in client.get(f"/directives/incoming/{entry_id}/preview").get_data(as_text=True)
    auth.logout()
    auth.login("vanthu_ct")  # another province's records clerk
    assert client.get(f"/directives/incoming/{entry_id}/file").status_code == 404


def test_a_docx_is_previewed_as_html(office, client, auth):
    auth.login("vanthu")
    response = _register(client, auth, docx_with_text("CHỈ THỊ về Kỳ thi tốt nghiệp THPT năm 2024"), "ct.docx")
    assert response.status_code == 302
    with office.db.session() as s:
        entry_id = s.query(IncomingEntry).one().id
    html = client.get(f"/directives/incoming/{entry_id}/preview").get_data(as_text=True)
    assert "CHỈ THỊ về Kỳ thi tốt nghiệp THPT năm 2024" in html


@pytest.mark.parametrize("content,name,message", [
    (b"Hello, this is not a PDF", "van-ban.pdf", "không phải tệp PDF hoặc Word (.docx)"),
    (b"PK\x03\x04 broken zip", "van-ban.docx", "không phải tệp PDF hoặc Word (.docx)"),
    (b"", "rong.pdf", "chọn tệp văn bản đến (PDF hoặc .docx)"),
])
def test_a_file_of_the_wrong_type_is_refused_and_the_form_keeps_what_was_typed(office, client, auth, content, name,
                                                                                 message):
    auth.login("vanthu")
    response = _register(client, auth, content, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'value="CT-TTg"' in html and "về tổ chức Kỳ thi năm 2024" in html  # nothing typed lost
    with office.db.session() as s:
        assert s.query(IncomingEntry).count() == 0


def test_an_oversized_file_is_refused_with_the_limit_and_the_form_kept(office, client, auth):
    auth.login("vanthu")
    response = _register(client, auth, b"%PDF-1.4\n" + b"0" * MAX_FILE_BYTES, "scan.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "tệp lớn quá 20 MB" in html
    assert 'value="CT-TTg"' in html and 'data-max-bytes="%d"' % MAX_FILE_BYTES in html  # the browser checks first too


def test_a_document_registered_twice_is_refused_with_its_arrival_number(office, client, auth):
    auth.login("vanthu")
    assert _register(client, auth, pdf_with_text("A"), "a.pdf").status_code == 302
    response = _register(client, auth, pdf_with_text("B"), "b.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "15/CT-TTg ngày 16/05/2024 đã vào sổ đến: số đến 1" in html
    negative = _register(client, auth, pdf_with_text("C"), "c.pdf", number="17", arrival_number="-5")
    assert negative.status_code == 422 and "phải từ 1 trở lên" in negative.get_data(as_text=True)


def test_a_past_deadline_is_refused_on_the_leaders_page_unless_confirmed(office, client, auth):
    auth.login("vanthu")
    assert _register(client, auth, pdf_with_text("A"), "a.pdf").status_code == 302
    auth.logout()
    task = ready_task(office, "lanhdao", "Task_assign")
    auth.login("lanhdao")
    form = {"lead_unit": "LS.SGDDT", "partner_units": "LS.CA", "deadline": "10/05/2024",
            "instruction": "Giao Sở GD&ĐT chủ trì tham mưu.", "csrf_token": auth.token()}
    refused = client.post(f"/tasks/{task.id}", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "thời hạn 10/05/2024 đã qua (hôm nay 20/05/2024)" in html
    assert "Giao Sở GD&amp;ĐT chủ trì tham mưu." in html and "Sở Giáo dục và Đào tạo" in html  # kept, by name
    done = client.post(f"/tasks/{task.id}", data={**form, "confirm_past": "on"}, follow_redirects=True)
    assert "Đã giao Sở Giáo dục và Đào tạo chủ trì tham mưu, hạn 10/05/2024" in done.get_data(as_text=True)


def test_an_empty_return_comment_is_refused_by_the_form_and_the_directive_goes_on(engine, client, auth):
    directive_id = drafted(engine)
    task = ready_task(engine, "truongphong", "Task_head_review")
    auth.login("truongphong")
    refused = client.post(f"/tasks/{task.id}", data={"decision": "return", "comment": "", "csrf_token": auth.token()})
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "'Ý kiến (bắt buộc khi trả lại; được lưu và hiện cho người soạn thảo)' là bắt buộc khi 'Quyết định' là " \
           "'Trả lại để sửa'" in html
    assert engine.get_instance(task.instance_id).status == "running"  # never the error state
    returned = client.post(f"/tasks/{task.id}", data={"decision": "return", "comment": "Sửa mục 2.",
                                                      "csrf_token": auth.token()}, follow_redirects=True)
    assert "Đã trả lại dự thảo cho chuyên viên soạn thảo" in returned.get_data(as_text=True)
    assert re.search(r"Giai đoạn</dt><dd[^>]*>Soạn thảo", client.get(f"/directives/{directive_id}").get_data(as_text=True))


def test_an_empty_comment_is_refused_when_a_department_has_comments(engine, client, auth):
    drafted(engine)
    act(engine, "truongphong", "Task_head_review", {"decision": "return", "comment": "Lấy ý kiến Sở GD&ĐT."})
    act(engine, "chuyenvien", "Task_draft", {"consult": True, "consult_bodies": "LS.SGDDT",
                                             "consult_deadline": "2024-05-24"})
    task = ready_task(engine, "donvi", "Task_give_opinion")
    auth.login("donvi")
    refused = client.post(f"/tasks/{task.id}", data={"opinion": "comment", "comment": " ", "csrf_token": auth.token()})
    assert refused.status_code == 422
    assert "là bắt buộc khi 'Ý kiến' là 'Có ý kiến góp ý'" in unescape(refused.get_data(as_text=True))
    assert engine.get_instance(task.instance_id).status == "running"
