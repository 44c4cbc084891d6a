"""The production layout runs as separate processes: `chithi serve --workers N` (gunicorn) serves
logins and pages, and a separate `chithi scheduler` fires the timers due — on the same database."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from engine.app import build_engine
from engine.kernel.accounts import cheap_hasher
from tests.engine.bpmn_helpers import chain, process, user_task
from web.cli import main
from web.seed import DEMO_PASSWORD

pytestmark = pytest.mark.slow

SOON = process(
    "soon", '<bpmn:startEvent id="S"/><bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration>"PT1S"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
    + user_task("Act", "Xử lý") + '<bpmn:endEvent id="E"/>' + chain("S", "Wait", "Act", "E"),
    lanes={"Chuyên viên": ["S", "Wait", "Act", "E"]})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chithi(*args: str, db_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "serving-test", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "web.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_gunicorn_workers_serve_logins_and_the_inbox(db_url):
    assert main(["seed", "--database-url", db_url]) == 0
    port = _free_port()
    server = _chithi("serve", "--workers", "2", "--port", str(port), db_url=db_url)  # the default: sync workers
    base = f"http://127.0.0.1:{port}"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = opener.open(f"{base}/login", timeout=5).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urlencode({"username": "chuyenvien", "password": DEMO_PASSWORD, "csrf_token": token}).encode()
        inbox = opener.open(f"{base}/login", data=form, timeout=30).read().decode()
        assert "Việc cần xử lý" in inbox and "Đăng ký văn bản đến" in inbox
    finally:
        output = _stop(server)
    assert server.returncode == 0, output


def test_a_separate_scheduler_process_fires_the_timers_due(db_url):
    engine = build_engine(db_url, password_hasher=cheap_hasher())  # the real clock, as in production
    try:
        engine.deploy_xml(SOON)
        started = engine.start_instance("soon", body_code="LS.UBND")
        assert started.next_timer_at is not None and started.ready_tasks == []
        scheduler = _chithi("scheduler", db_url=db_url)
        try:
            deadline = started.next_timer_at + timedelta(seconds=30)
            while not engine.get_instance(started.id).ready_tasks:
                assert engine.clock.now() < deadline, "the scheduler process did not fire the timer"
                time.sleep(0.2)
        finally:
            output = _stop(scheduler)
        assert scheduler.returncode == 0, output
        assert [t.element_id for t in engine.get_instance(started.id).ready_tasks] == ["Act"]
    finally:
        engine.shutdown()
