"""The `chithi` command: `db upgrade`, `seed`, `serve`, `scheduler`, `user add`, `backup`, `restore`, and
the commands of every feature package (web/features.py). Each subcommand is one small `add_*` function
registering its parser and handler."""
from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys

from engine.kernel.errors import ChithiError

from .config import database_url_from_env, instance_dir
from .features import add_cli_commands

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def database_url(args: argparse.Namespace) -> str:
    """--database-url, else DATABASE_URL, else the embedded instance/chithi.db."""
    return args.database_url or database_url_from_env(instance_dir())


def open_engine(args: argparse.Namespace):
    """A ChithiEngine on the command's database."""
    from engine.app import build_engine

    return build_engine(database_url(args))


def acting_account(eng, username: str):
    """The Actor a command acts as: `system` (an administrator), or an active account."""
    from engine.kernel.accounts import SYSTEM

    if username == SYSTEM.username:
        return SYSTEM
    actor = eng.accounts.get(username)
    if actor is None:
        raise SystemExit(f"error: no active user {username!r}")
    return actor


# --- db upgrade -------------------------------------------------------------------------------

def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Create or migrate the schema."""
    eng = open_engine(args)
    try:
        derived = eng.upgrade_schema()
    finally:
        eng.shutdown()
    print(f"Database schema is up to date ({database_url(args).split('://', 1)[0]})."
          + (f" {derived} rows of derived data written (e.g. follow-up facts of older directives)." if derived else ""))
    return 0


def add_db(sub) -> None:
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the schema to the newest version").set_defaults(
        handler=cmd_db_upgrade)


# --- seed -------------------------------------------------------------------------------------

def cmd_seed(args: argparse.Namespace) -> int:
    """Deploy workflows, create demo users, start a sample instance; print the demo logins."""
    from .seed import DEMO_PASSWORD, DEMO_USERS, seed

    eng = open_engine(args)
    try:
        report = seed(eng)
    finally:
        eng.shutdown()
    print(f"Deployed processes: {', '.join(sorted(set(report.deployed))) or '(none)'}")
    print(f"Sample instance #{report.sample_instance_id} ({'started' if report.sample_started else 'already running'})")
    reference = report.reference
    print(f"Reference data: {reference.get('bodies', 0)} bodies, {reference.get('party_terms', 0)} Party terms")
    origin = "imported from the Lạng Sơn seed" if report.directive_imported else "already present"
    print(f"Directive #{report.directive_id} ({origin})"
          + "".join(f"; ready: {name} [{role}]" for name, role in report.directive_tasks))
    print(f"Demo logins (password: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        new = " (new)" if user.username in report.created_users else ""
        print(f"  {user.username:<12} {user.full_name} — {', '.join(user.roles)}{new}")
    return 0


def add_seed(sub) -> None:
    sub.add_parser("seed", help="deploy workflows, create demo users and a sample instance").set_defaults(
        handler=cmd_seed)


# --- serve ------------------------------------------------------------------------------------

def _raise_system_exit(signum, _frame):
    raise SystemExit(128 + signum)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web app: with --workers N, N gunicorn processes (timers: run `chithi scheduler` beside
    them); without, one threaded process that also runs the timer scheduler (`make run`)."""
    from werkzeug.serving import run_simple

    from . import create_app

    app_config = {"DATABASE_URL": args.database_url} if args.database_url else None
    if args.workers:
        from .serving import serve_with_gunicorn

        print(f"chithi: http://{args.host}:{args.port}/ ({args.workers} workers × {args.threads} threads; "
              "timers: run `chithi scheduler`)", flush=True)
        serve_with_gunicorn(args.host, args.port, args.workers, args.threads, app_config)
        return 0
    app = create_app(app_config)
    eng = app.extensions["chithi"]
    signal.signal(signal.SIGTERM, _raise_system_exit)  # so the scheduler is shut down below
    eng.start_scheduler()
    try:
        print(f"chithi: http://{args.host}:{args.port}/", flush=True)
        run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    finally:
        eng.shutdown()
    return 0


def add_serve(sub) -> None:
    serve = sub.add_parser("serve", help="serve the web app (and run the timer scheduler)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT),
                       help="default: $PORT or 8000")
    serve.add_argument("--workers", type=int, default=0,
                       help="gunicorn worker processes (production; run `chithi scheduler` beside them); "
                            "0: one process with the scheduler (default)")
    serve.add_argument("--threads", type=int, default=1,
                       help="threads per gunicorn worker (default 1: one request at a time per process, the "
                            "fastest for this CPU-bound app behind a buffering proxy such as nginx; use more "
                            "threads when clients reach gunicorn directly)")
    serve.set_defaults(handler=cmd_serve)


