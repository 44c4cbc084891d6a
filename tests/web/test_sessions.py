"""Sessions end on the server: a copy of the session cookie saved before logout, before a password
change or before the account is disabled no longer logs anyone in (the page and the API alike)."""
from __future__ import annotations

from web.seed import DEMO_PASSWORD

from .helpers import ensure_user

COOKIE = "chithi_session"


def saved_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "logged in, so there is a session cookie"
    return cookie.value


def replay(app, value: str):
    """Another browser presenting a saved copy of the cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def logged_in(client) -> bool:
    return client.get("/api/me").status_code == 200


def log_out(client, auth) -> None:
    response = client.post("/logout", data={"csrf_token": auth.token()})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_saved_before_logout_no_longer_works(app, client, auth):
    auth.login("chuyenvien")
    saved = saved_cookie(client)
    assert logged_in(replay(app, saved))  # a copy works while the session lives
    log_out(client, auth)
    attacker = replay(app, saved)
    assert attacker.get("/api/me").status_code == 401
    page = attacker.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app, client, auth):
    auth.login("chuyenvien")
    saved = saved_cookie(client)
    other_browser = app.test_client()
    page = other_browser.get("/login").get_data(as_text=True)
    from .conftest import csrf_token_of

    other_browser.post("/login", data={"username": "chuyenvien", "password": DEMO_PASSWORD,
                                       "csrf_token": csrf_token_of(page)})
    assert logged_in(other_browser)
    response = client.post("/account/password", data={
        "csrf_token": auth.token(), "current_password": DEMO_PASSWORD,
        "new_password": "mat-khau-moi-2024", "confirm_password": "mat-khau-moi-2024"})
    assert response.status_code == 302
    assert logged_in(client)  # the browser that changed it got a fresh session
    assert not logged_in(other_browser)
    assert not logged_in(replay(app, saved))
    assert client.get("/api/me").get_json()["username"] == "chuyenvien"


def test_a_wrong_current_password_changes_nothing_and_says_which_field(client, auth, engine):
    auth.login("chuyenvien")
    response = client.post("/account/password", data={
        "csrf_token": auth.token(), "current_password": "sai-mat-khau",
        "new_password": "ngan", "confirm_password": "khac"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mật khẩu đang dùng không đúng" in html and "ít nhất 8 ký tự" in html and "không giống nhau" in html
    assert "sai-mat-khau" not in html  # passwords are never echoed back
    assert engine.accounts.authenticate("chuyenvien", DEMO_PASSWORD) is not None


def test_disabling_an_account_ends_its_sessions_at_once(app, client, auth, engine):
    auth.login("chuyenvien")
    saved = saved_cookie(client)
    log_out(client, auth)
    auth.login("admin")
    target = next(a for a in engine.accounts.list_accounts(ensure_user(engine, "admin")) if a.username == "chuyenvien")
    response = client.post(f"/admin/users/{target.id}/active",
                           data={"csrf_token": auth.token(), "active": "0", "reason": "chuyển công tác"})
    assert response.status_code == 302
    assert not logged_in(replay(app, saved))
    assert engine.accounts.authenticate("chuyenvien", DEMO_PASSWORD) is None


def test_a_session_ends_when_it_expires_on_the_server(app, client, auth, clock):
    auth.login("chuyenvien")
    saved = saved_cookie(client)
    clock.advance(seconds=app.config["PERMANENT_SESSION_LIFETIME"] + 60)
    assert not logged_in(replay(app, saved))
