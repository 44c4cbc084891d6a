"""Accounts and their sessions: a session lives on the server and ends at logout, at a password
change or reset, when the account is disabled, and when it expires; the last administrator stays;
every change is audited without the password."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.directory.models import Body
from engine.kernel.accounts import AccountChanges
from engine.kernel.errors import FormError, InvalidState, NotFound, PermissionDenied
from engine.kernel.models import AuditEvent

PASSWORD = "mat-khau-1"
HOURS_8 = timedelta(hours=8)


@pytest.fixture
def people(engine):
    with engine.transaction() as s:
        s.add(Body(code="LS.UBND", name="Ủy ban nhân dân tỉnh Lạng Sơn", kind="province_people_committee"))
    boss = engine.accounts.create_user("quantri", "Quản trị viên", PASSWORD, ["admin"])
    clerk = engine.accounts.create_user("chuyenvien", "Nguyễn Văn An", PASSWORD, ["clerk"], "LS.UBND")
    return boss, clerk


def user_id(engine, username):
    from engine.kernel.accounts import SYSTEM

    return next(a.id for a in engine.accounts.list_accounts(SYSTEM) if a.username == username)


def test_a_session_ends_at_logout(engine, people):
    token = engine.accounts.start_session("chuyenvien", HOURS_8)
    assert engine.accounts.session_actor(token).username == "chuyenvien"
    engine.accounts.end_session(token)
    assert engine.accounts.session_actor(token) is None


def test_a_session_expires(engine, people, clock):
    token = engine.accounts.start_session("chuyenvien", HOURS_8)
    clock.advance(hours=7, minutes=59)
    assert engine.accounts.session_actor(token) is not None
    clock.advance(minutes=2)
    assert engine.accounts.session_actor(token) is None


def test_changing_the_password_ends_every_session_of_the_account(engine, people):
    phone, office = (engine.accounts.start_session("chuyenvien", HOURS_8) for _ in range(2))
    other = engine.accounts.start_session("quantri", HOURS_8)
    engine.accounts.change_own_password("chuyenvien", PASSWORD, "mat-khau-moi-2", "mat-khau-moi-2")
    assert engine.accounts.session_actor(phone) is None and engine.accounts.session_actor(office) is None
    assert engine.accounts.session_actor(other) is not None
    assert engine.accounts.authenticate("chuyenvien", "mat-khau-moi-2") is not None
    assert engine.accounts.authenticate("chuyenvien", PASSWORD) is None


def test_a_wrong_current_password_or_a_mismatch_changes_nothing(engine, people):
    token = engine.accounts.start_session("chuyenvien", HOURS_8)
    with pytest.raises(FormError) as refused:
        engine.accounts.change_own_password("chuyenvien", "sai-mat-khau", "ngan", "khac")
    fields = {p.field for p in refused.value.fields}
    assert fields == {"current_password", "new_password", "confirm_password"}
    assert engine.accounts.session_actor(token) is not None
    assert engine.accounts.authenticate("chuyenvien", PASSWORD) is not None


def test_a_reset_by_an_administrator_ends_the_sessions(engine, people):
    boss, _ = people
    token = engine.accounts.start_session("chuyenvien", HOURS_8)
    engine.accounts.reset_password(boss, user_id(engine, "chuyenvien"), "dat-lai-123", "dat-lai-123")
    assert engine.accounts.session_actor(token) is None
    assert engine.accounts.authenticate("chuyenvien", "dat-lai-123") is not None


def test_disabling_ends_the_sessions_and_enabling_does_not_bring_them_back(engine, people):
    boss, _ = people
    token = engine.accounts.start_session("chuyenvien", HOURS_8)
    uid = user_id(engine, "chuyenvien")
    account = engine.accounts.set_active(boss, uid, False, reason="nghỉ hưu")
    assert not account.active and engine.accounts.session_actor(token) is None
    assert engine.accounts.authenticate("chuyenvien", PASSWORD) is None
    engine.accounts.set_active(boss, uid, True)
    assert engine.accounts.session_actor(token) is None
    assert engine.accounts.authenticate("chuyenvien", PASSWORD) is not None


def test_the_last_administrator_cannot_be_disabled_or_demoted(engine, people):
    boss, _ = people
    second = engine.accounts.create_user("quantri2", "Quản trị 2", PASSWORD, ["admin"], actor=boss)
    with pytest.raises(InvalidState):
        engine.accounts.set_active(boss, user_id(engine, "quantri"), False)  # nobody disables themselves
    engine.accounts.set_active(second, user_id(engine, "quantri"), False)
    with pytest.raises(InvalidState, match="cuối cùng"):
        engine.accounts.set_active(second, user_id(engine, "quantri2"), False)
    with pytest.raises(FormError) as refused:
        engine.accounts.update_user(second, user_id(engine, "quantri2"), AccountChanges(roles=["clerk"]))
    assert "cuối cùng" in refused.value.fields[0].message
    engine.accounts.set_active(second, user_id(engine, "quantri"), True)
    demoted = engine.accounts.update_user(second, user_id(engine, "quantri2"), AccountChanges(roles=["leader"]))
    assert demoted.roles == ("leader",)


def test_roles_bodies_titles_and_signers_are_checked_and_audited(engine, people):
    boss, _ = people
    with pytest.raises(FormError) as refused:
        engine.accounts.create_user("ld", "", "ngan", ["giam_doc"], "XX.KHONGCO", actor=boss)
    assert {p.field for p in refused.value.fields} == {"full_name", "password", "roles", "body_code"}
    leader = engine.accounts.create_user("lanhdao", "Trần Thị Bình", PASSWORD, ["leader"], "LS.UBND",
                                         title="PHÓ CHỦ TỊCH", signer=True, actor=boss)
    uid = user_id(engine, "lanhdao")
    changed = engine.accounts.update_user(boss, uid, AccountChanges(title="CHỦ TỊCH"))
    assert (changed.title, changed.signer, leader.body_code) == ("CHỦ TỊCH", True, "LS.UBND")
    with engine.db.session() as s:
        events = s.query(AuditEvent).filter(AuditEvent.action.in_(["user_created", "user_updated"])).all()
        assert [e.action for e in events][-2:] == ["user_created", "user_updated"]
        assert events[-1].payload["changes"] == {"title": ["PHÓ CHỦ TỊCH", "CHỦ TỊCH"]}
        assert all("password" not in str(e.payload).lower() for e in events)


def test_only_administrators_manage_accounts_and_guessed_ids_are_not_found(engine, people):
    boss, clerk = people
    with pytest.raises(PermissionDenied):
        engine.accounts.list_accounts(clerk)
    with pytest.raises(PermissionDenied):
        engine.accounts.account(clerk, 10**6)  # refused before anything is looked up
    with pytest.raises(NotFound):
        engine.accounts.account(boss, 10**6)
    with pytest.raises(PermissionDenied):
        engine.accounts.create_user("x1", "X", PASSWORD, ["clerk"], actor=clerk)


def test_sessions_open_are_counted_and_old_ended_ones_pruned(engine, people, clock):
    boss, _ = people
    old = engine.accounts.start_session("chuyenvien", HOURS_8)
    engine.accounts.end_session(old)
    engine.accounts.start_session("chuyenvien", HOURS_8)
    assert engine.accounts.account(boss, user_id(engine, "chuyenvien")).open_sessions == 1
    clock.advance(days=31)
    engine.accounts.start_session("chuyenvien", HOURS_8)
    from engine.kernel.models import UserSession

    with engine.db.session() as s:
        assert s.query(UserSession).count() == 1  # ended or expired over a month ago: gone
