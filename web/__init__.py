"""The web front of chithi: a Flask application factory wiring the app's own blueprints and every
feature package (web/features.py)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import config_from_env, default_database_url, instance_dir, persistent_secret_key


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config from the environment (or `test_config`), one engine, the blueprints."""
    app = Flask(__name__, instance_path=str(instance_dir()), instance_relative_config=True)
    app.config.from_mapping(config_from_env(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = persistent_secret_key(app.instance_path)

    from . import api, auth, csrf, definitions_api, errors, features, filters, headers, params, tasks

    params.init_app(app)  # one converter for every whole number in a URL, bounded JSON
    _init_engine(app)

    # The app's own parts, then every feature package of web/ (web/features.py finds them).
    for module in (filters, errors, headers, csrf, auth, tasks, api, definitions_api, features):
        module.init_app(app)
    return app


def _init_engine(app: Flask) -> None:
    from engine.app import build_engine

    workflows_dir = app.config.get("WORKFLOWS_DIR")
    app.extensions["chithi"] = build_engine(
        app.config["DATABASE_URL"],
        clock=app.config.get("CLOCK"),
        workflows_dir=Path(workflows_dir) if workflows_dir else None,
        password_hasher=app.config.get("PASSWORD_HASHER"),
    )
