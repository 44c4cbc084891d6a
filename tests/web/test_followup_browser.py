"""Follow-up in a real Chromium, photographed page by page: the body officer sees its deadlines and
sends its report with a PDF attached; the drafter reviews the generated chasing letter (edits the
text, picks the signer) before it is sent; the leader's dashboard and the board show the figures
the database holds; the inbox finds the task without accents; notifications are counted."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine.directives import tracking
from engine.directives.demo import Desk
from engine.directives.reference import load_reference_data
from engine.kernel.accounts import cheap_hasher
from engine.kernel.clock import FrozenClock
from engine.notifications import service as notifications
from tests.workflows.test_followup_paths import DUE_1, issued
from web import create_app
from web.seed import DEMO_PASSWORD, DemoUser, ensure_demo_users

from .browser_support import WAIT_SECONDS, served, wait_text

pytestmark = pytest.mark.browser
START = DUE_1 - timedelta(days=20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def office(tmp_path):
    clock = FrozenClock(START)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'chithi.db'}", "SECRET_KEY": "browser-followup",
                      "CLOCK": clock, "PASSWORD_HASHER": cheap_hasher()})
    eng = app.extensions["chithi"]
    eng.upgrade_schema()
    eng.deploy_directory()
    load_reference_data(eng)
    ensure_demo_users(eng, [DemoUser("chuyenvien", "Nguyễn Văn An", ("clerk",), "LS.UBND"),
                            DemoUser("lanhdao", "Trần Thị Bình", ("leader",), "LS.UBND"),
                            DemoUser("donvi", "Đỗ Văn Hùng", ("body_officer",), "LS.CA")])
    with served(app, "followup-app") as base:
        yield base, eng, clock


class Walk:
    def __init__(self, driver, base, camera):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        self.d, self.base, self.camera, self.By, self.EC = driver, base, camera, By, EC
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def find(self, css):
        return self.d.find_element(self.By.CSS_SELECTOR, css)

    def log_in(self, username: str, shot: str) -> None:
        self.d.get(self.base + "/static/style.css")  # leave any page before the cookies go
        self.d.delete_all_cookies()
        self.d.get(self.base + "/login")
        wait_text(self.d, "h1", "Đăng nhập")
        self.find("#username").send_keys(username)
        self.find("#password").send_keys(DEMO_PASSWORD)
        self.find("#login-submit").click()
        wait_text(self.d, "h1", "Việc cần xử lý")
        self.camera(shot)

    def go(self, path: str, heading_css: str, text: str, shot: str) -> None:
        self.d.get(self.base + path)
        wait_text(self.d, heading_css, text)
        self.camera(shot)

    def click(self, css: str) -> None:
        element = self.find(css)
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def figures(self, container: str) -> dict[str, str]:
        part = self.find(f"#{container}")
        return {el.get_attribute("data-figure"): el.text for el in part.find_elements(self.By.CSS_SELECTOR,
                                                                                       "[data-figure]")}


def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def test_body_reports_drafter_chases_leader_reads_the_same_figures(office, browser, camera, tmp_path):
    base, eng, clock = office
    desk = Desk(eng, clock)
    did, _iid = issued(eng, desk, ("LS.CA", "LS.SYT"))
    for body in ("LS.CA", "LS.SYT"):
        desk.do("body_officer", body, "Task_acknowledge")
    notifications.collect(eng)  # the outbox's cursor starts here
    desk.move_to(DUE_1 - timedelta(days=2))
    assert notifications.collect(eng) >= 1  # the report task is news for the body's officer
    walk = Walk(browser, base, camera)

    # The body officer: its inbox (subject, not a code; notification count), its deadlines, its report.
    walk.log_in("donvi", "body-inbox")
    row = walk.find("tr.task-row")
    assert "Gửi báo cáo định kỳ" in row.text and "Chỉ thị" in row.text
    assert int(walk.find("#nav-notifications-count").text) >= 1
    walk.find("#q").send_keys("chi thi ky thi")  # accent-insensitive search
    walk.click("#apply-filters")
    wait_text(browser, "tr.task-row", "Gửi báo cáo định kỳ")
    walk.camera("body-inbox-search")
    walk.go("/workspace", "h1", "Nhiệm vụ của đơn vị", "body-workspace")
    deadlines = walk.find("#deadlines").text
    assert "07/06/2024 17:00" in deadlines and "Sắp đến hạn" in deadlines
    walk.go("/", "h1", "Việc cần xử lý", "body-inbox-again")
    walk.click("tr.task-row a.task-link")
    wait_text(browser, "h1", "Gửi báo cáo định kỳ")
    attachment = tmp_path / "bao-cao-ky-1.pdf"
    attachment.write_bytes(PDF)
    walk.find("#attach-file").send_keys(str(attachment))
    walk.click("#attach-submit")
    wait_text(browser, "#attached-files", "bao-cao-ky-1.pdf")
    walk.camera("body-report-attached")
    walk.find("#f-content").send_keys("Công an tỉnh đã triển khai bảo đảm an ninh Kỳ thi.")
    walk.find("#f-body_number").send_keys("15/BC-CAT")
    walk.camera("body-report-filled")
    walk.click("#complete")
    wait_text(browser, ".flash-success", "Gửi báo cáo định kỳ")
    walk.go("/workspace", "h1", "Nhiệm vụ của đơn vị", "body-workspace-after")
    assert "bao-cao-ky-1.pdf" in walk.find("#reports-sent").text and "Đúng hạn" in walk.find("#reports-sent").text

    # The drafter: the chasing letter for the body that did not report waits for review.
    desk.move_to(DUE_1 + timedelta(days=1, minutes=1))
    walk.log_in("chuyenvien", "drafter-inbox")
    walk.click("#folder-open")
    link = walk.wait.until(walk.EC.element_to_be_clickable((walk.By.PARTIAL_LINK_TEXT, "Duyệt công văn đôn đốc")))
    link.click()
    wait_text(browser, "h1", "Duyệt công văn đôn đốc")
    walk.camera("drafter-review")
    text = walk.find("#f-letter_text")
    text.clear()
    text.send_keys("Đề nghị Sở Y tế gửi ngay báo cáo kỳ 1 trước 17 giờ ngày 10/6/2024./.")
    signer = walk.find("#f-signer")
    options = [o.get_attribute("value") for o in signer.find_elements(walk.By.TAG_NAME, "option") if o.get_attribute("value")]
    assert options, "the signers of the issuing body are offered"
    from selenium.webdriver.support.ui import Select

    Select(signer).select_by_value(options[-1])
    walk.camera("drafter-review-filled")
    walk.click("#complete")
    wait_text(browser, ".flash-success", "Duyệt công văn đôn đốc")
    walk.go(f"/directives/{did}/board", "h1", "Bảng theo dõi thực hiện", "drafter-board")
    syt = walk.find('tr[data-body="Sở Y tế"]')
    assert "Đôn đốc" in syt.text and "Chưa hoàn thành – quá hạn" in syt.text

    # The leader: the dashboard and the board show what the database holds.
    walk.log_in("lanhdao", "leader-inbox")
    with eng.db.session() as s:
        rates = tracking.directive_rates(s, did, clock.now())
        board = tracking.board(s, did, clock.now())
    expected = {"on_time": str(rates.on_time), "late": str(rates.late), "overdue": str(rates.overdue),
                "on_time_rate": percent(rates.on_time_rate), "completion_rate": percent(rates.completion_rate)}
    walk.go("/dashboard", "h1", "Tổng hợp tình hình thực hiện", "leader-dashboard")
    assert walk.figures("dashboard-summary") == expected
    assert walk.find("#reports-chart").is_displayed()
    assert "Sở Y tế" in walk.find("#overdue-bodies").text
    walk.go(f"/directives/{did}/board", "h1", "Bảng theo dõi thực hiện", "leader-board")
    shown = walk.figures("board-summary")
    assert {k: shown[k] for k in expected} == expected
    for board_row in board.rows:
        cells = walk.find(f'tr[data-body="{board_row.body_name}"]').find_elements(walk.By.CSS_SELECTOR, "td.cell")
        assert [c.get_attribute("data-status") or "" for c in cells] == [
            c.status if c is not None else "" for c in board_row.cells]
    assert re.search(r"Chỉ thị \d+/CT-UBND", walk.find("#board-subject").text)
