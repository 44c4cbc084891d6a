"""Đăng nhập: session login with argon2-checked local accounts, CSRF on forms, throttling."""
from __future__ import annotations

from .conftest import csrf_token_of
from .helpers import ensure_user


def test_login_page_speaks_vietnamese(client):
    html = client.get("/login").get_data(as_text=True)
    for text in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu", 'lang="vi"'):
        assert text in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_with_right_password_opens_the_inbox(client, auth):
    response = auth.login("chuyenvien")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Việc cần xử lý" in page
    assert "Nguyễn Văn An" in page


def test_wrong_password_and_unknown_user_get_the_same_message(client, auth):
    wrong = auth.login("chuyenvien", "not-the-password")
    unknown = auth.login("nobody", "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_form_keeps_the_username_after_failure(auth):
    html = auth.login("chuyenvien", "sai-mat-khau").get_data(as_text=True)
    assert 'value="chuyenvien"' in html


def test_post_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "chuyenvien", "password": "chithi-demo"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not logged in


def test_post_with_a_forged_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "chuyenvien", "password": "chithi-demo",
                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_logout_needs_the_token_and_ends_the_session(client, auth):
    auth.login()
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_login_rotates_the_session_token(client, auth):
    before = csrf_token_of(client.get("/login").get_data(as_text=True))
    auth.login()
    after = auth.token()
    assert before != after


def test_repeated_failures_block_the_login_until_the_window_passes(app, client, auth, clock):
    app.extensions["chithi_login_throttle"].max_failures = 3  # fewer argon2 checks than the default 5
    for _ in range(3):
        assert auth.login("chuyenvien", "wrong-password").status_code == 401
    blocked = auth.login("chuyenvien")  # even the right password
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    clock.advance(seconds=app.config["LOGIN_WINDOW_SECONDS"])
    assert auth.login("chuyenvien").status_code == 302


def test_next_parameter_only_redirects_within_the_site(client, engine):
    ensure_user(engine, "chuyenvien")
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    token = csrf_token_of(page)
    response = client.post("/login", data={"username": "chuyenvien", "password": "chithi-demo",
                                           "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_the_page_asked_for(client, engine):
    ensure_user(engine, "lanhdao")
    response = client.get("/instances/1")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    token = csrf_token_of(client.get(login_url).get_data(as_text=True))
    response = client.post("/login", data={"username": "lanhdao", "password": "chithi-demo",
                                           "csrf_token": token, "next": "/instances/1"})
    assert response.headers["Location"] == "/instances/1"


def test_session_cookie_is_httponly_and_samesite_lax(auth):
    response = auth.login()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_htmx_request_after_the_session_ended_goes_to_the_login_page(client):
    response = client.get("/", headers={"HX-Request": "true", "HX-Target": "inbox"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login")