# --- scheduler --------------------------------------------------------------------------------

def cmd_scheduler(args: argparse.Namespace) -> int:
    """Only fire timers (for deployments where gunicorn serves the app without a scheduler)."""
    import threading

    eng = open_engine(args)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    eng.start_scheduler()
    print("chithi scheduler running; stop with Ctrl-C or SIGTERM", flush=True)
    try:
        stop.wait()
    finally:
        eng.shutdown()
    return 0


def add_scheduler(sub) -> None:
    sub.add_parser("scheduler", help="run only the timer scheduler (no web server)").set_defaults(
        handler=cmd_scheduler)


# --- user add ---------------------------------------------------------------------------------

def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if first != getpass.getpass("Nhập lại mật khẩu: "):
        raise SystemExit("error: the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create a local account."""
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    password = _read_password(args)
    if not password:
        raise SystemExit("error: empty password")
    eng = open_engine(args)
    try:
        actor = eng.accounts.create_user(args.username, args.name, password, roles, args.body)
    finally:
        eng.shutdown()
    print(f"Created user {actor.username} ({', '.join(actor.roles)})")
    return 0


def add_user(sub) -> None:
    user = sub.add_parser("user", help="local accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a local account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name, e.g. 'Nguyễn Văn An'")
    add.add_argument("--roles", required=True, help="comma-separated: clerk,leader,records_clerk,admin,...")
    add.add_argument("--body", default=None, help="body (đơn vị) code, e.g. LS.UBND")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=cmd_user_add)


# --- backup, restore ---------------------------------------------------------------------------

def _rows_line(rows: dict[str, int]) -> str:
    shown = [f"{name} {rows[name]}" for name in ("process_instance", "human_task", "audit_event") if name in rows]
    return f"{sum(rows.values())} rows in {len(rows)} tables" + (f" ({', '.join(shown)})" if shown else "")


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a consistent copy of the whole database to FILE (SQLite: online backup; PostgreSQL: pg_dump)."""
    from engine.kernel.backup import backup

    report = backup(database_url(args), args.file)
    print(f"Backed up the {report.kind} database to {report.path} ({report.size:,} bytes; "
          f"{_rows_line(report.rows)}).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with FILE, then bring its schema to the newest version and check the audit log."""
    from engine.kernel.backup import restore

    url = database_url(args)
    report = restore(url, args.file, force=args.force)
    eng = open_engine(args)
    try:
        eng.upgrade_schema()
        chain = eng.verify_audit()
    finally:
        eng.shutdown()
    print(f"Restored the {report.kind} database from {report.path} ({_rows_line(report.rows)}).")
    if not chain.ok:
        print(f"warning: the audit log of the backup is broken at event {chain.broken_at}: {chain.reason}",
              file=sys.stderr)
        return 2
    print(f"Audit log verified: {chain.checked} events.")
    return 0


def add_backup(sub) -> None:
    back = sub.add_parser("backup", help="write a backup of the whole database to FILE")
    back.add_argument("file", help="backup file to write (replaced if it exists)")
    back.set_defaults(handler=cmd_backup)
    rest = sub.add_parser("restore", help="replace the database with a backup FILE (stop the server first)")
    rest.add_argument("file", help="a file written by `chithi backup`")
    rest.add_argument("--force", action="store_true", help="overwrite a database that holds data")
    rest.set_defaults(handler=cmd_restore)


SUBCOMMANDS = (add_db, add_seed, add_serve, add_scheduler, add_user, add_backup)  # the app's own; features add theirs


DATABASE_URL_HELP = "default: $DATABASE_URL or sqlite:///<repo>/instance/chithi.db"


def _commands(parser: argparse.ArgumentParser):
    """Every parser of a runnable command below `parser` (the leaves of the subcommand tree)."""
    children = [choice for action in parser._actions if isinstance(action, argparse._SubParsersAction)
                for choice in action.choices.values()]
    if not children:
        yield parser
    for child in children:
        yield from _commands(child)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of SUBCOMMANDS; `--database-url` is accepted before
    the command and after it alike (`chithi directive import FILE --database-url URL`)."""
    parser = argparse.ArgumentParser(prog="chithi", description="chithi workflow engine")
    parser.add_argument("--database-url", default=None, help=DATABASE_URL_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    add_cli_commands(sub)
    for command in _commands(parser):
        if command is not parser:
            command.add_argument("--database-url", default=argparse.SUPPRESS, help=DATABASE_URL_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `chithi` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ChithiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
