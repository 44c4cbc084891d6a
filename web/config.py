"""Configuration of the web app, read from the environment; tests pass overrides to create_app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MEGABYTE = 1024 * 1024


def instance_dir() -> Path:
    """Where the embedded database and the secret key live: $CHITHI_INSTANCE_DIR, else `instance/`
    in the source checkout, else `instance/` in the working directory (an installed package)."""
    configured = os.environ.get("CHITHI_INSTANCE_DIR", "").strip()
    if configured:
        return Path(configured)
    base = REPO_ROOT if (REPO_ROOT / "setup.cfg").is_file() else Path.cwd()
    return base / "instance"


def default_database_url(instance_path: str | Path) -> str:
    """The embedded SQLite database of `make run`: <instance>/chithi.db."""
    return f"sqlite:///{Path(instance_path) / 'chithi.db'}"


def database_url_from_env(instance_path: str | Path) -> str:
    """DATABASE_URL if set, otherwise the embedded SQLite database."""
    return os.environ.get("DATABASE_URL", "").strip() or default_database_url(instance_path)


def persistent_secret_key(instance_path: str | Path) -> str:
    """The secret key kept in <instance>/secret_key, created (mode 0600) on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def config_from_env(instance_path: str | Path) -> dict:
    """Every setting the app reads, from the environment, with defaults for `make run`.

    DATABASE_URL and SECRET_KEY are resolved lazily by create_app, so a test override that gives
    them never touches the instance folder.
    """
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", "").strip() or None,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "").strip() or None,
        "WORKFLOWS_DIR": None,  # tests may point at other models; else engine.kernel.resources finds them
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 10 * MEGABYTE)),
        "SESSION_COOKIE_NAME": "chithi_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_flag("SESSION_COOKIE_SECURE", False),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        # Login throttling: this many failures per (username, address) within the window block it.
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_WINDOW_SECONDS": int(os.environ.get("LOGIN_WINDOW_SECONDS", 300)),
        "CLOCK": None,  # tests inject a FrozenClock; None means the system clock
    }
