"""From the browser: an administrator opens Mẫu văn bản from the top bar, uploads a template with an
unknown placeholder (refused, the placeholder named), then a good one, which becomes version 1."""
from __future__ import annotations

import pytest

from engine.kernel.accounts import cheap_hasher
from web import create_app
from web.seed import DEMO_PASSWORD

from ..documents.template_edit import edited_template
from .browser_support import log_in, served, wait_text

pytestmark = pytest.mark.browser

KIND, SIDE = "reminder_letter", "state"


@pytest.fixture
def admin_app(tmp_path):
    """The app on a fresh SQLite file with one administrator, served by a real threaded server."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'chithi.db'}", "SECRET_KEY": "browser-test",
                      "PASSWORD_HASHER": cheap_hasher()})
    eng = app.extensions["chithi"]
    eng.upgrade_schema()
    eng.accounts.create_user("admin", "Quản trị hệ thống", DEMO_PASSWORD, ["admin"], None)
    with served(app, "templates-app") as base:
        yield base


def test_admin_replaces_a_template_from_the_browser(admin_app, browser, camera, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    bad, good = tmp_path / "mau-hong.docx", tmp_path / "mau-moi.docx"
    bad.write_bytes(edited_template(KIND, SIDE, "{{ cv_subject }}", "{{ ky_bao_cao }}"))
    good.write_bytes(edited_template(KIND, SIDE))

    log_in(browser, admin_app, "admin")
    browser.find_element(By.ID, "nav-templates").click()
    wait_text(browser, "h1", "Mẫu văn bản")
    camera("templates-index")
    browser.find_element(By.CSS_SELECTOR, f"#slot-{KIND}-{SIDE} a").click()
    wait_text(browser, "#template-source", "mẫu gốc")
    camera("template-detail-shipped")

    browser.find_element(By.ID, "template-file").send_keys(str(bad))
    browser.find_element(By.ID, "upload-submit").click()
    assert "ky_bao_cao" in wait_text(browser, "#upload-errors", "ky_bao_cao").text
    camera("template-upload-refused")

    browser.find_element(By.ID, "template-file").send_keys(str(good))
    browser.find_element(By.ID, "upload-submit").click()
    wait_text(browser, "#template-source", "phiên bản 1")
    assert "Đang dùng" in browser.find_element(By.ID, "template-history").text
    camera("template-uploaded")
