"""Driving a real headless Chromium in the web tests (Debian's chromium and chromium-driver)."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from web.seed import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[2]
# Every page a browser test visits is photographed here (one folder per test) for people to look at.
SCREENSHOTS = Path(os.environ.get("CHITHI_SCREENSHOTS", REPO / "test-screenshots"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 15


@contextmanager
def served(app, name: str = "live-app"):
    """The app served on a free loopback port from a thread (its base URL); on leaving, the server
    stops and the app's engine shuts down (scheduler, connections)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        engine = app.extensions["chithi"]
        engine.shutdown()
        engine.db.dispose()


def require_chromium() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    reason = f"Chromium/ChromeDriver not installed ({', '.join(missing)}); run `make system-deps`"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def headless_chromium(profile_dir: Path):
    """A headless Chromium driven through ChromeDriver, with its own throwaway profile."""
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1280,900", "--lang=vi",
                f"--user-data-dir={profile_dir}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


def wait_text(driver, css: str, text: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT_SECONDS).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    return driver.find_element(By.CSS_SELECTOR, css)


def log_in(driver, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/")
    wait_text(driver, "h1", "Đăng nhập")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait_text(driver, "h1", "Việc cần xử lý")


class Camera:
    """Saves a full-window screenshot of each page a test visits, numbered in visiting order:
    test-screenshots/<test>/<NN>-<name>.png (CHITHI_SCREENSHOTS overrides the folder)."""

    def __init__(self, driver, test_name: str):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in test_name)[:120]
        self.driver, self.folder, self.count = driver, SCREENSHOTS / safe, 0
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> Path:
        """Photograph the current page as `name`; returns the file (asserted non-trivial)."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.driver.execute_script("window.scrollTo(0, 0)")  # the whole page, from its top
        height = self.driver.execute_script("return document.documentElement.scrollHeight") or 900
        self.driver.set_window_size(1280, min(max(int(height), 900), 4000))
        assert self.driver.save_screenshot(str(path))
        self.driver.set_window_size(1280, 900)
        assert path.stat().st_size > 5_000, f"{path} is nearly empty"
        return path
