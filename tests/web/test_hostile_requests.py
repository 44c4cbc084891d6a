"""Issue 11: hostile requests get a clear 4xx, bounded memory and no way off the site."""
from __future__ import annotations

from datetime import timedelta

import pytest

from web.auth import LoginThrottle

from .conftest import csrf_token_of
from .helpers import ensure_user, only_task, start_sample
from .test_api import JSON_POST, basic, json_values


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


# ---------------------------------------------------------------- numbers, JSON and text at the boundary


HUGE = str(2**64)


@pytest.mark.parametrize("path,status", [
    (f"/api/tasks/{HUGE}", 404), (f"/api/instances/{HUGE}", 404), (f"/api/tasks/{HUGE}/claim", 404),
    (f"/api/tasks?offset={HUGE}", 400), (f"/api/tasks?limit={HUGE}", 400), ("/api/tasks?offset=-1", 400),
    (f"/instances/{HUGE}", 404), (f"/?page={HUGE}", 200), (f"/tasks/{HUGE}", 404),
])
def test_numbers_too_big_for_the_database_get_a_4xx(client, auth, engine, path, status):
    headers = {**basic(engine, "admin"), "Accept": "application/json"}
    if not path.startswith("/api"):
        auth.login("admin")
        headers = {}
    method = client.post if path.endswith("/claim") else client.get
    response = method(path, headers={**headers, **JSON_POST})
    assert response.status_code == status, (path, response.status_code)


def test_no_view_reads_a_number_without_the_bounded_converter():
    from pathlib import Path
    web = Path(__file__).resolve().parents[2] / "web"
    offenders = [str(p) for p in web.rglob("*.py") if p.name != "cli.py" and "type=int" in p.read_text()]
    assert offenders == []


def test_a_json_body_nested_100000_deep_is_a_400(client, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    response = client.post(f"/api/tasks/{task.id}/complete", data="[" * 100_000,
                           headers={**basic(engine, "chuyenvien"), **JSON_POST, "Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON" in response.get_json()["message"]


@pytest.mark.parametrize("bad", [{"a": 1}, ["x", "y"], True])
def test_a_text_field_given_an_object_or_list_is_refused_as_not_text(client, engine, bad):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    text_field = next(f.name for f in task.form if f.type in ("text", "textarea"))
    values = {**json_values(task.form), text_field: bad}
    response = client.post(f"/api/tasks/{task.id}/complete", headers={**basic(engine, "chuyenvien"), **JSON_POST},
                           json=values)
    assert response.status_code == 422
    assert "phải là chữ" in response.get_json()["fields"][text_field]


def test_vietnamese_typed_decomposed_is_stored_composed(client, engine):
    import unicodedata
    instance_id = start_sample(engine)
    task = only_task(engine, "chuyenvien")
    text_field = next(f.name for f in task.form if f.type in ("text", "textarea"))
    typed = unicodedata.normalize("NFD", "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn")
    assert typed != unicodedata.normalize("NFC", typed)
    values = {**json_values(task.form), text_field: typed}
    response = client.post(f"/api/tasks/{task.id}/complete", headers={**basic(engine, "chuyenvien"), **JSON_POST},
                           json=values)
    assert response.status_code == 200, response.get_json()
    assert engine.instance_data(instance_id)[text_field] == "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn"


def _nested(depth: int):
    value: object = "đáy"
    for _ in range(depth):
        value = {"x": value}
    return value


@pytest.mark.parametrize("data,words", [
    ({"deep": _nested(900)}, "nested too deeply"),
    ({"d": {"typename": "chithi.date", "value": "2024-05-20"}}, "reserved"),
    ({"d": [{"typename": "Nope"}]}, "reserved"),
])
def test_data_the_engine_could_not_load_back_is_refused_when_an_instance_starts(client, engine, data, words):
    response = client.post("/api/processes/sample_incoming/instances", json={"data": data},
                           headers={**basic(engine, "admin"), **JSON_POST})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert words in response.get_json()["message"]
    assert engine.list_instances() == []


def test_every_text_a_request_carries_reaches_the_app_in_nfc(app):
    """Query strings, form fields (the directive editor's and the directory's too) and JSON bodies:
    decomposed Vietnamese (NFD, as some keyboards send it) arrives composed (NFC)."""
    import unicodedata

    from flask import request

    nfd = unicodedata.normalize("NFD", "Sở Giáo dục và Đào tạo")
    nfc_text = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc_text
    with app.test_request_context("/?q=" + nfd, method="POST", data={"ten": [nfd, nfd + " 2"]}):
        assert request.args["q"] == nfc_text
        assert request.form.getlist("ten") == [nfc_text, nfc_text + " 2"]
    with app.test_request_context("/", method="POST", json={"a": [nfd, {"b": nfd}], nfd: 1}):
        assert request.get_json() == {"a": [nfc_text, {"b": nfc_text}], nfc_text: 1}
