"""The drafting editor through its pages: "Tạo chỉ thị" starts a directive at drafting, operations
change the form without losing what was typed, every save is a version, a dissolved body is refused
with its successors named, an old Nơi nhận is reused with successors, presets are saved and used;
the registers show the contents of NĐ 30/2020 Phụ lục IV and print them."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from html import unescape

import pytest
from docx import Document

from engine.directives.reference import load_reference_data
from engine.directives.store import get_directive_row
from web.seed import DemoUser, ensure_demo_users

from .conftest import csrf_token_of
from .directive_helpers import import_langson, ready_task, user

SECTION_TEXT = "Chủ trì tổ chức Kỳ thi trên địa bàn tỉnh."


@pytest.fixture
def office(engine):
    engine.deploy_directory()
    load_reference_data(engine)
    user(engine, "chuyenvien")
    ensure_demo_users(engine, [DemoUser("vanthu", "Lê Thị Cúc", ("records_clerk",))])
    return engine


def _new_directive_form(token: str, **changes) -> dict:
    form = {"csrf_token": token, "side": "state", "instrument": "CT", "drafting_unit": "KGVX", "urgency": "",
            "subject": "Về việc tổ chức Kỳ thi tốt nghiệp THPT năm 2026", "legal_basis": "", "preamble": "",
            "closing": "", "s-0-label": "1.", "s-0-heading": "Sở Giáo dục và Đào tạo", "s-0-paragraphs": SECTION_TEXT,
            "a-0-section_ref": "1.", "a-0-lead": "LS.SGDDT", "a-0-partners": "LS.CA", "a-0-tasks": "Chủ trì",
            "a-0-frequency": "weekly", "a-0-start": "18/05/2026", "a-0-until": "28/06/2026", "a-0-final_due": "10/07/2026",
            "r-0-text": "Thường trực Tỉnh ủy", "r-0-code": "LS.TTTU", "archive_line": "Lưu: VT, KGVX",
            "signer": "|CHỦ TỊCH|Hồ Tiến Thiệu"}
    form.update(changes)
    return form


def test_a_directive_written_on_the_create_page_starts_at_drafting(office, client, auth, clock):
    clock.set(datetime(2026, 5, 11, 2, 0, tzinfo=UTC))
    auth.login("chuyenvien")
    page = client.get("/directives/create")
    assert page.status_code == 200 and "Soạn chỉ thị mới" in page.get_data(as_text=True)
    response = client.post("/directives/create", data=_new_directive_form(csrf_token_of(page.get_data(as_text=True)),
                                                                          op="create"))
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]  # straight to drafting
    task = ready_task(office, "chuyenvien", "Task_draft")
    with office.db.session() as s:
        row = get_directive_row(s, task.ref_id)
        assert (row.stage, row.version) == ("drafting", 1)
        assignments = row.data["assignments"]
    assert [(a["body_code"], a["lead"]) for a in assignments] == [("LS.SGDDT", True), ("LS.CA", False)]
    assert assignments[0]["cycle"]["frequency"] == "weekly" and assignments[0]["cycle"]["until"] == "2026-06-28"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="editor"' in html and SECTION_TEXT in html and 'id="draft-preview"' in html


def test_operations_keep_what_was_typed_and_a_paste_is_split_into_sections(office, client, auth, clock):
    clock.set(datetime(2026, 5, 11, 2, 0, tzinfo=UTC))
    auth.login("chuyenvien")
    token = auth.token()
    pasted = "Mở đầu.\n1. Mục một\nNội dung một.\n2. Mục hai\na) Tiểu mục a\nb) Một câu dài đủ để thành đoạn văn."
    response = client.post("/directives/create", data=_new_directive_form(token, op="paste", paste=pasted,
                                                                          subject="Trích yếu đang gõ"))
    html = unescape(response.get_data(as_text=True))
    assert "Đã tách 2 mục, 2 tiểu mục và 1 đoạn mở đầu" in html and "Trích yếu đang gõ" in html
    assert 'name="s-2-label" value="2."' in html and 'name="s-2-i-1-label" value="b)"' in html
    moved = client.post("/directives/create", data=_new_directive_form(token, op="up:s-1", **{
        "s-1-label": "1.", "s-1-heading": "Mục một", "s-1-paragraphs": "Nội dung một."}))
    assert unescape(moved.get_data(as_text=True)).index("Mục một") < unescape(moved.get_data(as_text=True)).index(
        "Sở Giáo dục và Đào tạo\"")
    removed = client.post("/directives/create", data=_new_directive_form(token, op="remove:s-0"))
    assert SECTION_TEXT not in removed.get_data(as_text=True)


def test_a_dissolved_body_is_refused_on_save_with_its_successor_and_nothing_typed_lost(office, client, auth, clock):
    clock.set(datetime(2026, 5, 11, 2, 0, tzinfo=UTC))
    auth.login("chuyenvien")
    form = _new_directive_form(auth.token(), op="create", **{"a-0-partners": "LS.CA, LS.SLDTBXH"})
    response = client.post("/directives/create", data=form)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Sở Lao động - Thương binh và Xã hội tỉnh Lạng Sơn không còn từ sau ngày 28/02/2025; thay bằng: Sở Nội vụ" \
           in html
    assert SECTION_TEXT in html and 'value="LS.CA, LS.SLDTBXH"' in html  # the form as typed
    with office.db.session() as s:
        from engine.directives.store import DirectiveRow

        assert s.query(DirectiveRow).count() == 0


def test_every_save_is_a_version_and_an_old_list_is_reused_with_successors(office, client, auth, clock):
    old_id, _ = import_langson(office)  # 2024: Nơi nhận names UBND các huyện, thành phố
    clock.set(datetime(2026, 5, 11, 2, 0, tzinfo=UTC))
    auth.login("chuyenvien")
    page = client.post("/directives/create", data=_new_directive_form(auth.token(), op="create"))
    task = ready_task(office, "chuyenvien", "Task_draft")
    directive_id = task.ref_id
    editor = client.get(f"/directives/{directive_id}/edit?task={task.id}").get_data(as_text=True)
    token = csrf_token_of(editor)
    reused = client.post(f"/directives/{directive_id}/edit", data=_new_directive_form(
        token, op="reuse", reuse_from=str(old_id)))
    html = unescape(reused.get_data(as_text=True))
    assert "«UBND các huyện, thành phố» không còn vào ngày 11/05/2026; thay bằng: UBND các xã, phường" in html
    assert 'value="UBND các xã, phường"' in html and page.status_code == 302
    saved = client.post(f"/directives/{directive_id}/edit?task={task.id}", data=_new_directive_form(
        token, op="save", **{"s-0-paragraphs": SECTION_TEXT + "\nBáo cáo trước ngày 10/7/2026."}))
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/tasks/{task.id}")
    with office.db.session() as s:
        assert get_directive_row(s, directive_id).version == 2
    changes = unescape(client.get(f"/directives/{directive_id}/changes?since=1").get_data(as_text=True))
    assert "<ins>\nBáo cáo trước ngày 10/7/2026.</ins>" in changes and "Mục 1." in changes
    preset = client.post(f"/directives/{directive_id}/edit", data=_new_directive_form(
        token, op="save_preset", preset_name="Thường trực Tỉnh ủy (Kỳ thi)"))
    assert "Đã lưu danh sách Nơi nhận «Thường trực Tỉnh ủy (Kỳ thi)» (1 dòng)" in unescape(preset.get_data(as_text=True))
    assert "+ Thường trực Tỉnh ủy (Kỳ thi) (1)" in unescape(client.get(f"/directives/{directive_id}/edit").get_data(
        as_text=True))


def test_registers_show_and_print_the_contents_of_the_decree(office, client, auth):
    from .test_intake_pages import FIELDS

    auth.login("vanthu")
    page = client.get("/directives/incoming/new")
    data = {**FIELDS, "csrf_token": csrf_token_of(page.get_data(as_text=True)),
            "file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "a.pdf")}
    assert client.post("/directives/incoming/new", data=data, content_type="multipart/form-data").status_code == 302
    html = client.get("/registers?which=incoming&year=2024").get_data(as_text=True)
    for heading in ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
                    "Tên loại và trích yếu nội dung văn bản", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận",
                    "Ghi chú"):
        assert heading in html
    assert "Chỉ thị về tổ chức Kỳ thi năm 2024" in html
    expected = {"outgoing": 10, "incoming": 10, "followup": 7}
    for which, count in expected.items():
        printed = client.get(f"/registers/print?which={which}&year=2024")
        assert printed.status_code == 200
        table = Document(io.BytesIO(printed.data)).tables[-1]
        assert len(table.rows[0].cells) == count  # the decree's minimum contents
        assert [c.text for c in table.rows[1].cells] == [f"({n})" for n in range(1, count + 1)]
    from urllib.parse import unquote

    disposition = client.get("/registers/print?which=incoming&year=2024").headers["Content-Disposition"]
    assert unquote(disposition).endswith("Sổ đăng ký văn bản đến năm 2024.docx")  # named as offices name files
    user(office, "donvi")
    auth.logout()
    auth.login("donvi")  # an assigned body's officer keeps no register of this office
    assert client.get("/registers").status_code == 403
