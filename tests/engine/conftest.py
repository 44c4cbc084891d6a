"""Engine fixtures: a fully wired engine on the per-test database with a frozen clock."""
from __future__ import annotations

import pytest

from engine.kernel.accounts import Actor
from engine.kernel.accounts import cheap_hasher
from engine.app import build_engine


@pytest.fixture
def engine(db_url, clock):
    eng = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    yield eng
    eng.db.dispose()


@pytest.fixture
def clerk():
    return Actor("chuyenvien", "Nguyễn Văn A", ("clerk",), "LS.UBND")


@pytest.fixture
def leader():
    return Actor("lanhdao", "Trần Thị B", ("leader",), "LS.UBND")


@pytest.fixture
def admin():
    return Actor("admin", "Quản trị", ("admin",), None)
