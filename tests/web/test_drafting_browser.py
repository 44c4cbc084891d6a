"""The issue's acceptance walk in a real headless Chromium, once for a State directive (UBND tỉnh Lạng
Sơn, signed KT. CHỦ TỊCH) and once for a Party directive (Thành ủy Cần Thơ, T/M BAN THƯỜNG VỤ):
intake with an uploaded PDF → the leader's assignment with the directory picker (a past deadline
refused first) → a draft written in the editor (pasted from Word into three sections, five assigned
bodies as leads and partners, one section to everyone, a weekly cycle, Nơi nhận from a preset) →
consultation of two departments (an empty "Có ý kiến" refused) → tiếp thu, giải trình → a return
(an empty comment refused first) → the revision, seen as a diff by the reviewer → sign-off →
issuance. The issued .docx holds exactly the text typed. Every page is photographed."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from docx import Document

from engine.directives.reference import load_reference_data
from engine.documents import DocumentStore, GeneratedDocument
from engine.kernel.accounts import cheap_hasher
from engine.kernel.clock import FrozenClock
from web import create_app
from web.seed import DemoUser, ensure_demo_users

from ..documents.format_checker import Expect, check
from .browser_support import WAIT_SECONDS, served, wait_text
from .files import pdf_with_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "chithi-demo"


@dataclass
class Walk:
    """One directive's walk: its office, its people, the national document and what is typed."""

    issuer: str
    people: dict[str, tuple[str, str]]  # role → (username, full name)
    consulted: dict[str, str]  # body code → username of its officer
    sender_search: str
    sender: str
    national_number: str
    national_symbol: str
    national_subject: str
    lead_search: tuple[str, str]  # (typed, chosen name)
    partner_searches: list[tuple[str, str]]
    route: str
    subject_start: str
    paste: str
    rows: list[dict]  # assignment rows: section_ref, lead (typed, name), partners, tasks, frequency…
    preset: str
    consult_searches: list[tuple[str, str]]
    sign_task: str
    signer_label: str
    revision_section: int
    revision_text: str
    number_text: str
    authority: str
    side: str
    document_type: str = "Chỉ thị"


