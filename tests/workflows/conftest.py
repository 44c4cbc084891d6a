"""Fixtures for walking the directive models: an engine with the shipped workflows deployed on the
per-test database (SQLite and PostgreSQL), a FrozenClock, and a desk that acts as each role."""
from __future__ import annotations

import pytest

from engine.app import build_engine
from engine.directives.demo import Desk
from engine.directives.reference import load_reference_data
from engine.kernel.accounts import cheap_hasher


@pytest.fixture
def engine(db_url, clock):
    eng = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    eng.deploy_directory()
    load_reference_data(eng)  # the directory is law: the form checks read it
    yield eng
    eng.db.dispose()


class ReloadingDesk(Desk):
    """A desk whose every move starts from the stored state (no cached workflow), so each path
    also proves that the models survive save and restore at every step."""

    def do(self, *args, **kwargs):
        self.engine.instances.forget_cached()
        return super().do(*args, **kwargs)

    def move_to(self, moment):
        self.engine.instances.forget_cached()
        return super().move_to(moment)


@pytest.fixture
def desk(engine, clock):
    return ReloadingDesk(engine, clock)
