"""The production layout: gunicorn workers serve the app (`chithi serve --workers N`) while the
timers are fired by a separate `chithi scheduler` process; both on the same (PostgreSQL) database.

No state lives in one worker only: each worker builds its own engine (workflow cache checked against
the row version), so any number of workers and schedulers may run side by side.
"""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class ProductionServer(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn, configured from the command line, loading the app in each worker after the fork."""

    def __init__(self, options: dict[str, Any], app_config: dict[str, Any] | None):
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from . import create_app

        return create_app(self.app_config)


def serve_with_gunicorn(host: str, port: int, workers: int, threads: int,
                        app_config: dict[str, Any] | None) -> None:
    """Run gunicorn with `workers` processes of `threads` threads each until it is stopped."""
    options = {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 60, "graceful_timeout": 20, "keepalive": 5,
        "max_requests": 5_000, "max_requests_jitter": 500,  # recycle workers: memory stays bounded
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
    }
    ProductionServer(options, app_config).run()