STATE = Walk(
    issuer="LS.UBND",
    people={"records_clerk": ("vanthu", "Lê Thị Cúc"), "leader": ("lanhdao", "Trần Thị Bình"),
            "clerk": ("chuyenvien", "Nguyễn Văn An"), "unit_head": ("truongphong", "Phạm Văn Dũng"),
            "office_reviewer": ("vanphong", "Hoàng Thị Hà")},
    consulted={"LS.SKHCN": "cb_khcn", "LS.SXD": "cb_xaydung"},
    sender_search="thu tuong", sender="Thủ tướng Chính phủ", national_number="12", national_symbol="CT-TTg",
    national_subject="về tăng cường công tác tổ chức Kỳ thi tốt nghiệp trung học phổ thông năm 2026",
    lead_search=("giao duc", "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"),
    partner_searches=[("cong an", "Công an tỉnh Lạng Sơn"), ("so y te", "Sở Y tế tỉnh Lạng Sơn")],
    route="state",
    subject_start="Về việc tăng cường công tác tổ chức Kỳ thi tốt nghiệp",
    paste="Để Kỳ thi năm 2026 diễn ra an toàn, nghiêm túc, đúng quy chế, Chủ tịch UBND tỉnh yêu cầu:\n"
          "1. Sở Giáo dục và Đào tạo\n"
          "Chủ trì tổ chức Kỳ thi trên địa bàn tỉnh; phối hợp với Công an tỉnh bảo đảm an ninh, an toàn các điểm thi.\n"
          "2. Các sở, ngành liên quan\n"
          "a) Sở Y tế bố trí cán bộ y tế trực tại các điểm thi.\n"
          "b) Sở Tài chính bảo đảm kinh phí tổ chức Kỳ thi; Sở Nội vụ phối hợp bố trí nhân lực.\n"
          "3. Các cấp ủy, chính quyền các cấp quan tâm lãnh đạo, tạo điều kiện để Kỳ thi diễn ra an toàn.",
    rows=[{"section": "1.", "lead": ("giao duc", "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"),
           "partners": [("cong an", "Công an tỉnh Lạng Sơn")], "tasks": "Chủ trì tổ chức Kỳ thi",
           "frequency": "weekly", "start": "18/05/2026", "until": "28/06/2026", "final_due": "10/07/2026"},
          {"section": "2.a)", "lead": ("so y te", "Sở Y tế tỉnh Lạng Sơn"), "partners": [],
           "tasks": "Bố trí cán bộ y tế tại các điểm thi", "frequency": "once", "final_due": "10/07/2026"},
          {"section": "2.b)", "lead": ("tai chinh", "Sở Tài chính tỉnh Lạng Sơn"),
           "partners": [("noi vu", "Sở Nội vụ tỉnh Lạng Sơn")], "tasks": "Bảo đảm kinh phí",
           "frequency": "once", "final_due": "10/07/2026"},
          {"section": "3.", "everyone": "Các cấp ủy, chính quyền các cấp"}],
    preset="Thường trực Tỉnh ủy, HĐND; lãnh đạo UBND tỉnh",
    consult_searches=[("khoa hoc", "Sở Khoa học và Công nghệ tỉnh Lạng Sơn"), ("xay dung", "Sở Xây dựng tỉnh Lạng Sơn")],
    sign_task="Lãnh đạo UBND ký ban hành", signer_label="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH — Đoàn Thanh Sơn",
    revision_section=1, revision_text="Báo cáo kết quả về UBND tỉnh trước ngày 10/7/2026.",
    number_text="01/CT-UBND", authority="KT. CHỦ TỊCH", side="state")

PARTY = Walk(
    issuer="CT.TU",
    people={"records_clerk": ("vanthu_ct", "Trần Thị Thu"), "leader": ("lanhdao_ct", "Đỗ Thanh Bình"),
            "clerk": ("chuyenvien_ct", "Nguyễn Thị Thu"), "unit_head": ("truongphong_ct", "Trần Văn Minh"),
            "office_reviewer": ("vanphong_ct", "Lâm Văn Phúc")},
    consulted={"CT.SYT": "cb_syt_ct", "CT.SNV": "cb_snv_ct"},
    sender_search="van phong trung uong", sender="Văn phòng Trung ương Đảng", national_number="45",
    national_symbol="HD-VPTW", national_subject="về công tác lãnh đạo tổ chức Kỳ thi tốt nghiệp năm 2026",
    lead_search=("tuyen giao", "Ban Tuyên giáo và Dân vận Thành ủy Cần Thơ"),
    partner_searches=[("giao duc", "Sở Giáo dục và Đào tạo thành phố Cần Thơ")],
    route="party",
    subject_start="về công tác lãnh đạo tổ chức Kỳ thi",
    paste="Ban Thường vụ Thành ủy yêu cầu các cấp ủy đảng thực hiện tốt một số nội dung sau:\n"
          "1- Quán triệt, triển khai thực hiện nghiêm túc các văn bản chỉ đạo về Kỳ thi năm 2026.\n"
          "2- Ban cán sự đảng Ủy ban nhân dân thành phố lãnh đạo:\n"
          "2.1. Chuẩn bị đầy đủ các điều kiện tổ chức Kỳ thi, bảo đảm an toàn, nghiêm túc.\n"
          "2.2. Chỉ đạo thông tin, truyền thông về Kỳ thi kịp thời, chính xác.\n"
          "3- Các cấp ủy, chính quyền các cấp quan tâm lãnh đạo, tạo điều kiện để Kỳ thi diễn ra an toàn.",
    rows=[{"section": "1-", "lead": ("tuyen giao", "Ban Tuyên giáo và Dân vận Thành ủy Cần Thơ"),
           "partners": [("bao can tho", "Báo Cần Thơ")], "tasks": "Tuyên truyền về Kỳ thi",
           "frequency": "weekly", "start": "18/05/2026", "until": "28/06/2026", "final_due": "10/07/2026"},
          {"section": "2-2.1.", "lead": ("ban can su", "Ban cán sự đảng Ủy ban nhân dân thành phố Cần Thơ"),
           "partners": [("giao duc", "Sở Giáo dục và Đào tạo thành phố Cần Thơ")],
           "tasks": "Lãnh đạo chuẩn bị các điều kiện tổ chức Kỳ thi", "frequency": "once", "final_due": "10/07/2026"},
          {"section": "2-2.2.", "lead": ("phat thanh", "Đài Phát thanh và Truyền hình thành phố Cần Thơ"),
           "partners": [], "tasks": "Thông tin, truyền thông về Kỳ thi", "frequency": "once",
           "final_due": "10/07/2026"},
          {"section": "3-", "everyone": "Các cấp ủy, chính quyền các cấp"}],
    preset="Trung ương; Thành ủy viên",
    consult_searches=[("so y te", "Sở Y tế thành phố Cần Thơ"), ("noi vu", "Sở Nội vụ thành phố Cần Thơ")],
    sign_task="Ban Thường vụ cho ý kiến, ký (T/M BAN THƯỜNG VỤ)", signer_label="T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ — Phạm Văn Hiếu",
    revision_section=0, revision_text="Báo cáo kết quả về Ban Thường vụ Thành ủy trước ngày 10/7/2026.",
    number_text="01-CT/TU", authority="T/M BAN THƯỜNG VỤ", side="party", document_type="Hướng dẫn")

