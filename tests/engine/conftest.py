"""Engine fixtures: a fully wired engine on the per-test database with a frozen clock."""
from __future__ import annotations

import pytest

from engine.app import build_engine
from engine.kernel.accounts import Actor, cheap_hasher


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


@pytest.fixture
def workflow_engine(engine):
    """The engine with the shipped models deployed."""
    engine.deploy_directory()
    return engine
