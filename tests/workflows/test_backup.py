"""`chithi backup` / `chithi restore` on each database: a directive is backed up mid-life (issued,
one report in), its life goes on, the backup is restored over it, and the restored directive is carried
to close-out and archive. Restore refuses a database holding data without --force, and a file that is
no backup."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.app import build_engine
from engine.directives import store
from engine.directives.demo import Desk
from engine.directives.store import BodyReport
from engine.kernel.accounts import cheap_hasher
from engine.kernel.backup import BackupError, find_pg_tool
from tests.workflows.helpers import APPROVE, ISSUER_LS, documents, ready, stage
from tests.workflows.test_followup_paths import DUE_1, DUE_FINAL, issued, report
from web.cli import main


def _reports(engine, did) -> int:
    with engine.db.session() as s:
        return s.query(BodyReport).filter_by(directive_id=did).count()


def test_a_directive_backed_up_mid_life_is_restored_and_carried_to_close_out(engine, desk, clock, db_url, tmp_path,
                                                                            capsys):
    did, iid = issued(engine, desk, ("LS.CA",))
    desk.do("body_officer", "LS.CA", "Task_acknowledge")
    desk.move_to(DUE_1 - timedelta(days=2))
    report(desk, "LS.CA")
    before = (len(documents(engine, did)), _reports(engine, did), ready(engine, iid), stage(engine, did))
    backup_file = tmp_path / "backups" / "chithi.backup"
    assert main(["backup", str(backup_file), "--database-url", db_url]) == 0
    assert "Backed up the" in capsys.readouterr().out and backup_file.stat().st_size > 0

    desk.move_to(DUE_FINAL - timedelta(days=2))  # life goes on after the backup: the final report
    report(desk, "LS.CA", text="Báo cáo cuối kỳ.")
    desk.do("clerk", ISSUER_LS, "Task_closeout_draft", {"summary": "Bản tổng kết viết sau khi sao lưu."})
    assert _reports(engine, did) == 2
    engine.db.dispose()

    assert main(["restore", str(backup_file), "--database-url", db_url]) == 1  # the database holds data
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(backup_file), "--database-url", db_url, "--force"]) == 0
    out = capsys.readouterr().out
    assert "Restored the" in out and "Audit log verified" in out

    restored = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())  # a restarted server
    try:
        assert (len(documents(restored, did)), _reports(restored, did), ready(restored, iid),
                stage(restored, did)) == before
        assert restored.verify_audit().ok
        desk = Desk(restored, clock)
        desk.move_to(clock.now())  # the restarted scheduler fires what fell due since the backup: the final period opens
        report(desk, "LS.CA", text="Báo cáo cuối kỳ, nộp lại sau khôi phục.")
        assert ready(restored, iid) == ["Task_closeout_draft"]
        desk.do("clerk", ISSUER_LS, "Task_closeout_draft", {"summary": "Hoàn thành."})
        desk.do("leader", ISSUER_LS, "Task_closeout_approve", APPROVE)
        desk.do("records_clerk", ISSUER_LS, "Task_archive", {"file_code": "HS-01"})
        assert restored.get_instance(iid).status == "completed" and stage(restored, did) == "closed"
        with restored.db.session() as s:
            texts = [r.content for r in s.query(BodyReport).filter_by(directive_id=did).order_by(BodyReport.id)]
            assert texts == ["Đã triển khai.", "Báo cáo cuối kỳ, nộp lại sau khôi phục."]
            assert all(a.status == "done" for a in store.assignments_of(s, did))
        assert restored.verify_audit().ok
    finally:
        restored.shutdown()


def test_restore_refuses_what_is_not_a_backup_and_a_missing_file(db_url, tmp_path, capsys):
    junk = tmp_path / "notes.txt"
    junk.write_text("không phải bản sao lưu", encoding="utf-8")
    assert main(["restore", str(junk), "--database-url", db_url, "--force"]) == 1
    assert "không phải tệp sao lưu" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing.backup"), "--database-url", db_url]) == 1
    assert "không có tệp sao lưu" in capsys.readouterr().err


def test_a_backup_restores_into_an_empty_database_without_force(engine, desk, db_url, tmp_path, capsys):
    if not db_url.startswith("sqlite"):
        pytest.skip("one PostgreSQL database per test process: the empty target is a new SQLite file")
    did, iid = issued(engine, desk, ("LS.CA",))
    backup_file = tmp_path / "b.sqlite"
    assert main(["backup", str(backup_file), "--database-url", db_url]) == 0
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'chithi.db'}"
    assert main(["db", "upgrade", "--database-url", fresh]) == 0  # migrated but empty: no --force needed
    assert main(["restore", str(backup_file), "--database-url", fresh]) == 0
    other = build_engine(fresh)
    try:
        assert ready(other, iid) == ready(engine, iid) and stage(other, did) == "following_up"
    finally:
        other.shutdown()


def test_a_missing_postgresql_client_of_the_servers_version_is_named():
    with pytest.raises(BackupError, match="postgresql-client-99"):
        find_pg_tool("pg_dump", 99)