START = datetime(2026, 5, 11, 2, 0, tzinfo=UTC)
OFFICER_NAMES = {"LS.SKHCN": "Vi Văn Khánh", "LS.SXD": "Hoàng Thị Xuân", "CT.SYT": "Lý Thanh Tâm",
                 "CT.SNV": "Đặng Văn Nghĩa"}  # Monday 11/5/2026, 9:00 in Vietnam


@pytest.fixture
def office(tmp_path):
    """The app on a fresh SQLite file with the shipped models and reference data, a frozen clock,
    served by a real threaded server."""
    clock = FrozenClock(START)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'chithi.db'}", "SECRET_KEY": "browser-walk",
                      "CLOCK": clock, "PASSWORD_HASHER": cheap_hasher()})
    eng = app.extensions["chithi"]
    eng.upgrade_schema()
    eng.deploy_directory()
    load_reference_data(eng)
    users = []
    for walk in (STATE, PARTY):
        users += [DemoUser(login, name, (role,), walk.issuer) for role, (login, name) in walk.people.items()]
        users += [DemoUser(login, OFFICER_NAMES[code], ("body_officer",), code) for code, login in walk.consulted.items()]
    ensure_demo_users(eng, users)
    with served(app, "walk-app") as base:
        yield base, eng, clock


