"""The production processes killed with SIGKILL inside a step (issue 11). A gunicorn worker dies in
the middle of a task completion: the client sees the connection drop, the master starts a new worker,
the database holds nothing of the step (every instance loads, state, query tables and audit agree),
and the same completion sent again to a server without the fault succeeds once. A `chithi scheduler`
dies while firing a timer: the timer is still due and the next scheduler fires it. The many-round
version with directives is tests/engine/test_kill_rounds.py."""
from __future__ import annotations

import base64
import json
import os
import signal
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from engine.app import build_engine
from engine.kernel import faults
from engine.kernel.accounts import cheap_hasher
from tests.engine.killrounds import check_database
from tests.web.test_serving import SOON, _chithi, _free_port, _stop
from web.cli import main
from web.seed import DEMO_PASSWORD

pytestmark = pytest.mark.slow

AUTH = "Basic " + base64.b64encode(f"chuyenvien:{DEMO_PASSWORD}".encode()).decode()
SLACK = timedelta(seconds=5)  # the real clock: a row and its audit event are stamped apart
REGISTER = {"arrival_number": 12, "subject": "Về việc tổ chức Kỳ thi", "sender": "Bộ Giáo dục và Đào tạo"}


def _call(base: str, method: str, path: str, body: dict | None = None, timeout: float = 60):
    request = urllib.request.Request(f"{base}{path}", method=method, headers={
        "Authorization": AUTH, "Content-Type": "application/json", "X-Requested-With": "test"},
        data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def _serve(db_url: str, port: int, fault: str | None):
    env_fault = {faults.ENV: fault} if fault else {}
    old = {k: os.environ.get(k) for k in env_fault}
    os.environ.update(env_fault)
    try:
        server = _chithi("serve", "--workers", "1", "--threads", "2", "--port", str(port), db_url=db_url)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=5).read()
            return server, base
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not answer within 60 s"
            time.sleep(0.3)


def _sample_task(db_url) -> int:
    engine = build_engine(db_url, password_hasher=cheap_hasher())
    try:
        clerk = engine.accounts.get("chuyenvien")
        return next(t.id for t in engine.inbox(clerk) if t.element_id == "Task_register")
    finally:
        engine.shutdown()


@pytest.mark.parametrize("point", ["instance_updated", "query_tables_written"])
def test_a_web_worker_killed_inside_a_completion_leaves_nothing_and_the_completion_is_redone(db_url, point):
    assert main(["seed", "--database-url", db_url]) == 0
    task_id = _sample_task(db_url)
    server, base = _serve(db_url, _free_port(), f"{point}:1")
    try:
        with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
            _call(base, "POST", f"/api/tasks/{task_id}/complete", REGISTER)
    finally:
        output = _stop(server)
    assert "SIGKILL" in output, output  # gunicorn saw its worker die

    assert check_database(db_url, [], slack=SLACK).problems == []
    status, task = _call_engine_task(db_url, task_id)
    assert status == "ready"

    server, base = _serve(db_url, _free_port(), None)
    try:
        status, body = _call(base, "POST", f"/api/tasks/{task_id}/complete", REGISTER)
        assert status == 200, body
        assert [t["element_id"] for t in body["ready_tasks"]] == ["Task_instruct"]
        status, again = _call(base, "POST", f"/api/tasks/{task_id}/complete", REGISTER)
        assert status == 409, again
    finally:
        _stop(server)
    assert check_database(db_url, [], slack=SLACK).problems == []


def _call_engine_task(db_url, task_id):
    engine = build_engine(db_url, password_hasher=cheap_hasher())
    try:
        task = engine.get_task(task_id, engine.accounts.get("chuyenvien"))
        return task.status, task
    finally:
        engine.shutdown()


def test_a_scheduler_killed_while_firing_a_timer_leaves_it_due_and_the_next_scheduler_fires_it(db_url):
    engine = build_engine(db_url, password_hasher=cheap_hasher())  # the real clock, as in production
    try:
        engine.deploy_xml(SOON)
        started = engine.start_instance("soon", body_code="LS.UBND")
        os.environ[faults.ENV] = "instance_updated:1"
        try:
            scheduler = _chithi("scheduler", db_url=db_url)
        finally:
            os.environ.pop(faults.ENV)
        try:
            assert scheduler.wait(timeout=90) == -signal.SIGKILL, "the scheduler was not killed inside the step"
        finally:
            _stop(scheduler)
        assert check_database(db_url, [], slack=SLACK).problems == []
        left = engine.get_instance(started.id)
        assert left.ready_tasks == [] and left.next_timer_at == started.next_timer_at  # still due, not fired

        scheduler = _chithi("scheduler", db_url=db_url)
        try:
            deadline = time.monotonic() + 60
            while not engine.get_instance(started.id).ready_tasks:
                assert time.monotonic() < deadline, "the next scheduler did not fire the timer"
                time.sleep(0.2)
        finally:
            output = _stop(scheduler)
        assert scheduler.returncode == 0, output
        assert [t.element_id for t in engine.get_instance(started.id).ready_tasks] == ["Act"]
        assert check_database(db_url, [], slack=SLACK).problems == []
    finally:
        engine.shutdown()
