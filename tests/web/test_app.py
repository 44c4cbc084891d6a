"""The app factory: configuration from the environment with a test override, one engine."""
from __future__ import annotations

import os
import stat

from web import create_app
from web.config import config_from_env, persistent_secret_key


def test_test_config_overrides_and_one_engine_is_built(app, db_url):
    assert app.testing
    assert app.config["DATABASE_URL"] == db_url
    assert app.extensions["chithi"].db.url == db_url
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def test_environment_provides_the_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1234")
    config = config_from_env(tmp_path)
    assert config["DATABASE_URL"].endswith("x.db")
    assert config["SECRET_KEY"] == "from-env"
    assert config["MAX_CONTENT_LENGTH"] == 1234


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = persistent_secret_key(tmp_path)
    second = persistent_secret_key(tmp_path)
    assert first == second and len(first) == 64
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_oversized_request_is_refused(db_url, clock):
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "k", "CLOCK": clock,
                      "MAX_CONTENT_LENGTH": 1024})
    try:
        response = app.test_client().post("/login", data={"username": "x" * 4096})
        assert response.status_code == 413
        assert "quá lớn" in response.get_data(as_text=True)
    finally:
        app.extensions["chithi"].shutdown()
        app.extensions["chithi"].db.dispose()


def test_static_style_is_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["Content-Type"]


def test_pages_carry_security_headers_and_are_not_cached(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
