"""Issue 11: hostile requests get a clear 4xx, bounded memory and no way off the site."""
from __future__ import annotations

from datetime import timedelta

import pytest

from web.auth import LoginThrottle

from .conftest import csrf_token_of
from .helpers import ensure_user


@pytest.mark.parametrize("target", [
    "/%09/evil.example/x", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/%0d%0aSet-Cookie:x=1", "/x\ny", "https://evil.example/", "javascript:alert(1)", "/x\u2028y",
])
def test_next_leaves_the_site_never_before_or_after_login(client, auth, engine, target):
    ensure_user(engine, "chuyenvien")
    from urllib.parse import quote
    page = client.get("/login?next=" + quote(target, safe="%"))
    assert page.status_code == 200
    token = csrf_token_of(page.get_data(as_text=True))
    response = client.post("/login", data={"username": "chuyenvien", "password": "chithi-demo",
                                           "csrf_token": token, "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    again = client.get("/login?next=" + quote(target, safe="%"))  # logged in: straight on
    assert again.status_code == 302 and again.headers["Location"] == "/"


def test_next_keeps_a_same_site_path_with_its_query(client, auth, engine):
    ensure_user(engine, "chuyenvien")
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "chuyenvien", "password": "chithi-demo",
                                           "csrf_token": token, "next": "/instances?status=error"})
    assert response.headers["Location"] == "/instances?status=error"


@pytest.mark.parametrize("username,password", [("u" * 5_000, "x" * 10), ("chuyenvien", "p" * 2_000)])
def test_oversized_login_fields_are_refused_before_any_work(app, client, username, password):
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 400
    assert "quá dài" in response.get_data(as_text=True)
    assert len(app.extensions["chithi_login_throttle"]) == 0  # nothing remembered
    basic = client.get("/api/tasks", auth=(username, password), headers={"Accept": "application/json"})
    assert basic.status_code == 400 and "quá dài" in basic.get_json()["message"]


def test_the_login_throttle_forgets_old_keys_and_keeps_a_bounded_number():
    throttle = LoginThrottle(3, timedelta(minutes=5), max_keys=100)
    from datetime import UTC, datetime
    start = datetime(2024, 5, 20, tzinfo=UTC)
    for i in range(1_000):
        throttle.failed((f"user{i}", "10.0.0.1"), start + timedelta(seconds=i / 100))
    assert len(throttle) <= 100
    later = start + timedelta(minutes=6)
    throttle.failed(("someone", "10.0.0.2"), later)
    assert len(throttle) == 1  # every other key's failures left the window
    for _ in range(3):
        throttle.failed(("victim", "10.0.0.3"), later)
    assert throttle.blocked(("victim", "10.0.0.3"), later)


def test_wrong_logins_under_many_addresses_keep_the_throttle_bounded(app, client, engine):
    throttle = app.extensions["chithi_login_throttle"]
    throttle.max_keys = 50
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    for i in range(120):
        client.post("/login", data={"username": f"khong-co-{i}", "password": "sai-mat-khau", "csrf_token": token},
                    environ_base={"REMOTE_ADDR": f"10.0.{i // 250}.{i % 250}"})
    assert len(throttle) <= 50
