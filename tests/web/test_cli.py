"""The `chithi` command: schema upgrade, idempotent seed with the demo logins, user add."""
from __future__ import annotations

import io

import pytest

from engine.app import build_engine
from engine.kernel.resources import workflows_dir
from web.cli import build_parser, main
from web.seed import DEMO_PASSWORD, DEMO_USERS, SAMPLE_PROCESS, SEED_DIRECTIVE


def test_seed_is_idempotent_and_prints_the_demo_logins(db_url, capsys):
    assert main(["--database-url", db_url, "db", "upgrade"]) == 0
    assert main(["--database-url", db_url, "seed"]) == 0
    first = capsys.readouterr().out
    assert DEMO_PASSWORD in first
    for user in DEMO_USERS:
        assert user.username in first
    assert "started" in first

    assert main(["--database-url", db_url, "seed"]) == 0
    second = capsys.readouterr().out
    assert "already running" in second
    assert "(new)" not in second

    eng = build_engine(db_url)
    try:
        running = [i for i in eng.list_instances(status="running") if i.process_id == SAMPLE_PROCESS]
        assert len(running) == 1
        clerk = eng.accounts.authenticate("chuyenvien", DEMO_PASSWORD)
        assert clerk is not None and "clerk" in clerk.roles
        assert [t.process_id for t in eng.inbox(clerk)] == [SAMPLE_PROCESS]
    finally:
        eng.shutdown()
        eng.db.dispose()


def test_user_add_reads_the_password_from_stdin(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-rat-dai\n"))
    code = main(["--database-url", db_url, "user", "add", "thuky", "--name", "Ngô Thị Thu",
                 "--roles", "records_clerk,clerk", "--body", "LS.UBND", "--password-stdin"])
    assert code == 0
    assert "thuky" in capsys.readouterr().out
    eng = build_engine(db_url)
    try:
        actor = eng.accounts.authenticate("thuky", "mat-khau-rat-dai")
        assert actor.roles == ("records_clerk", "clerk") and actor.body_code == "LS.UBND"
    finally:
        eng.shutdown()
        eng.db.dispose()


def test_user_add_reports_a_refused_account(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    code = main(["--database-url", db_url, "user", "add", "thuky", "--name", "Ngô Thị Thu",
                 "--roles", "clerk", "--password-stdin"])
    assert code == 1
    assert "8" in capsys.readouterr().err


def test_serve_takes_the_port_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8123)
    assert build_parser().parse_args(["serve", "--port", "9000"]).port == 9000


def test_a_subcommand_is_required():
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_every_command_takes_the_database_url_after_its_arguments_too(db_url, capsys):
    seed = str(workflows_dir() / "directives" / SEED_DIRECTIVE)
    assert main(["db", "upgrade", "--database-url", db_url]) == 0
    assert main(["directive", "import", seed, "--database-url", db_url]) == 0
    assert "Created directive #1" in capsys.readouterr().out
    parser = build_parser()
    assert parser.parse_args(["--database-url", "sqlite:///a.db", "seed"]).database_url == "sqlite:///a.db"
    assert parser.parse_args(["seed", "--database-url", "sqlite:///b.db"]).database_url == "sqlite:///b.db"
    assert parser.parse_args(["seed"]).database_url is None