class Browser:
    """Moves of a person in the browser: log in and out, open a task, pick bodies, press buttons."""

    def __init__(self, driver, base: str, camera):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.camera, self.By, self.EC = driver, base, camera, By, EC
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def find(self, css: str):
        """The element, scrolled to the middle of the window (the editor's save bar stays at the bottom)."""
        element = self.d.find_element(self.By.CSS_SELECTOR, css)
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        return element

    def all(self, css: str):
        return self.d.find_elements(self.By.CSS_SELECTOR, css)

    def tap(self, element) -> None:
        """Click an element found some other way, scrolled to the middle of the window first."""
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def log_in(self, username: str, shot: str) -> None:
        # Leave the page for a script-less one of the same site first: nothing of the old page is still
        # loading (and setting its cookie) when the cookies go.
        self.d.get(self.base + "/static/style.css")
        self.d.delete_all_cookies()
        self.d.get(self.base + "/login")
        wait_text(self.d, "h1", "Đăng nhập")
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(PASSWORD)
        self.find("#login-submit").click()
        wait_text(self.d, "h1", "Việc cần xử lý")
        self.camera(shot)

    def open_task(self, name: str, shot: str) -> None:
        link = self.wait.until(self.EC.element_to_be_clickable((self.By.PARTIAL_LINK_TEXT, name)))
        link.click()
        wait_text(self.d, "h1", name)
        self.camera(shot)

    def set(self, css: str, value: str) -> None:
        element = self.find(css)
        if element.get_attribute("type") == "hidden":
            self.d.execute_script("arguments[0].value = arguments[1];"
                                  "arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", element, value)
            return
        element.clear()
        element.send_keys(value)

    def paste(self, css: str, text: str) -> None:
        """Text as Word puts it on the clipboard, line breaks included (typed keys would not be)."""
        self.d.execute_script("arguments[0].value = arguments[1]", self.find(css), text)

    def pick(self, field_id: str, typed: str, name: str) -> None:
        """Search a directory picker and choose the body called `name`."""
        value = self.d.find_element(self.By.ID, field_id)
        before = value.get_attribute("value")
        search = self.find(f"#{field_id}-search")
        search.clear()
        search.send_keys(typed)
        option = self.wait.until(self.EC.element_to_be_clickable(
            (self.By.XPATH, f"//div[@id='{field_id}-picker']//li[@role='option' and normalize-space()='{name}']")))
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", option)
        option.click()
        self.wait.until(lambda d: value.get_attribute("value") != before)  # the chosen code is kept

    def press(self, css: str) -> None:
        """Press an editor button and wait for htmx to swap the editor in."""
        old = self.find("#editor")
        self.find(css).click()
        self.wait.until(self.EC.staleness_of(old))
        self.wait.until(lambda d: d.find_elements(self.By.CSS_SELECTOR, "#editor"))

    def submit(self, css: str = "#complete") -> None:
        self.find(css).click()

    def flash(self, text: str) -> str:
        return wait_text(self.d, ".flash-success", text).text


def _directive_id(eng) -> int:
    from engine.directives.life import list_visible

    return list_visible(eng, None, limit=1)[0]["id"]


def _final_docx(eng, directive_id: int) -> bytes:
    with eng.db.session() as s:
        doc = s.query(GeneratedDocument).filter_by(directive_id=directive_id, kind="directive_final").one()
        return DocumentStore().content(s, doc.id)


