"""The issue's acceptance check, as a new user would do it: the real app (seeded like `make run`)
served on a free port, a real headless Chromium logs in as the demo clerk, completes the sample
task through the form, logs out, and the leader sees the next task."""
from __future__ import annotations

import pytest

from web import create_app
from web.assets import VENDOR_DIR
from web.seed import seed

from .browser_support import WAIT_SECONDS, log_in, served, wait_text

pytestmark = pytest.mark.browser

@pytest.fixture
def live_app(tmp_path):
    """The app on a fresh SQLite file, migrated and seeded, served by a real threaded server."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'chithi.db'}", "SECRET_KEY": "browser-test"})
    eng = app.extensions["chithi"]
    eng.upgrade_schema()
    report = seed(eng)
    eng.start_scheduler()  # as `chithi serve` does
    with served(app, "live-app") as base:
        yield base, eng, report


def test_clerk_completes_the_sample_task_and_the_leader_gets_the_next(live_app, browser, camera):
    from selenium.webdriver.common.by import By

    base, eng, report = live_app
    assert report.sample_started

    # The clerk logs in and sees the sample task in the inbox.
    log_in(browser, base, "chuyenvien")
    camera("clerk-inbox")
    assert browser.find_element(By.ID, "current-user").text == "Nguyễn Văn An"
    row = browser.find_element(By.CSS_SELECTOR, "tr.task-row")
    assert "Đăng ký văn bản đến" in row.text
    assert "CV-DEN-2024-001" in row.text
    if (VENDOR_DIR / "htmx.min.js").exists():  # `make install` copied it: the refresh swaps the table only
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import WebDriverWait

        assert browser.execute_script("return typeof window.htmx") == "object"
        browser.execute_script("window.stillTheSamePage = true")
        old_table = browser.find_element(By.ID, "inbox")
        browser.find_element(By.LINK_TEXT, "Làm mới").click()
        WebDriverWait(browser, WAIT_SECONDS).until(EC.staleness_of(old_table))
        assert browser.execute_script("return window.stillTheSamePage") is True  # swapped, not reloaded
        assert len(browser.find_elements(By.CSS_SELECTOR, "header.site-header")) == 1
        row = browser.find_element(By.CSS_SELECTOR, "tr.task-row")
        assert "Đăng ký văn bản đến" in row.text

    # Opens it, reads the instructions, and fills the form.
    row.find_element(By.CSS_SELECTOR, "a.task-link").click()
    wait_text(browser, "h1", "Đăng ký văn bản đến")
    camera("clerk-task")
    assert "Vào sổ văn bản đến" in browser.find_element(By.CSS_SELECTOR, ".doc-text").text
    browser.find_element(By.ID, "f-arrival_number").send_keys("125")
    browser.find_element(By.ID, "f-subject").send_keys("Chỉ thị 15/CT-TTg về Kỳ thi tốt nghiệp THPT năm 2024")
    browser.find_element(By.ID, "f-sender").send_keys("Văn phòng Chính phủ")
    browser.find_element(By.ID, "complete").click()

    # Back in the inbox with the confirmation; the task is gone.
    flash = wait_text(browser, ".flash-success", "Đã hoàn thành: Đăng ký văn bản đến")
    assert flash.is_displayed()
    assert browser.find_element(By.ID, "inbox-empty").text == "Hiện không có việc nào cần xử lý."
    camera("clerk-inbox-after-completion")

    # Logs out; the leader logs in and finds the next step of the same instance.
    browser.find_element(By.ID, "logout").click()
    wait_text(browser, ".flash-info", "Bạn đã đăng xuất.")
    log_in(browser, base, "lanhdao")
    camera("leader-inbox")
    leader_row = browser.find_element(By.CSS_SELECTOR, "tr.task-row")
    assert "Cho ý kiến chỉ đạo" in leader_row.text
    assert "CV-DEN-2024-001" in leader_row.text
    leader_row.find_element(By.CSS_SELECTOR, "a.task-link").click()
    wait_text(browser, "h1", "Cho ý kiến chỉ đạo")
    assert [r.get_attribute("value") for r in browser.find_elements(By.NAME, "decision")] == ["approve", "return"]

    camera("leader-task")

    # The seeded directive's document opens as an HTML preview (one extra page visit).
    from .directive_helpers import attach_document, docx_with_text

    document_id = attach_document(eng, report.directive_id, docx_with_text("CHỈ THỊ về Kỳ thi tốt nghiệp THPT"))
    browser.get(f"{base}/documents/{document_id}")
    wait_text(browser, "#document-preview", "CHỈ THỊ về Kỳ thi tốt nghiệp THPT")
    camera("document-preview")
    assert browser.find_element(By.ID, "download-docx").text == "Tải .docx"

    # No script or policy errors in the console (a missing favicon is not one).
    errors = [e["message"] for e in browser.get_log("browser") if "favicon.ico" not in e["message"]]
    assert errors == []

    instance = eng.get_instance(report.sample_instance_id)
    assert instance.status == "running"
    assert [t.name for t in instance.ready_tasks] == ["Cho ý kiến chỉ đạo"]
