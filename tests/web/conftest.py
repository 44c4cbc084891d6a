"""Fixtures of the web tests, after flaskr: app → client → auth, on a fresh database per test
(SQLite and, when configured, PostgreSQL) with the sample workflow deployed; each test creates
the accounts it logs in with (helpers.ensure_user)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.kernel.accounts import cheap_hasher
from web import create_app
from web.seed import DEMO_PASSWORD

from .browser_support import Camera, headless_chromium
from .helpers import ensure_user

SAMPLE_BPMN = Path(__file__).resolve().parents[2] / "workflows" / "sample_incoming.bpmn"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db_url, clock):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret-key",
        "CLOCK": clock,
        "PASSWORD_HASHER": cheap_hasher(),
    })
    eng = app.extensions["chithi"]
    # Only the sample model: these tests are about the web layer, not the directive models.
    eng.deploy_xml(SAMPLE_BPMN.read_bytes(), source=SAMPLE_BPMN.name, actor="test")
    yield app
    eng.shutdown()
    eng.db.dispose()


@pytest.fixture
def engine(app):
    return app.extensions["chithi"]


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


class AuthActions:
    """Log in and out through the real login form."""

    def __init__(self, client, engine):
        self._client = client
        self._engine = engine

    def login(self, username: str = "chuyenvien", password: str = DEMO_PASSWORD, follow_redirects=False):
        ensure_user(self._engine, username)
        page = self._client.get("/login")
        token = csrf_token_of(page.get_data(as_text=True))
        return self._client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                                 follow_redirects=follow_redirects)

    def logout(self):
        with self._client.session_transaction() as session:
            token = session.get("csrf_token", "")
        return self._client.post("/logout", data={"csrf_token": token})

    def token(self) -> str:
        """This client's session CSRF token (creating one through a page view if needed)."""
        with self._client.session_transaction() as session:
            token = session.get("csrf_token")
        if token:
            return token
        page = self._client.get("/")
        return csrf_token_of(page.get_data(as_text=True))


@pytest.fixture
def auth(client, engine):
    return AuthActions(client, engine)


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium (real browser) with a throwaway profile."""
    with headless_chromium(tmp_path / "chromium-profile") as driver:
        yield driver


@pytest.fixture
def camera(browser, request):
    """`camera("name")` photographs the browser's page into test-screenshots/<this test>/."""
    return Camera(browser, request.node.name)
