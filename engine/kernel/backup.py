"""Backups of the whole database and their restore (`chithi backup FILE`, `chithi restore FILE`).

SQLite is copied with its online backup API (a consistent snapshot while the app keeps writing);
PostgreSQL with `pg_dump -Fc` and `pg_restore`, from the PostgreSQL client whose major version is the
server's (looked up on PATH and in /usr/lib/postgresql/*/bin). A backup is written beside its final
name and renamed once complete and checked, so a half-written file never has the name asked for.
Restore refuses a database that holds data unless forced, refuses a file of the other kind, and
restores PostgreSQL in one transaction (a failed restore changes nothing).
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from sqlalchemy import inspect, text

from .db import Database
from .errors import ChithiError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SKIP_TABLES = frozenset({"alembic_version"})  # bookkeeping: a migrated, empty database is still empty
TOOL_TIMEOUT = 6 * 3600


class BackupError(ChithiError):
    """A backup or restore that could not be done; the message says what to fix."""

    code = "backup_failed"
    http_status = 400


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote or a restore read: the file, its size, the kind, rows of the larger tables."""

    path: Path
    size: int
    kind: str  # "sqlite" | "postgresql"
    rows: dict[str, int]


# ------------------------------------------------------------------ shared

def _sqlite_path(url: str) -> Path:
    path = url.split("///", 1)[-1] if "///" in url else ""
    if not path or path == ":memory:":
        raise BackupError("cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được; hãy dùng một tệp")
    return Path(path)


def _kind(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"không sao lưu được loại cơ sở dữ liệu {url.split(':', 1)[0]!r} (chỉ SQLite, PostgreSQL)")


def row_counts(db: Database) -> dict[str, int]:
    """Rows in each table of the database (alembic_version left out)."""
    names = sorted(set(inspect(db.engine).get_table_names()) - SKIP_TABLES)
    with db.engine.connect() as conn:
        return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()) for name in names}


def _file_kind(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} không phải tệp sao lưu của chithi (SQLite hoặc pg_dump -Fc)")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


# ------------------------------------------------------------------ SQLite

def _sqlite_backup(url: str, path: Path) -> None:
    source = sqlite3.connect(_sqlite_path(url))
    target = sqlite3.connect(path)
    try:
        source.backup(target, pages=1024)  # other connections keep writing between batches
        check = target.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"bản sao lưu không toàn vẹn: {check}")
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def _sqlite_restore(path: Path, url: str) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"tệp sao lưu {path} bị hỏng: {check}")
        source.backup(target)  # replaces every page of the target, under its write lock
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


# ------------------------------------------------------------------ PostgreSQL

def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    parts = urlsplit(url)
    scheme = "postgresql"
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        user = parts.username or ""
        netloc = f"{user}@{netloc.rsplit('@', 1)[1]}" if user else netloc.rsplit("@", 1)[1]
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), env


def _server_major(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _tool_major(binary: str) -> int | None:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def find_pg_tool(name: str, server_major: int) -> str:
    """The `name` binary (pg_dump, pg_restore) of the server's major version: on PATH or in
    /usr/lib/postgresql/<major>/bin; BackupError saying what to install if there is none."""
    candidates = [p for p in [shutil.which(name)] if p]
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    seen = []
    for binary in candidates:
        major = _tool_major(binary)
        seen.append(f"{binary} ({major})")
        if major == server_major:
            return binary
    where = "; ".join(seen) if seen else "không có"
    raise BackupError(f"cần {name} của PostgreSQL {server_major} (máy chủ là bản {server_major}); đã tìm: {where}. "
                      f"Hãy cài postgresql-client-{server_major}.")


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    if done.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {done.returncode}): {done.stderr.strip()[-2000:]}")


def _pg_backup(db: Database, url: str, path: Path) -> None:
    tool = find_pg_tool("pg_dump", _server_major(db))
    uri, env = _libpq(url)
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={path}", f"--dbname={uri}"],
         env, "pg_dump")
    lister = find_pg_tool("pg_restore", _server_major(db))
    _run([lister, "--list", str(path)], env, "đọc lại bản sao lưu (pg_restore --list)")


def _pg_restore(db: Database, url: str, path: Path) -> None:
    tool = find_pg_tool("pg_restore", _server_major(db))
    uri, env = _libpq(url)
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={uri}", str(path)], env, "pg_restore")


# ------------------------------------------------------------------ entry points

def backup(url: str, path: str | Path) -> BackupReport:
    """Write a consistent copy of the database at `url` to `path` (replaced if it exists)."""
    kind, target = _kind(url), Path(path)
    if target.is_dir():
        raise BackupError(f"{target} là một thư mục; hãy cho tên tệp sao lưu")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(target)
    partial.unlink(missing_ok=True)
    db = Database(url)
    try:
        rows = row_counts(db)
        if kind == "sqlite":
            _sqlite_backup(url, partial)
        else:
            _pg_backup(db, url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        db.dispose()
    return BackupReport(target, target.stat().st_size, kind, rows)


def restore(url: str, path: str | Path, *, force: bool = False) -> BackupReport:
    """Replace the database at `url` with the backup in `path`; refuses a database holding data
    unless `force`. Stop the web workers and the scheduler first."""
    kind, source = _kind(url), Path(path)
    if not source.is_file():
        raise BackupError(f"không có tệp sao lưu {source}")
    if (file_kind := _file_kind(source)) != kind:
        raise BackupError(f"{source} là bản sao lưu {file_kind}, còn cơ sở dữ liệu đích là {kind}")
    db = Database(url)
    try:
        if kind == "sqlite" and not _sqlite_path(url).exists():
            held = {}
        else:
            held = {name: n for name, n in row_counts(db).items() if n}
        if held and not force:
            biggest = ", ".join(f"{name}: {n}" for name, n in sorted(held.items(), key=lambda kv: -kv[1])[:5])
            raise BackupError(f"cơ sở dữ liệu đích đang có dữ liệu ({biggest}…); khôi phục sẽ xoá hết — "
                              "thêm --force nếu chắc chắn")
        db.dispose()  # no pooled connection of ours holds a lock while the copy comes in
        if kind == "sqlite":
            _sqlite_restore(source, url)
        else:
            _pg_restore(db, url, source)
        rows = row_counts(db)
    finally:
        db.dispose()
    return BackupReport(source, source.stat().st_size, kind, rows)