def walk_directive(walk: Walk, office, browser, camera) -> None:
    base, eng, clock = office
    b = Browser(browser, base, camera)
    people = {role: login for role, (login, _name) in walk.people.items()}

    # 1. Intake: the records clerk registers the national directive with its PDF.
    b.log_in(people["records_clerk"], "records-clerk-inbox")
    b.d.get(base + "/directives")
    wait_text(browser, "h1", "Chỉ thị")
    camera("directives-list")
    b.find("#incoming-link").click()
    wait_text(browser, "h1", "Vào sổ văn bản đến")
    b.pick("f-sender_code", walk.sender_search, walk.sender)
    assert b.find("#f-sender").get_attribute("value") == walk.sender  # the picked body's name fills the box
    b.set("#f-number", walk.national_number)
    b.set("#f-symbol", walk.national_symbol)
    b.set("#f-document_date", "05/05/2026")
    b.set("#f-subject", walk.national_subject)
    b.find(f"#f-document_type option[value='{walk.document_type}']").click()
    b.find("input[name='urgency'][value='khan']").click()
    b.find("#f-file").send_keys(_write_pdf(walk))
    camera("intake-form")
    b.submit("#incoming-submit")
    b.flash("Đã vào sổ văn bản đến")
    directive_id = _directive_id(eng)
    assert "Tiếp nhận văn bản đến" in b.find("#directive-stage").text
    assert f"{walk.national_number}/{walk.national_symbol}" in b.find(".incoming-facts").text
    camera("directive-after-intake")

    # 2. The leader's assignment: the PDF beside the form, units from the directory, a past deadline refused.
    b.log_in(people["leader"], "leader-inbox")
    link = b.wait.until(b.EC.element_to_be_clickable((b.By.PARTIAL_LINK_TEXT, "Cho ý kiến chỉ đạo")))
    link.click()
    b.wait.until(lambda d: d.find_elements(b.By.CSS_SELECTOR, "#incoming-pdf canvas.pdf-page"))  # drawn in the page
    camera("leader-assignment-with-the-pdf")
    b.pick("f-lead_unit", *walk.lead_search)
    for typed, name in walk.partner_searches:
        b.pick("f-partner_units", typed, name)
    b.set("#f-deadline", "08/05/2026")
    b.set("#f-instruction", "Giao chủ trì tham mưu dự thảo chỉ thị, trình trước thời hạn.")
    b.submit()
    refused = wait_text(browser, "#f-deadline-error", "đã qua").text
    assert "08/05/2026" in refused and "11/05/2026" in refused
    assert b.find("#f-lead_unit").get_attribute("value")  # the chosen unit is kept
    camera("leader-assignment-past-deadline-refused")
    b.set("#f-deadline", "15/05/2026")
    b.submit()
    b.flash("chủ trì tham mưu, hạn 15/05/2026")
    camera("leader-inbox-after-assignment")

    # 3. The clerk proposes the instrument; the draft starts from the national subject and legal basis.
    b.log_in(people["clerk"], "clerk-inbox")
    b.open_task("Đề xuất hình thức", "clerk-proposal")
    b.find(f"#f-route option[value='{walk.route}']").click()
    b.submit()
    b.flash("Đã đề xuất hình thức văn bản")
    b.open_task("Soạn thảo dự thảo", "drafting-task-first-open")
    assert b.find("#ed-subject").get_attribute("value").startswith(walk.subject_start)
    legal = b.find("#ed-legal").get_attribute("value")
    assert f"Thực hiện {walk.document_type} số {walk.national_number}/{walk.national_symbol} ngày 5/5/2026" in legal
    assert "Giao chủ trì tham mưu" not in b.find("#ed-preamble").get_attribute("value")  # the instruction stays one

    # 4. The draft: pasted from Word into three sections, the assignment table, Nơi nhận from a preset.
    b.find(".ed-paste summary").click()
    b.paste("#ed-paste", walk.paste)
    b.press("#split-paste")
    assert "Đã tách 3 mục" in b.find("#editor-notes").text
    camera("editor-after-paste")
    for k, row in enumerate(walk.rows):
        b.press("#add-row")
        b.find(f"#a-{k}-section_ref option[value='{row['section']}']").click()
        if row.get("everyone"):
            b.find(f"#a-{k}-everyone").click()
            continue
        b.pick(f"a-{k}-lead", *row["lead"])
        for typed, name in row["partners"]:
            b.pick(f"a-{k}-partners", typed, name)
        b.set(f"#a-{k}-tasks", row["tasks"])
        b.find(f"#a-{k}-frequency option[value='{row['frequency']}']").click()
        for key in ("start", "until", "final_due"):
            if row.get(key):
                b.set(f"#a-{k}-{key}", row[key])
    b.press("#recipients-from-assignments")  # drawn again: the row to everyone now asks for its wording
    assert "Đã thêm" in b.find("#editor-notes").text
    everyone_row = next(k for k, row in enumerate(walk.rows) if row.get("everyone"))
    b.set(f"#a-{everyone_row}-everyone_name", walk.rows[everyone_row]["everyone"])
    camera("editor-assignments")
    preset = next(button for button in b.all("button.preset") if walk.preset in button.text)
    old = b.find("#editor")
    b.tap(preset)
    b.wait.until(b.EC.staleness_of(old))
    assert "từ danh sách" in b.find("#editor-notes").text
    camera("editor-recipients")
    b.press("#save-draft")
    saved = b.find("#editor-notes").text
    assert "Đã lưu dự thảo, phiên bản" in saved, b.find("#editor").text[:2000]
    preview = b.find("#draft-preview").text
    assert "Quán triệt" in preview or "Sở Giáo dục" in preview
    camera("editor-saved-with-preview")

    # 5. Consultation of two departments, then send.
    b.find("#f-consult").click()
    for typed, name in walk.consult_searches:
        b.pick("f-consult_bodies", typed, name)
    b.set("#f-consult_deadline", "14/05/2026")
    b.set("#f-note", "Dự thảo lần 1.")
    camera("drafting-send-for-comments")
    b.submit()
    b.flash("Đã gửi dự thảo lấy ý kiến 2 cơ quan, hạn góp ý 14/05/2026")

    answering, agreeing = list(walk.consulted.values())
    b.log_in(answering, "consulted-inbox")
    b.open_task("Góp ý dự thảo", "consulted-draft-beside-the-form")
    assert b.find("#draft-preview .document-preview").text.strip()
    b.find("input[name='opinion'][value='comment']").click()
    b.submit()
    wait_text(browser, "#f-comment-error", "bắt buộc khi")
    camera("consulted-empty-comment-refused")
    b.set("#f-comment", "Đề nghị bổ sung nhiệm vụ bảo đảm an toàn điện tại các điểm thi.")
    b.submit()
    b.flash("Đã gửi ý kiến góp ý")
    b.log_in(agreeing, "second-consulted-inbox")
    b.open_task("Góp ý dự thảo", "second-consulted-task")
    b.find("input[name='opinion'][value='agree']").click()
    b.submit()
    b.flash("thống nhất với dự thảo")

    # 6. Tiếp thu, giải trình: every comment handled, then the summary table.
    b.log_in(people["clerk"], "clerk-inbox-after-comments")
    b.open_task("Tiếp thu, giải trình", "absorb-task")
    rows = b.all("#absorb-table tbody tr")
    assert len(rows) == 2
    for row, (kind, text) in zip(rows, (("accepted", "Đã bổ sung vào mục 1."), ("explained", "Thống nhất, không sửa."))):
        row_id = row.get_attribute("id")
        b.tap(row.find_element(b.By.CSS_SELECTOR, f"input[value='{kind}']"))
        row.find_element(b.By.CSS_SELECTOR, "textarea").send_keys(text)
        b.tap(row.find_element(b.By.CSS_SELECTOR, "button"))
        wait_text(browser, f"#{row_id} .saved", "Đã lưu")
    camera("absorb-handled")
    b.submit()
    b.flash("Đã lập bản tổng hợp, tiếp thu, giải trình")

    # 7. The unit head returns it: an empty comment is refused, the comment is kept.
    b.log_in(people["unit_head"], "unit-head-inbox")
    b.open_task("Kiểm tra nội dung dự thảo", "unit-head-review-first-reading")
    assert b.all("#first-reading") and b.find("#draft-preview").text.strip()
    b.find("input[name='decision'][value='return']").click()
    b.submit()
    wait_text(browser, "#f-comment-error", "bắt buộc khi")
    camera("return-without-comment-refused")
    b.set("#f-comment", "Bổ sung thời hạn báo cáo kết quả.")
    b.submit()
    b.flash("Đã trả lại dự thảo cho chuyên viên soạn thảo")
    b.d.get(f"{base}/directives/{directive_id}")
    wait_text(browser, "#directive-stage", "Soạn thảo")  # the stage shown is the one it is in
    camera("directive-after-return")

    # 8. The revision: the return comment beside the editor; one sentence added.
    b.log_in(people["clerk"], "clerk-inbox-after-return")
    b.open_task("Soạn thảo dự thảo", "drafting-after-return")
    assert "Bổ sung thời hạn báo cáo kết quả." in b.find("#directive-panel").text
    n = walk.revision_section
    field = b.find(f"#s-{n}-paragraphs")
    field.send_keys("\n" + walk.revision_text)
    b.press("#save-draft")
    assert walk.revision_text in b.find("#draft-preview").text
    camera("revision-saved")
    b.submit()
    b.flash("Đã trình dự thảo")

    # 9. The reviewer sees what changed since the return, with the comment beside it.
    b.log_in(people["unit_head"], "unit-head-inbox-second-round")
    b.open_task("Kiểm tra nội dung dự thảo", "unit-head-review-with-diff")
    inserted = [el.text for el in b.all("#diff ins")]
    assert any(walk.revision_text in text for text in inserted), inserted
    assert "Bổ sung thời hạn báo cáo kết quả." in b.find("#return-comment").text
    b.find("input[name='decision'][value='approve']").click()
    b.submit()
    b.flash("Đã đồng ý nội dung")
    b.log_in(people["office_reviewer"], "office-inbox")
    b.open_task("Thẩm định thể thức", "office-review")
    b.find("input[name='decision'][value='approve']").click()
    b.submit()
    b.flash("Đã thẩm định thể thức")

    # 10. Sign-off with a signer of the issuer, then the records clerk numbers and issues it.
    b.log_in(people["leader"], "leader-inbox-signing")
    b.open_task(walk.sign_task, "sign-off")
    option = next(o for o in b.all("#f-signer option") if o.text == walk.signer_label)
    b.tap(option)
    b.find("input[name='decision'][value='approve']").click()
    b.submit()
    b.flash("Đã ký ban hành")
    b.log_in(people["records_clerk"], "records-clerk-inbox-issue")
    b.open_task("Cấp số, ngày", "issue-task")
    b.set("#f-issued_on", "11/05/2026")
    b.submit()
    said = b.flash(f"Đã cấp số {walk.number_text}, ngày 11/05/2026")
    assert said
    b.d.get(f"{base}/directives/{directive_id}")
    wait_text(browser, "#directive-title", walk.number_text)
    camera("directive-issued")
    final_link = next(a for a in b.all(".documents a") if a.text.startswith("Chỉ thị ban hành"))
    b.tap(final_link)
    wait_text(browser, "#document-preview", walk.number_text.replace("/", "/"))
    camera("issued-directive-preview")

    # The issued .docx holds exactly the text typed, passes the format checker, and is named by office habit.
    data = _final_docx(eng, directive_id)
    assert check(data, Expect("directive_final", walk.side, type_name="CHỈ THỊ")) == []
    text = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    body = "\n".join(text)
    for line in walk.paste.splitlines():
        label_free = line.split(" ", 1)[1] if line[:1].isdigit() or line[:2] in ("a)", "b)") else line
        assert label_free in body, label_free
    assert walk.revision_text in body
    cells = "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    assert walk.authority in cells and walk.signer_label.split("— ")[1] in cells
    with eng.db.session() as s:
        doc = s.query(GeneratedDocument).filter_by(directive_id=directive_id, kind="directive_final").one()
        assert doc.filename.startswith(f"Chỉ thị {walk.number_text.replace('/', '-')} - ")
    errors = [e["message"] for e in browser.get_log("browser")
              if "favicon.ico" not in e["message"] and "status of 422" not in e["message"]]  # refusals are answers
    assert errors == []


def _write_pdf(walk: Walk) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile(prefix="van-ban-den-", suffix=".pdf", delete=False)
    handle.write(pdf_with_text(f"{walk.sender_search.upper()}", f"So {walk.national_number}/{walk.national_symbol}",
                               "Ve to chuc Ky thi tot nghiep THPT nam 2026"))
    handle.close()
    return handle.name


def test_state_directive_from_intake_to_issuance_in_the_browser(office, browser, camera):
    walk_directive(STATE, office, browser, camera)


def test_party_directive_from_intake_to_issuance_in_the_browser(office, browser, camera):
    walk_directive(PARTY, office, browser, camera)
